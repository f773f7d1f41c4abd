import { describe, expect, it } from "vitest";
import { gatewayHeapFlags, planHeapFlagRelaunch, type RelaunchProcess } from "./relaunch-with-heap-flags.js";

const execve = (() => {
  throw new Error("not called by the planner");
}) as unknown as NonNullable<RelaunchProcess["execve"]>;

function running(overrides: Partial<RelaunchProcess> = {}): RelaunchProcess {
  return { execPath: "/usr/bin/node", execArgv: [], argv: ["/usr/bin/node", "/app/dist/cli/main.js", "serve"], env: {}, execve, ...overrides };
}

describe("planHeapFlagRelaunch", () => {
  it("re-executes a bare launch with the heap flags, keeping the script and its arguments", () => {
    expect(planHeapFlagRelaunch(running())).toEqual(["/usr/bin/node", ...gatewayHeapFlags, "/app/dist/cli/main.js", "serve"]);
  });

  it("keeps the operator's other node flags", () => {
    expect(planHeapFlagRelaunch(running({ execArgv: ["--enable-source-maps"] }))).toEqual([
      "/usr/bin/node",
      ...gatewayHeapFlags,
      "--enable-source-maps",
      "/app/dist/cli/main.js",
      "serve",
    ]);
  });

  it("does nothing once the flags are there (no relaunch loop)", () => {
    expect(planHeapFlagRelaunch(running({ execArgv: [...gatewayHeapFlags] }))).toBeUndefined();
  });

  it("respects heap flags the operator chose, on the command line or in NODE_OPTIONS", () => {
    expect(planHeapFlagRelaunch(running({ execArgv: ["--max-old-space-size=4096"] }))).toBeUndefined();
    expect(planHeapFlagRelaunch(running({ env: { NODE_OPTIONS: "--max-semi-space-size=32" } }))).toBeUndefined();
  });

  it("can be switched off, and is skipped where execve does not exist", () => {
    expect(planHeapFlagRelaunch(running({ env: { SWITCHYARD_HEAP_FLAGS: "off" } }))).toBeUndefined();
    const { execve: _unused, ...withoutExecve } = running();
    expect(planHeapFlagRelaunch(withoutExecve)).toBeUndefined();
  });
});
