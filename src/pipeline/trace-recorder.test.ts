import { describe, expect, it } from "vitest";
import type { FailedRequestDump, FailedRequestDumpWriter, TracePassKind } from "../observability/index.js";
import type { GatewayResult } from "./gateway-call.js";
import { createTraceRecorderFactory, noTrace, traceClientResult, type TraceRecorder } from "./trace-recorder.js";

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

describe("createTraceRecorderFactory", () => {
  function dumpWriter(): FailedRequestDumpWriter & { dumps: FailedRequestDump[] } {
    const dumps: FailedRequestDump[] = [];
    return { dumps, dump: (failure) => void dumps.push(failure), flush: () => Promise.resolve(), stats: { written: 0, dropped: 0, failures: 0 } };
  }

  it("records nothing but dumps failures when only dumps are on, one id per request", () => {
    const writer = dumpWriter();
    const factory = createTraceRecorderFactory({ dumps: writer });
    const first = factory.begin();
    const second = factory.begin();
    expect([first.active, first.dumpsFailures]).toEqual([false, true]);
    first.record("client-request", { ignored: true });
    first.failedUpstream({ provider: "a", error: "one" });
    first.failedUpstream({ provider: "b", error: "two" });
    second.failedUpstream({ provider: "a", error: "three" });
    expect(writer.dumps.map((dump) => dump.provider)).toEqual(["a", "b", "a"]);
    const [one, two, three] = writer.dumps.map((dump) => dump.requestId);
    expect(one).toBe(two);
    expect(three).not.toBe(one);
    const result: GatewayResult = { kind: "json", status: 200, headers: {}, body: {} };
    expect(traceClientResult(result, first)).toBe(result);
  });

  it("never lets a throwing dump writer reach the request", () => {
    const factory = createTraceRecorderFactory({ dumps: { ...dumpWriter(), dump: () => { throw new Error("disk full"); } } });
    expect(() => factory.begin().failedUpstream({ error: "x" })).not.toThrow();
  });

  it("is the no-op recorder when neither the trace nor the dumps are on", () => {
    expect(createTraceRecorderFactory({}).begin()).toBe(noTrace);
    expect(noTrace.dumpsFailures).toBe(false);
  });
});
