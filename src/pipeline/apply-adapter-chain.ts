import {
  openStreamAdapters,
  runRequestAdapters,
  runResponseAdapters,
  runStreamDataAdapters,
  type Adapter,
  type AdapterContext,
  type AdapterPassRecord,
  type AdapterStreamChain,
  type WireBody,
} from "../adapters/index.js";
import { GatewayError, type UnifiedWarning } from "../unified/index.js";
import { emptyAdapterPlan, type AdapterPlan } from "./plan-adapter-chain.js";
import type { TraceRecorder } from "./trace-recorder.js";

/** Where adapter passes are reported: warnings join the request's, passes with an effect go to the trace. */
export interface AdapterReportSink {
  warnings: UnifiedWarning[];
  trace?: TraceRecorder;
}

/**
 * Collects the passes' warnings and, when tracing, records every pass it is given, `changed: false` included: the
 * trace shows each adapter that ran, so "the adapter did nothing" is told apart from "the adapter never ran". Stream
 * chains hand over only the passes that changed or warned (one line per adapter per event would drown the trace).
 */
export function reportAdapterPasses(passes: readonly AdapterPassRecord[], warnings: readonly UnifiedWarning[], sink: AdapterReportSink): void {
  if (warnings.length > 0) sink.warnings.push(...warnings);
  if (sink.trace?.active !== true) return;
  for (const pass of passes) {
    sink.trace.record("adapter-pass", pass, { adapter: pass.adapter, side: pass.side, changed: pass.changes.length > 0 || pass.value !== undefined });
  }
}

/**
 * Traces what a `stream-via-nonstream` entry did to an attempt (it has no transform of its own to report): the
 * streamed request went upstream without streaming.
 */
export function reportViaNonStreamPass(plan: AdapterPlan, sink: AdapterReportSink): void {
  if (!plan.viaNonStream || sink.trace?.active !== true) return;
  const pass: AdapterPassRecord = { adapter: "stream-via-nonstream", side: "request", changes: [{ path: "stream", action: "set", detail: "false; the answer is re-emitted as a stream" }], warnings: [] };
  sink.trace.record("adapter-pass", pass, { adapter: pass.adapter, side: pass.side, changed: true });
}

/** The request side of the chain over an outgoing wire body. */
export function adaptRequestBody(plan: AdapterPlan, body: WireBody, context: AdapterContext, sink: AdapterReportSink): WireBody {
  if (!plan.request) return body;
  const result = runRequestAdapters(plan.adapters, body, context);
  reportAdapterPasses(result.passes, result.warnings, sink);
  return result.value;
}

/**
 * Whether a passthrough body text may be changed by the request side: false only when every request adapter
 * declared trigger substrings and none occurs, so the common passthrough body is never parsed for adapters.
 */
export function mayAdaptPassthroughText(plan: AdapterPlan, text: string | undefined): boolean {
  if (!plan.request) return false;
  const triggers = plan.passthroughTriggers;
  if (triggers === undefined || text === undefined) return true;
  for (const trigger of triggers) if (text.includes(trigger)) return true;
  return false;
}

/** The adapters whose response and stream sides this attempt needs (asked after the request side ran). */
export function engagedAdapters(plan: AdapterPlan, context: AdapterContext): readonly Adapter[] {
  if (!plan.answerSide) return emptyAdapterPlan.adapters;
  return plan.adapters.filter((adapter) => adapter.engaged?.(context) ?? true);
}

/** Whether any of the adapters transforms response bodies. */
export function hasResponseSide(adapters: readonly Adapter[]): boolean {
  return adapters.some((adapter) => adapter.response !== undefined);
}

/** The response side over the provider's JSON body (before decoding). */
export function adaptResponseBody(adapters: readonly Adapter[], body: unknown, context: AdapterContext, sink: AdapterReportSink): unknown {
  if (!hasResponseSide(adapters)) return body;
  if (typeof body !== "object" || body === null || Array.isArray(body)) return body;
  const result = runResponseAdapters(adapters, body as WireBody, context);
  reportAdapterPasses(result.passes, result.warnings, sink);
  return result.value;
}

