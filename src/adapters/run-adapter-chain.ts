import { GatewayError, type StreamEvent, type UnifiedWarning } from "../unified/index.js";
import type { Adapter, AdapterChange, AdapterContext, AdapterPass, WireBody } from "./adapter.js";

/** One adapter pass as the transaction trace records it. */
export interface AdapterPassRecord {
  adapter: string;
  side: "request" | "response" | "stream";
  changes: AdapterChange[];
  warnings: UnifiedWarning[];
  /** The value after this pass, only when it changed (the trace writes it; unchanged passes cost nothing). */
  value?: unknown;
}

/** The chain's output, every pass (which names its adapter), and all warnings in pass order. */
export interface AdapterChainResult<T> {
  value: T;
  passes: AdapterPassRecord[];
  warnings: UnifiedWarning[];
}

/** An adapter bug must not escape as a bare Error (only GatewayError is thrown); name the adapter so it can be disabled. */
function guard<T>(adapter: Adapter, side: AdapterPassRecord["side"], run: () => AdapterPass<T>): AdapterPass<T> {
  try {
    return run();
  } catch (error) {
    if (GatewayError.isInstance(error)) throw error;
    throw new GatewayError("internal", `adapter "${adapter.name}" failed on the ${side} side: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function runBodyChain(chain: readonly Adapter[], side: "request" | "response" | "stream-data", body: WireBody, context: AdapterContext): AdapterChainResult<WireBody> {
  let value = body;
  const passes: AdapterPassRecord[] = [];
  const warnings: UnifiedWarning[] = [];
  for (const adapter of chain) {
    const transform = side === "request" ? adapter.request : side === "response" ? adapter.response : adapter.streamData;
    if (transform === undefined) continue;
    const recordSide = side === "stream-data" ? "stream" : side;
    const pass = guard(adapter, recordSide, () => transform.call(adapter, value, context));
    const record: AdapterPassRecord = { adapter: adapter.name, side: recordSide, changes: pass.changes, warnings: pass.warnings };
    if (pass.value !== value) record.value = pass.value;
    passes.push(record);
    warnings.push(...pass.warnings);
    value = pass.value;
  }
  return { value, passes, warnings };
}

/** Runs the request side of every adapter, in order, over the outgoing wire body. */
export function runRequestAdapters(chain: readonly Adapter[], body: WireBody, context: AdapterContext): AdapterChainResult<WireBody> {
  return runBodyChain(chain, "request", body, context);
}

/** Runs the response side of every adapter, in chain order, over the provider's wire response body. */
export function runResponseAdapters(chain: readonly Adapter[], body: WireBody, context: AdapterContext): AdapterChainResult<WireBody> {
  return runBodyChain(chain, "response", body, context);
}

/** Runs the wire-level stream side (`streamData`) of every adapter, in chain order, over one SSE message's JSON data. */
export function runStreamDataAdapters(chain: readonly Adapter[], data: WireBody, context: AdapterContext): AdapterChainResult<WireBody> {
  return runBodyChain(chain, "stream-data", data, context);
}

/** A stream chain: events go through each adapter's stream in order; passes are recorded only when they changed something. */
export interface AdapterStreamChain {
  push(event: StreamEvent): AdapterChainResult<StreamEvent[]>;
  end(): AdapterChainResult<StreamEvent[]>;
}

/** Opens one per-stream instance of every adapter that has a stream side. */
export function openStreamAdapters(chain: readonly Adapter[], context: AdapterContext): AdapterStreamChain {
  const streams = chain.flatMap((adapter) => (adapter.openStream === undefined ? [] : [{ adapter, stream: adapter.openStream(context) }]));
  const feed = (events: StreamEvent[], passes: AdapterPassRecord[], warnings: UnifiedWarning[]): StreamEvent[] => {
    let current = events;
    for (const { adapter, stream } of streams) {
      const next: StreamEvent[] = [];
      for (const event of current) {
        const pass = guard(adapter, "stream", () => stream.push(event));
        record(adapter, pass, passes, warnings);
        next.push(...pass.value);
      }
      current = next;
    }
    return current;
  };
  return {
    push(event) {
      const passes: AdapterPassRecord[] = [];
      const warnings: UnifiedWarning[] = [];
      return { value: feed([event], passes, warnings), passes, warnings };
    },
    end() {
      const passes: AdapterPassRecord[] = [];
      const warnings: UnifiedWarning[] = [];
      const out: StreamEvent[] = [];
      // Each adapter's held-back events still pass through the adapters after it, then those end in turn.
      let pending: StreamEvent[] = [];
      streams.forEach(({ adapter, stream }, position) => {
        const pushed: StreamEvent[] = [];
        for (const event of pending) {
          const pass = guard(adapter, "stream", () => stream.push(event));
          record(adapter, pass, passes, warnings);
          pushed.push(...pass.value);
        }
        const ended = guard(adapter, "stream", () => stream.end());
        record(adapter, ended, passes, warnings);
        pending = [...pushed, ...ended.value];
        if (position === streams.length - 1) out.push(...pending);
      });
      return { value: streams.length === 0 ? [] : out, passes, warnings };
    },
  };
}

function record(adapter: Adapter, pass: AdapterPass<StreamEvent[]>, passes: AdapterPassRecord[], warnings: UnifiedWarning[]): void {
  if (pass.changes.length === 0 && pass.warnings.length === 0) return;
  passes.push({ adapter: adapter.name, side: "stream", changes: pass.changes, warnings: pass.warnings, value: pass.value });
  warnings.push(...pass.warnings);
}
