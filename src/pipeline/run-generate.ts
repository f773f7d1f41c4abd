import { getCodec } from "../protocols/index.js";
import type { ConfiguredProvider } from "../providers/index.js";
import { startStreamSupervisor, type StreamMetrics, type StreamSupervisor, type StreamTimeouts } from "../streaming/index.js";
import type { ProtocolCodec, UnifiedRequest, UnifiedWarning } from "../unified/index.js";
import type { GatewayCall, GatewayResult } from "./gateway-call.js";
import { passthroughStream } from "./passthrough-stream.js";
import { prepareResponsesAttempt, withResponseId } from "./prepare-responses-attempt.js";
import { readUpstreamJson } from "./read-upstream-json.js";
import { passthroughBodyText } from "./replace-model-in-body.js";
import { sendUpstream, type UpstreamAttemptContext } from "./send-upstream.js";
import type { StreamProgress } from "./stream-progress.js";
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
}

/** What a generate attempt needs besides the upstream: the stream supervisor's settings and the request start. */
export interface GenerateContext extends UpstreamAttemptContext {
  streamTimeouts: StreamTimeouts;
  /** Request start on `now`'s scale: the TTFB deadline counts from here. */
  startedAt: number;
}

const sseHeaders = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" };
const jsonHeaders = { "content-type": "application/json" };

/**
 * One generate call on one target. Same protocol on both sides takes the passthrough path (body text sent with only
 * the model changed, response bytes piped back); otherwise the request is decoded, encoded for the provider, and
 * the response or stream translated back event by event.
 */
export async function runGenerate(
  call: GatewayCall,
  requestBody: Record<string, unknown>,
  target: GenerateTarget,
  context: GenerateContext,
  report: GenerateReport,
  observer: StreamObserver = {},
): Promise<GatewayResult> {
  const clientCodec = getCodec(call.protocol);
  const upstreamProtocol = target.provider.protocol;
  const stream = call.stream ?? requestBody["stream"] === true;
  // Responses continuation: the body (pass-through or replayed history) and the response id depend on the target.
  const { body, rawBody, responseId } = prepareResponsesAttempt(call, requestBody, target.provider);

  if (upstreamProtocol === call.protocol) {
    report.passthrough = true;
    const text = passthroughBodyText(call.protocol, rawBody, body, target.upstreamModel);
    const input = { provider: target.provider, model: target.upstreamModel, operation: "generate", stream, body: text, clientHeaders: call.headers } as const;
    if (!stream) {
      const response = await sendUpstream(input, context);
      return { kind: "bytes", status: 200, headers: jsonHeaders, body: await response.readText() };
    }
    const { supervisor, progress } = superviseAttempt(target, context, report);
    const response = await sendSupervised(input, context, supervisor);
    return { kind: "stream", status: 200, headers: sseHeaders, chunks: passthroughStream(supervisor.supervise(response.body), clientCodec, observer, progress) };
  }

  const clientRequest = decodeClientRequest(clientCodec, call, body, stream, report);
  context.trace?.record("unified-request", clientRequest);
  const upstreamCodec = withResponseId(getCodec(upstreamProtocol), responseId);
  const encoded = upstreamCodec.encodeRequest({ ...clientRequest, model: target.upstreamModel });
  report.warnings.push(...encoded.warnings);
  const input = { provider: target.provider, model: target.upstreamModel, operation: "generate", stream, body: encoded.value, clientHeaders: call.headers } as const;
  const attempt = stream ? superviseAttempt(target, context, report) : undefined;
  const supervisor = attempt?.supervisor;
  const response = supervisor === undefined ? await sendUpstream(input, context) : await sendSupervised(input, context, supervisor);
  const encodeOptions = { request: clientRequest, now: context.now };
  if (supervisor === undefined) {
    const decoded = upstreamCodec.decodeResponse(await readUpstreamJson(response, target.provider.id));
    context.trace?.record("unified-response", decoded.value);
    const clientBody = clientCodec.encodeResponse(decoded.value, encodeOptions);
    report.warnings.push(...decoded.warnings, ...clientBody.warnings);
    return { kind: "json", status: 200, headers: jsonHeaders, body: clientBody.value };
  }
  const chunks = translateStream(supervisor.supervise(response.body), upstreamCodec, clientCodec, encodeOptions, {
    ...traceEvents(observer, context.trace),
    onWarnings: (warnings) => {
      report.warnings.push(...warnings);
      observer.onWarnings?.(warnings);
    },
  }, attempt?.progress);
  return { kind: "stream", status: 200, headers: sseHeaders, chunks };
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

/** One supervisor per upstream attempt, started before the request is sent so TTFB covers the header wait too. */
function superviseAttempt(target: GenerateTarget, context: GenerateContext, report: GenerateReport): { supervisor: StreamSupervisor; progress: StreamProgress } {
  const supervisor = startStreamSupervisor({
    ...context.streamTimeouts,
    signal: context.signal,
    startedAt: context.startedAt,
    provider: target.provider.id,
    clock: { now: context.now, setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout) },
  });
  const progress: StreamProgress = { sent: false };
  report.stream = { metrics: supervisor.metrics, progress };
  return { supervisor, progress };
}

/**
 * Sends under the supervisor's signal (TTFB, client disconnect). undici's own body timeout is switched off: the
 * supervisor owns the stall deadline, and two timers racing would make the error code a coin toss.
 */
async function sendSupervised(input: Parameters<typeof sendUpstream>[0], context: GenerateContext, supervisor: StreamSupervisor) {
  try {
    return await sendUpstream(input, { ...context, signal: supervisor.signal, bodyTimeoutMs: 0 });
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
