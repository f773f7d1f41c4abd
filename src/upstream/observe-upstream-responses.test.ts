import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { observeUpstreamResponses, reportUpstreamResponse } from "./observe-upstream-responses.js";

describe("observeUpstreamResponses", () => {
  it("reports each response to the observer of its own attempt, also across awaits and concurrent attempts", async () => {
    const seen: string[] = [];
    const attempt = (name: string, delayMs: number) =>
      observeUpstreamResponses(
        ({ status, headers }) => seen.push(`${name}:${status}:${headers["x-ratelimit-remaining-requests"] ?? "-"}`),
        async () => {
          await sleep(delayMs);
          reportUpstreamResponse(200, { "x-ratelimit-remaining-requests": name === "a" ? "0" : "9" });
          return name;
        },
      );
    expect(await Promise.all([attempt("a", 20), attempt("b", 5)])).toEqual(["a", "b"]);
    expect(seen).toEqual(["b:200:9", "a:200:0"]);
  });

  it("outside any attempt nothing is observed, and an observer that throws does not fail the response", async () => {
    expect(() => reportUpstreamResponse(429, {})).not.toThrow();
    const result = await observeUpstreamResponses(
      () => {
        throw new Error("bad header");
      },
      async () => {
        reportUpstreamResponse(200, {});
        return "served";
      },
    );
    expect(result).toBe("served");
  });
});
