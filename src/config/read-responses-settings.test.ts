import { describe, expect, it } from "vitest";
import { GatewayError } from "../unified/index.js";
import { loadConfig } from "./load-config.js";

const cwd = "/srv/gateway";

function load(env: Record<string, string>, files: Record<string, string> = {}) {
  return loadConfig({ env, cwd, readFile: (path) => files[path] });
}

describe("background Responses settings", () => {
  it("leaves them out when nothing is set (the Responses service holds the defaults)", () => {
    expect(load({}).responses).toBeUndefined();
  });

  it("reads the environment over switchyard.json", () => {
    const file = { "/srv/gateway/switchyard.json": JSON.stringify({ responses: { maxBackgroundJobs: 4, cancelPollMs: 250 } }) };
    expect(load({}, file).responses).toEqual({ maxBackgroundJobs: 4, cancelPollMs: 250 });
    expect(load({ SWITCHYARD_MAX_BACKGROUND_RESPONSES: "2" }, file).responses).toEqual({ maxBackgroundJobs: 2, cancelPollMs: 250 });
    expect(load({ SWITCHYARD_BACKGROUND_CANCEL_POLL_MS: "100" }).responses).toEqual({ cancelPollMs: 100 });
  });

  it("reads the background lease from SWITCHYARD_BACKGROUND_LEASE_MS over responses.leaseMs", () => {
    const file = { "/srv/gateway/switchyard.json": JSON.stringify({ responses: { leaseMs: 30_000 } }) };
    expect(load({}, file).responses).toEqual({ leaseMs: 30_000 });
    expect(load({ SWITCHYARD_BACKGROUND_LEASE_MS: "4000" }, file).responses).toEqual({ leaseMs: 4_000 });
    expect(load({ SWITCHYARD_BACKGROUND_LEASE_MS: "600", SWITCHYARD_BACKGROUND_CANCEL_POLL_MS: "100" }).responses).toEqual({ leaseMs: 600, cancelPollMs: 100 });
  });

  it("rejects a lease shorter than two cancel polls, naming the variable, before the server starts", () => {
    const messageOf = (env: Record<string, string>): string => {
      try {
        load(env);
      } catch (caught) {
        return GatewayError.isInstance(caught) && caught.code === "config" ? caught.message : `not a config error: ${String(caught)}`;
      }
      return "accepted";
    };
    // The default poll is 1000 ms.
    expect(messageOf({ SWITCHYARD_BACKGROUND_LEASE_MS: "1500" })).toContain("SWITCHYARD_BACKGROUND_LEASE_MS");
    expect(messageOf({ SWITCHYARD_BACKGROUND_LEASE_MS: "300", SWITCHYARD_BACKGROUND_CANCEL_POLL_MS: "200" })).toContain("at least twice the cancel poll interval (200 ms)");
    expect(messageOf({ SWITCHYARD_BACKGROUND_LEASE_MS: "400", SWITCHYARD_BACKGROUND_CANCEL_POLL_MS: "200" })).toBe("accepted");
  });

  it("rejects a cap of zero, naming the variable", () => {
    const error = (() => {
      try {
        load({ SWITCHYARD_MAX_BACKGROUND_RESPONSES: "0" });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(GatewayError.isInstance(error) && error.code === "config" && error.message).toContain("SWITCHYARD_MAX_BACKGROUND_RESPONSES");
  });
});
