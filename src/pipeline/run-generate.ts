import { getCodec } from "../protocols/index.js";
import type { ConfiguredProvider } from "../providers/index.js";
import { startStreamSupervisor, type StreamMetrics, type StreamSettings, type StreamSupervisor, type StreamTimeouts, type SupervisorClock } from "../streaming/index.js";
import type { AdapterContext } from "../adapters/index.js";
import { GatewayError, type ProtocolCodec, type UnifiedRequest, type UnifiedWarning, type Usage } from "../unified/index.js";
import {
  adaptersWantRetry,
  adaptRequestBody,
  adaptResponseBody,
  engagedAdapters,
  hasResponseSide,
  idleAdapterSink,
  mayAdaptPassthroughText,
  openAdapterStreams,
  openStreamDataRewrite,
  reportViaNonStreamPass,
  type AdapterReportSink,
} from "./apply-adapter-chain.js";
import { emptyAdapterPlan, type AdapterPlan, type AdapterPlanner } from "./plan-adapter-chain.js";
import type { GatewayCall, GatewayResult } from "./gateway-call.js";
import { passthroughStream } from "./passthrough-stream.js";
import { openFieldCacheRun, withFieldCache } from "./apply-field-cache.js";
import type { FieldCache } from "../field-cache/index.js";
import { prepareResponsesAttempt, withResponseId } from "./prepare-responses-attempt.js";
import { readUpstreamJson } from "./read-upstream-json.js";
import { passthroughBodyText } from "./replace-model-in-body.js";
import { sendUpstream, type UpstreamAnswer, type UpstreamAttemptContext } from "./send-upstream.js";
import type { StreamProgress } from "./stream-progress.js";
import { streamViaNonStream } from "./stream-via-nonstream.js";
import type { TraceRecorder } from "./trace-recorder.js";
import { translateStream, type StreamObserver } from "./translate-stream.js";

/** Where a generate call goes, decided by routing. */
export interface GenerateTarget {
  provider: ConfiguredProvider;
  upstreamModel: string;
}

/** What a generate run reports besides its result. */
export interface GenerateReport {
  passthrough: boolean;
  warnings: UnifiedWarning[];
  /** Set for streams: the supervisor's measurements and what reached the client, live while the stream flows. */
  stream?: { metrics: Readonly<StreamMetrics>; progress: StreamProgress };
  /** Set for non-streamed answers: the served attempt's usage, for the request log line (streams report it per event). */
  usage?: Usage | undefined;
}

/** What a generate attempt needs besides the upstream: the stream supervisor's settings and the request start. */
export interface GenerateContext extends UpstreamAttemptContext {
  streamTimeouts: StreamTimeouts;
  /** Request start on `now`'s scale: the TTFB deadline counts from here. */
  startedAt: number;
  /** Each target's adapter chain; absent = no adapters anywhere. */
  adapters?: AdapterPlanner;
  /** Provider state clients drop, replayed across turns; absent = off. Targets without rules pay nothing. */
  fieldCache?: FieldCache;
  /** The target provider's effective stream settings (`streamTimeouts` holds the same deadlines). */
  streamSettings?: StreamSettings;
  /**
   * What the attempt's stream progress starts with: whether reasoning counts as visible, the empty-stream retry, and
   * whether it continues a client stream that already got an earlier attempt's response start.
   */
  streamProgress?: Pick<StreamProgress, "reasoningVisible" | "onEmpty" | "continuing">;
}

const sseHeaders = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" };
const jsonHeaders = { "content-type": "application/json" };
/** The adapter context of attempts with no adapters: a placeholder nothing reads. */
const idleAdapterContext: AdapterContext = Object.freeze({ protocol: "openai-chat", provider: "", model: "", stream: false });

/**
 * One generate call on one target. Same protocol on both sides takes the passthrough path (body text sent with only
 * the model changed, response bytes piped back); otherwise the request is decoded, encoded for the provider, and
 * the response or stream translated back event by event. The target's adapters edit the outgoing wire body, the
 * provider's response body and the unified stream events; one of them may ask for one retry of the attempt after
 * an upstream error (tool-emulation, when a model rejects native tools).
 */
