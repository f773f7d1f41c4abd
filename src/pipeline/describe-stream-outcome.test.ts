import { describe, expect, it } from "vitest";
import { describeStreamOutcome, type StreamEnding } from "./describe-stream-outcome.js";

const report = { passthrough: false, warnings: [], stream: { metrics: { startedAt: 1000, firstChunkAt: 1250, chunks: 7, heartbeats: 2 }, progress: { sent: true } } };
const base: StreamEnding = { errorCode: undefined, finished: true, clientGone: false, startedAt: 1000, firstVisibleAt: 1500, outputTokens: 40, now: 3500, report };

describe("describeStreamOutcome", () => {
  it("reports TTFB, time to first visible token, chunks, heartbeats and output speed of a completed stream", () => {
    expect(describeStreamOutcome(base)).toEqual({ outcome: "completed", ttfbMs: 250, firstVisibleMs: 500, chunks: 7, heartbeats: 2, outputTokensPerSecond: 20 });
  });

  it.each([
    [{ errorCode: "stream_stalled" }, "timed_out"],
    [{ errorCode: "upstream_timeout" }, "timed_out"],
    [{ errorCode: "upstream_server" }, "failed"],
    [{ errorCode: "client_closed" }, "cancelled"],
    [{ clientGone: true, errorCode: "upstream_server" }, "cancelled"],
    [{ finished: false }, "cancelled"],
  ] as const)("%o → %s", (change, outcome) => {
    expect(describeStreamOutcome({ ...base, ...change }).outcome).toBe(outcome);
  });

  it("leaves out what was never measured", () => {
    const bare = { passthrough: false, warnings: [] };
    expect(describeStreamOutcome({ ...base, report: bare, firstVisibleAt: undefined, outputTokens: undefined, errorCode: "upstream_timeout" })).toEqual({
      outcome: "timed_out",
      chunks: 0,
      heartbeats: 0,
    });
  });
});
