import { randomUUID } from "node:crypto";
import type { FailedRequestDump, FailedRequestDumpWriter, TracePassKind, TraceWriter } from "../observability/index.js";
import { getCodec } from "../protocols/index.js";
import { toGatewayError, type ProtocolId } from "../unified/index.js";
import type { GatewayResult } from "./gateway-call.js";

/** Extra scalar fields of a trace line (attempt, chunk index, status…). */
export type TraceFields = Record<string, string | number | boolean>;

/**
 * Where the pipeline records the passes of one request. `active` is false when tracing is off: callers check it
 * before building anything to record (wrapping streams, copying headers), so the hot path pays one branch.
 */
export interface TraceRecorder {
  readonly active: boolean;
  /**
   * True when failed upstream exchanges are dumped (with the trace, or alone while `active` is false): the failure
   * path checks it before describing the request. Absent = false.
   */
  readonly dumpsFailures?: boolean;
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
  dumpsFailures: false,
  record() {},
  failedUpstream() {},
  close: () => Promise.resolve(),
};

/**
 * Recorders backed by the transaction-trace writer and/or the failed-request dump writer. With dumps alone, a
 * request's recorder is inactive (nothing recorded, the client result not wrapped) and only failures are written.
 */
export function createTraceRecorderFactory(writers: { trace?: TraceWriter; dumps?: FailedRequestDumpWriter }): TraceRecorderFactory {
  const { trace: traces, dumps } = writers;
  const flush = async (): Promise<void> => {
    await Promise.all([traces?.flush(), dumps?.flush()]).catch(() => undefined);
  };
  if (traces === undefined) {
    if (dumps === undefined) return { begin: () => noTrace, flush };
    return { begin: () => createDumpOnlyRecorder(dumps), flush };
  }
  return {
    begin() {
      let trace: ReturnType<TraceWriter["begin"]>;
      try {
        trace = traces.begin(randomUUID());
      } catch {
        return dumps === undefined ? noTrace : createDumpOnlyRecorder(dumps); // the trace must never affect the request
      }
      return {
        active: true,
        dumpsFailures: dumps !== undefined,
        record(kind, data, fields) {
          trace.record(kind, data, fields);
        },
        failedUpstream(failure) {
          dumps?.dump({ ...failure, requestId: trace.requestId });
        },
        close: () => trace.close().catch(() => undefined),
      };
    },
    flush,
  };
}

/** A recorder that only dumps failures; the id, shared by the dumps of one request's attempts, is made on the first. */
function createDumpOnlyRecorder(dumps: FailedRequestDumpWriter): TraceRecorder {
  let requestId: string | undefined;
  return {
    active: false,
    dumpsFailures: true,
    record() {},
    failedUpstream(failure) {
      try {
        requestId ??= randomUUID();
        dumps.dump({ ...failure, requestId });
      } catch {
        // a dump must never affect the request
      }
    },
    close: () => Promise.resolve(),
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

/**
 * Records a request that failed before any result: the error, then the error answer the client gets (its own
 * protocol's error shape, as the server encodes it), and closes the trace. Never throws: the caller rethrows the error.
 */
export function traceClientError(error: unknown, protocol: ProtocolId, trace: TraceRecorder): void {
  trace.record("error", error, { stage: "request" });
  try {
    const encoded = getCodec(protocol).encodeError(toGatewayError(error));
    trace.record("client-response", { status: encoded.status, headers: encoded.headers ?? {}, body: encoded.body }, { status: encoded.status });
  } catch {
    // the trace must never affect the request
  }
  void trace.close();
}

/** The upstream body, recorded chunk by chunk as `provider-chunk` while it is read. */
export async function* traceUpstreamChunks<C>(body: AsyncIterable<C>, trace: TraceRecorder): AsyncGenerator<C> {
  let index = 0;
  for await (const chunk of body) {
    trace.record("provider-chunk", chunk, { chunk: index++ });
    yield chunk;
  }
}