export function runGenerate(
  call: GatewayCall,
  requestBody: Record<string, unknown>,
  target: GenerateTarget,
  context: GenerateContext,
  report: GenerateReport,
  observer: StreamObserver = {},
): Promise<GatewayResult> {
  let plan: AdapterPlan;
  try {
    plan = context.adapters?.(target.provider, target.upstreamModel) ?? emptyAdapterPlan;
  } catch (error) {
    return Promise.reject(error);
  }
  // Not async itself: without a recovering adapter (the usual case) the attempt's own promise is returned, not wrapped.
  if (!plan.recover) return runGenerateOnce(call, requestBody, target, context, report, observer, plan);
  // An adapter of the chain may ask for one retry of the attempt after an upstream error.
  const once = (): Promise<GatewayResult> => runGenerateOnce(call, requestBody, target, context, report, observer, plan);
  return (async () => {
    const warningsBefore = report.warnings.length;
    try {
      return await once();
    } catch (error) {
      const stream = call.stream ?? requestBody["stream"] === true;
      const adapterContext = { protocol: target.provider.protocol, provider: target.provider.id, model: target.upstreamModel, stream, now: context.now };
      if (context.signal.aborted || !adaptersWantRetry(plan, error, adapterContext)) throw error;
      context.trace?.record("adapter-pass", { retry: "requested by an adapter after the upstream error" }, { side: "recover" });
      // The retry decodes and adapts again; the failed try's warnings would otherwise be reported twice.
      report.warnings.length = warningsBefore;
      return once();
    }
  })();
}

