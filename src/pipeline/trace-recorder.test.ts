import { describe, expect, it } from "vitest";
import type { TracePassKind } from "../observability/index.js";
import type { GatewayResult } from "./gateway-call.js";
import { noTrace, traceClientResult, type TraceRecorder } from "./trace-recorder.js";

function recordingTrace(): TraceRecorder & { lines: Array<[TracePassKind, unknown]>; closed: number } {
  const lines: Array<[TracePassKind, unknown]> = [];
  const trace = {
    active: true,
    lines,
    closed: 0,
    record(kind: TracePassKind, data: unknown) {
      lines.push([kind, data]);
    },
    failedUpstream() {},
    close() {
      trace.closed += 1;
      return Promise.resolve();
    },
  };
  return trace;
}

async function* chunksOf(...chunks: string[]): AsyncGenerator<string> {
  yield* chunks;
}

describe("traceClientResult", () => {
  it("returns the very same result when tracing is off (nothing wrapped, nothing recorded)", () => {
    const result: GatewayResult = { kind: "stream", status: 200, headers: {}, chunks: chunksOf() };
    expect(traceClientResult(result, noTrace)).toBe(result);
  });

  it("records each client chunk and closes the trace when the stream ends", async () => {
    const trace = recordingTrace();
    const traced = traceClientResult({ kind: "stream", status: 200, headers: {}, chunks: chunksOf("a", "b") }, trace);
    if (traced.kind !== "stream") throw new Error("expected a stream");
    const seen: Array<string | Uint8Array> = [];
    for await (const chunk of traced.chunks) seen.push(chunk);
    expect(seen).toEqual(["a", "b"]);
    expect(trace.lines).toEqual([
      ["client-response", "a"],
      ["client-response", "b"],
    ]);
    expect(trace.closed).toBe(1);
  });

  it("records a JSON body at once and closes the trace", () => {
    const trace = recordingTrace();
    traceClientResult({ kind: "json", status: 200, headers: { "content-type": "application/json" }, body: { ok: true } }, trace);
    expect(trace.lines).toEqual([["client-response", { status: 200, headers: { "content-type": "application/json" }, body: { ok: true } }]]);
    expect(trace.closed).toBe(1);
  });
});