/** The per-stream chain of the adapters that have a stream side, or undefined when none has. */
export function openAdapterStreams(adapters: readonly Adapter[], context: AdapterContext): AdapterStreamChain | undefined {
  if (!adapters.some((adapter) => adapter.openStream !== undefined)) return undefined;
  return openStreamAdapters(adapters, context);
}

/**
 * The wire-level stream side of a passthrough stream (adapters with `streamData`), or undefined when none has one:
 * complete SSE messages are cut from the outgoing text, each one naming a trigger is parsed and run through the
 * chain, and re-serialized only when a pass changed it (the provider's bytes otherwise). A partial message waits
 * for its end, so a rewrite never splits a frame; the text after the last complete message goes out at the end.
 */
export function openStreamDataRewrite(
  adapters: readonly Adapter[],
  context: AdapterContext,
  sink: AdapterReportSink,
): (<C extends Uint8Array | string>(chunks: AsyncIterable<C>) => AsyncGenerator<C | string>) | undefined {
  const rewriting = adapters.filter((adapter) => adapter.streamData !== undefined);
  if (rewriting.length === 0) return undefined;
  const triggers = rewriting.every((adapter) => adapter.streamDataTriggers !== undefined) ? rewriting.flatMap((adapter) => adapter.streamDataTriggers ?? []) : undefined;
  const rewriteMessage = (message: string): string => {
    if (triggers !== undefined && !triggers.some((trigger) => message.includes(trigger))) return message;
    const lines = message.split(/\r\n|\r|\n/);
    const dataLines = lines.filter((line) => line.startsWith("data:"));
    if (dataLines.length === 0) return message;
    let data: unknown;
    try {
      data = JSON.parse(dataLines.map((line) => line.slice(line.startsWith("data: ") ? 6 : 5)).join("\n"));
    } catch {
      return message; // `[DONE]` and anything else that is not JSON: the decoder's business, not ours
    }
    if (typeof data !== "object" || data === null || Array.isArray(data)) return message;
    const result = runStreamDataAdapters(rewriting, data as WireBody, context);
    if (result.value === data) return message;
    reportAdapterPasses(result.passes, result.warnings, sink);
    // Other fields (`event:`, `id:`) keep their place; the data, however many lines it had, becomes one line.
    const rebuilt: string[] = [];
    let placed = false;
    for (const line of lines) {
      if (!line.startsWith("data:")) rebuilt.push(line);
      else if (!placed) {
        rebuilt.push(`data: ${JSON.stringify(result.value)}`);
        placed = true;
      }
    }
    return rebuilt.join("\n");
  };
  return async function* (chunks) {
    const decoder = new TextDecoder();
    let pending = "";
    for await (const chunk of chunks) {
      pending += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
      let out = "";
      for (let end = pending.search(/\r\n\r\n|\n\n|\r\r/); end >= 0; end = pending.search(/\r\n\r\n|\n\n|\r\r/)) {
        const separator = pending.startsWith("\r\n\r\n", end) ? 4 : 2;
        out += rewriteMessage(pending.slice(0, end)) + pending.slice(end, end + separator);
        pending = pending.slice(end + separator);
      }
      if (out !== "") yield out;
    }
    pending += decoder.decode();
    if (pending !== "") yield pending;
  };
}

/** Asks the chain's `recover` hooks about an upstream failure; true when one wants the attempt tried once more. */
export function adaptersWantRetry(plan: AdapterPlan, error: unknown, context: AdapterContext): boolean {
  if (!plan.recover || !GatewayError.isInstance(error)) return false;
  let retry = false;
  // Every hook hears about the error (each may remember something), not only the first that asks for a retry.
  for (const adapter of plan.adapters) {
    try {
      if (adapter.recover?.(error, context) === true) retry = true;
    } catch {
      // A failing hook must not replace the upstream error the client is owed; it just does not retry.
    }
  }
  return retry;
}

/**
 * The sink of an attempt whose plan is empty: no adapter runs, so nothing is ever reported to it (its frozen list
 * would throw if something were). Lets the passthrough hot path skip building a sink per request.
 */
export const idleAdapterSink: AdapterReportSink = Object.freeze({ warnings: Object.freeze([]) as unknown as UnifiedWarning[] });
