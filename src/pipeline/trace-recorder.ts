import { randomUUID } from "node:crypto";
import type { FailedRequestDump, FailedRequestDumpWriter, TracePassKind, TraceWriter } from "../observability/index.js";
import type { GatewayResult } from "./gateway-call.js";

/** Extra scalar fields of a trace line (attempt, chunk index, status…). */
export type TraceFields = Record<string, string | number | boolean>;

/**
 * Where the pipeline records the passes of one request. `active` is false when tracing is off: callers check it
 * before building anything to record (wrapping streams, copying headers), so the hot path pays one branch.
 */
export interface TraceRecorder {
  readonly active: boolean;
  /** Records one pass; never throws. `data` is snapshotted (redacted, serialized) at once by the writer. */
  record(kind: TracePassKind, data: unknown, fields?: TraceFields): void;
  /** Dumps one failed upstream exchange on its own file; never throws. */
  failedUpstream(failure: Omit<FailedRequestDump, "requestId">): void;
  /** Ends the trace; resolves once its lines are on disk or given up. Never rejects. */
  close(): Promise<void>;
}

/** Begins a recorder per request. */
export interface TraceRecorderFactory {
  begin(): TraceRecorder;
  /** Resolves when every trace and dump begun so far has been written (shutdown, tests). */
  flush(): Promise<void>;
}

/** The recorder when tracing is off: does nothing, allocates nothing. */
export const noTrace: TraceRecorder = {
  active: false,
  record() {},
  failedUpstream() {},
  close: () => Promise.resolve(),
};

/** Recorders backed by the transaction-trace writer and, when given, the failed-request dump writer. */
export function createTraceRecorderFactory(writers: { trace: TraceWriter; dumps?: FailedRequestDumpWriter }): TraceRecorderFactory {
  return {
    begin() {
      let trace: ReturnType<TraceWriter["begin"]>;
      try {
        trace = writers.trace.begin(randomUUID());
      } catch {
        return noTrace; // the trace must never affect the request
      }
      return {
        active: true,
        record(kind, data, fields) {
          trace.record(kind, data, fields);
        },
        failedUpstream(failure) {
          writers.dumps?.dump({ ...failure, requestId: trace.requestId });
        },
        close: () => trace.close().catch(() => undefined),
      };
    },
    async flush() {
      await Promise.all([writers.trace.flush(), writers.dumps?.flush()]).catch(() => undefined);
    },
  };
}

/**
 * Records the client response: the body of a JSON or bytes result now, each chunk of a stream as it passes (the
 * writer's byte cap bounds a long stream). The trace is closed when the response is complete.
 */
export function traceClientResult(result: GatewayResult, trace: TraceRecorder): GatewayResult {
  if (!trace.active) return result;
  if (result.kind !== "stream") {
    trace.record("client-response", { status: result.status, headers: result.headers, body: result.body });
    void trace.close();
    return result;
  }
  const chunks = result.chunks;
  return {
    ...result,
    chunks: (async function* () {
      let index = 0;
      try {
        for await (const chunk of chunks) {
          trace.record("client-response", chunk, { chunk: index++ });
          yield chunk;
        }
      } catch (error) {
        trace.record("error", error, { stage: "client-stream" });
        throw error;
      } finally {
        void trace.close();
      }
    })(),
  };
}

/** The upstream body, recorded chunk by chunk as `provider-chunk` while it is read. */
export async function* traceUpstreamChunks<C>(body: AsyncIterable<C>, trace: TraceRecorder): AsyncGenerator<C> {
  let index = 0;
  for await (const chunk of body) {
    trace.record("provider-chunk", chunk, { chunk: index++ });
    yield chunk;
  }
}