async function runGenerateOnce(
  call: GatewayCall,
  requestBody: Record<string, unknown>,
  target: GenerateTarget,
  context: GenerateContext,
  report: GenerateReport,
  observer: StreamObserver,
  plan: AdapterPlan,
): Promise<GatewayResult> {
  const clientCodec = getCodec(call.protocol);
  const upstreamProtocol = target.provider.protocol;
  const stream = call.stream ?? requestBody["stream"] === true;
  // A provider (stream setting) or model (`stream-via-nonstream` adapter) with broken streaming gets a
  // non-streaming call, decoded and re-emitted as stream events.
  const viaNonStream = stream && (context.streamSettings?.viaNonStream === true || plan.viaNonStream);
  const sink: AdapterReportSink = plan.adapters.length === 0 ? idleAdapterSink : context.trace === undefined ? { warnings: report.warnings } : { warnings: report.warnings, trace: context.trace };
  // Responses continuation: the body (pass-through or replayed history) and the response id depend on the target.
  const { body, rawBody, responseId } = prepareResponsesAttempt(call, requestBody, target.provider);

  if (upstreamProtocol === call.protocol && !viaNonStream) {
    report.passthrough = true;
    // With no adapter that could act on this body (the common case) the body text is never parsed or rebuilt, and
    // the context is never read when no adapter runs on the request or the answer (every helper returns before it looks).
    const adapting = mayAdaptPassthroughText(plan, rawBody);
    const adapterContext: AdapterContext = adapting || plan.answerSide ? { protocol: upstreamProtocol, provider: target.provider.id, model: target.upstreamModel, stream, now: context.now } : idleAdapterContext;
    // Adapters, then the field cache (DESIGN's order, as on the translated path: provider state written back goes
    // out whatever a configured adapter renames or drops), both on the parsed body the server already has. The
    // client's text goes out (model replaced) when neither changed anything.
    const adapted = adapting ? adaptPassthroughBody(plan, call, body, target.upstreamModel, adapterContext, sink) : body;
    const fieldCache = openFieldCacheRun(context, call, body, target, clientCodec);
    const outgoing = fieldCache === undefined ? adapted : await fieldCache.prepareRequest(adapted);
    // An adapted body already carries its model (routed, or set by model-override); otherwise routing sets it.
    const text = adapted === body ? passthroughBodyText(call.protocol, outgoing === body ? rawBody : undefined, outgoing, target.upstreamModel) : JSON.stringify(outgoing);
    const engaged = engagedAdapters(plan, adapterContext);
    const input = { provider: target.provider, model: target.upstreamModel, operation: "generate", stream, body: text, clientHeaders: call.headers } as const;
    if (!stream) {
      const response = await sendUpstream(input, context);
      if (!hasResponseSide(engaged)) {
        const answer = await response.readText();
        if (response.reportFailure !== undefined) inspectPassthroughAnswer(response, answer, clientCodec, target.provider.id);
        await fieldCache?.readResponseText(answer);
        report.usage = clientCodec.readResponseUsage(answer);
        return { kind: "bytes", status: 200, headers: jsonHeaders, body: answer };
      }
      // A response adapter needs the body as a value; when it changes nothing the provider's bytes still go out.
      const parsed = await reportingFailure(response, () => readUpstreamJson(response, target.provider.id));
      if (response.reportFailure !== undefined) inspectPassthroughAnswer(response, parsed, clientCodec, target.provider.id);
      await fieldCache?.readResponse(parsed);
      // An adapter may refuse the answer (tool-args-repair); with dumps on, that exchange is dumped like an undecodable one.
      const answerBody = response.reportFailure === undefined ? adaptResponseBody(engaged, parsed, adapterContext, sink) : await reportingFailure(response, () => adaptResponseBody(engaged, parsed, adapterContext, sink));
      report.usage = readDecodedUsage(clientCodec, answerBody);
      return { kind: "json", status: 200, headers: jsonHeaders, body: answerBody };
    }
    const adapterStreams = openAdapterStreams(engaged, adapterContext);
    // Wire-level renames (reasoning-normalize) edit what the client reads, so they run on the outgoing text.
    const rewrite = plan.adapters.length === 0 ? undefined : openStreamDataRewrite(engaged, adapterContext, sink);
    const { supervisor, progress } = superviseAttempt(target, context, report);
    const response = await sendSupervised(input, context, supervisor);
    if (adapterStreams === undefined) {
      const piped = passthroughStream(supervisor.supervise(response.body), clientCodec, reportErrorEvents(response, fieldCache?.observe(observer) ?? observer), progress);
      return { kind: "stream", status: 200, headers: sseHeaders, chunks: reportThrown(response, withFieldCache(fieldCache, rewrite === undefined ? piped : rewrite(piped))) };
    }
    // Stream adapters edit unified events, so this stream leaves the byte pipe: the same protocol decodes and
    // re-encodes it (unknown events of the upstream are not carried over; only chains with stream adapters pay that).
    const sameProtocolRequest = decodeClientRequest(clientCodec, call, body, stream, { warnings: [] });
    const chunks = translateStream(supervisor.supervise(response.body), clientCodec, clientCodec, { request: sameProtocolRequest, now: context.now }, reportErrorEvents(response, fieldCache?.observe(observer) ?? observer), progress, { chain: adapterStreams, sink });
    return { kind: "stream", status: 200, headers: sseHeaders, chunks: reportThrown(response, withFieldCache(fieldCache, rewrite === undefined ? chunks : rewrite(chunks))) };
  }

  const clientRequest = decodeClientRequest(clientCodec, call, body, stream, report);
  context.trace?.record("unified-request", clientRequest);
  const upstreamCodec = withResponseId(getCodec(upstreamProtocol), responseId);
  const encoded = upstreamCodec.encodeRequest({ ...clientRequest, ...(viaNonStream ? { stream: false } : {}), model: target.upstreamModel });
  report.warnings.push(...encoded.warnings);
  const adapterContext: AdapterContext = { protocol: upstreamProtocol, provider: target.provider.id, model: target.upstreamModel, stream, request: clientRequest, now: context.now };
  const fieldCache = openFieldCacheRun(context, call, body, target, upstreamCodec);
  const adaptedBody = adaptRequestBody(plan, encoded.value, adapterContext, sink);
  const wireBody = fieldCache === undefined ? adaptedBody : await fieldCache.prepareRequest(adaptedBody);
  const engaged = plan.adapters.length === 0 ? plan.adapters : engagedAdapters(plan, adapterContext);
  const input = { provider: target.provider, model: target.upstreamModel, operation: "generate", stream, body: wireBody, clientHeaders: call.headers } as const;
  if (viaNonStream) {
    reportViaNonStreamPass(plan, sink);
    const { supervisor, progress } = superviseAttempt(target, context, report);
    const warnings = { push: (...found: UnifiedWarning[]) => report.warnings.push(...found) };
    const streamed = streamViaNonStream({
      input: { ...input, stream: false },
      upstreamCodec,
      clientCodec,
      encodeOptions: { request: clientRequest, now: context.now },
      context,
      supervisor,
      progress,
      observer: {
        ...traceEvents(fieldCache?.observe(observer) ?? observer, context.trace),
        onWarnings: (found) => {
          warnings.push(...found);
          observer.onWarnings?.(found);
        },
      },
      warnings,
      adaptResponse: (json) => adaptResponseBody(engaged, json, adapterContext, sink),
    });
    return { ...streamed, chunks: withFieldCache(fieldCache, streamed.chunks) };
  }
  const adapterStreams = stream ? openAdapterStreams(engaged, adapterContext) : undefined;
  const attempt = stream ? superviseAttempt(target, context, report) : undefined;
  const supervisor = attempt?.supervisor;
  const response = supervisor === undefined ? await sendUpstream(input, context) : await sendSupervised(input, context, supervisor);
  const encodeOptions = { request: clientRequest, now: context.now };
  if (supervisor === undefined) {
    const answer = await reportingFailure(response, () => readUpstreamJson(response, target.provider.id));
    await fieldCache?.readResponse(answer);
    const upstreamBody = response.reportFailure === undefined ? adaptResponseBody(engaged, answer, adapterContext, sink) : await reportingFailure(response, () => adaptResponseBody(engaged, answer, adapterContext, sink));
    const decoded = response.reportFailure === undefined ? upstreamCodec.decodeResponse(upstreamBody) : await reportingFailure(response, () => upstreamCodec.decodeResponse(upstreamBody));
    context.trace?.record("unified-response", decoded.value);
    const clientBody = clientCodec.encodeResponse(decoded.value, encodeOptions);
    report.warnings.push(...decoded.warnings, ...clientBody.warnings);
    report.usage = decoded.value.usage;
    return { kind: "json", status: 200, headers: jsonHeaders, body: clientBody.value };
  }
  const chunks = translateStream(supervisor.supervise(response.body), upstreamCodec, clientCodec, encodeOptions, reportErrorEvents(response, {
    ...traceEvents(fieldCache?.observe(observer) ?? observer, context.trace),
    onWarnings: (warnings) => {
      report.warnings.push(...warnings);
      observer.onWarnings?.(warnings);
    },
  }), attempt?.progress, adapterStreams === undefined ? undefined : { chain: adapterStreams, sink });
  return { kind: "stream", status: 200, headers: sseHeaders, chunks: reportThrown(response, withFieldCache(fieldCache, chunks)) };
}

/**
 * The passthrough body after the request side of the chain: the parsed client body (already in hand, so nothing is
 * parsed again) with the routed model, adapted; `body` itself when no adapter changed anything, so the client's text
 * can go out with only the model changed.
 */
function adaptPassthroughBody(plan: AdapterPlan, call: GatewayCall, body: Record<string, unknown>, upstreamModel: string, context: AdapterContext, sink: AdapterReportSink): Record<string, unknown> {
  // Gemini names the model in the URL; its body has none to replace.
  const routed = call.protocol === "gemini" || body["model"] === upstreamModel ? body : { ...body, model: upstreamModel };
  const adapted = adaptRequestBody(plan, routed, context, sink);
  return adapted === routed ? body : adapted;
}

/*
 * Failure dumps for what goes wrong after the provider answered 200 (SWITCHYARD_DUMP_FAILURES): each helper is one
 * property check when dumps are off (`reportFailure` absent), and never changes what the client gets.
 */

/** Runs `read`; a failure (an error body, a body that does not decode) is dumped, then thrown as before. */
async function reportingFailure<T>(response: UpstreamAnswer, read: () => T | Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    response.reportFailure?.(error);
    throw error;
  }
}

/**
 * A passthrough JSON answer goes to the client as the provider sent it, so nothing decodes it; with dumps on it is
 * decoded once here, to dump a 200 whose body is an error (decoders throw those) or is not JSON at all.
 */
function inspectPassthroughAnswer(response: UpstreamAnswer, answer: unknown, codec: ProtocolCodec, providerId: string): void {
  let body = answer;
  if (typeof answer === "string") {
    try {
      body = JSON.parse(answer) as unknown;
    } catch {
      response.reportFailure?.(new GatewayError("upstream_server", `provider "${providerId}" answered with a body that is not JSON`, { provider: providerId, upstreamStatus: response.status }));
      return;
    }
  }
  try {
    codec.decodeResponse(body);
  } catch (error) {
    response.reportFailure?.(error);
  }
}

/** The observer, also dumping the first in-stream error event (an upstream error, a stall or early close after output). */
function reportErrorEvents(response: UpstreamAnswer, observer: StreamObserver): StreamObserver {
  const reportFailure = response.reportFailure;
  if (reportFailure === undefined) return observer;
  return {
    ...observer,
    onEvent(event) {
      if (event.type === "error") reportFailure(event.error);
      observer.onEvent?.(event);
    },
  };
}

/** The client chunks, dumping a failure thrown before any output (in-band error first, empty stream, TTFB, stall). */
function reportThrown<C>(response: UpstreamAnswer, chunks: AsyncIterable<C>): AsyncIterable<C> {
  const reportFailure = response.reportFailure;
  if (reportFailure === undefined) return chunks;
  return (async function* () {
    try {
      yield* chunks;
    } catch (error) {
      reportFailure(error);
      throw error;
    }
  })();
}

/** The observer, also recording each unified stream event when the request is traced. */
function traceEvents(observer: StreamObserver, trace: TraceRecorder | undefined): StreamObserver {
  if (trace?.active !== true) return observer;
  return {
    ...observer,
    onEvent(event) {
      trace.record("unified-response", event, { event: event.type });
      observer.onEvent?.(event);
    },
  };
}

// Looked up at call time (not bound at import) so that fake timers installed later still apply; shared by every attempt.
const setTimer = (callback: () => void, ms: number): unknown => setTimeout(callback, ms);
const clearTimer = (handle: unknown): void => clearTimeout(handle as NodeJS.Timeout);

/** The supervisor's clock over a context's `now`, made once per `now` (an engine has one) rather than per attempt. */
const clocks = new WeakMap<() => number, SupervisorClock>();
function clockOf(now: () => number): SupervisorClock {
  let clock = clocks.get(now);
  if (clock === undefined) {
    clock = { now, setTimeout: setTimer, clearTimeout: clearTimer };
    clocks.set(now, clock);
  }
  return clock;
}

/** One supervisor per upstream attempt, started before the request is sent so TTFB covers the header wait too. */
function superviseAttempt(target: GenerateTarget, context: GenerateContext, report: GenerateReport): { supervisor: StreamSupervisor; progress: StreamProgress } {
  const { ttfbMs, stallMs, heartbeatMs } = context.streamTimeouts;
  // One literal with the deadlines only (the timeouts object may be the provider's whole stream settings).
  const supervisor = startStreamSupervisor({ ttfbMs, stallMs, heartbeatMs, signal: context.signal, startedAt: context.startedAt, provider: target.provider.id, clock: clockOf(context.now) });
  const progress: StreamProgress = { sent: false, ...context.streamProgress };
  report.stream = { metrics: supervisor.metrics, progress };
  return { supervisor, progress };
}

/**
 * Sends under the supervisor's signal (TTFB, client disconnect). undici's own body timeout is switched off: the
 * supervisor owns the stall deadline, and two timers racing would make the error code a coin toss.
 */
async function sendSupervised(input: Parameters<typeof sendUpstream>[0], context: GenerateContext, supervisor: StreamSupervisor) {
  try {
    return await sendUpstream(input, { upstream: context.upstream, signal: supervisor.signal, now: context.now, bodyTimeoutMs: 0, trace: context.trace });
  } catch (error) {
    supervisor.release();
    throw error;
  }
}

/** The client's body as a unified request, with what the URL decides (Gemini model and streaming) applied. */
export function decodeClientRequest(
  codec: ProtocolCodec,
  call: GatewayCall,
  body: Record<string, unknown>,
  stream: boolean,
  report: { warnings: UnifiedWarning[] },
): UnifiedRequest {
  const decoded = codec.decodeRequest(body);
  report.warnings.push(...decoded.warnings);
  return { ...decoded.value, stream, ...(call.model === undefined ? {} : { model: call.model }) };
}

/** Usage of an adapted passthrough answer (already a value); a body the codec cannot read only costs the log its usage. */
function readDecodedUsage(codec: ProtocolCodec, body: unknown): Usage | undefined {
  try {
    return codec.decodeResponse(body).value.usage;
  } catch {
    return undefined;
  }
}
