import { buildUpstreamRequest, type UpstreamRequest, type UpstreamRequestInput } from "../providers/index.js";
import { classifyUpstreamError, type UpstreamClient, type UpstreamResponse } from "../upstream/index.js";
import { GatewayError, type SerializedGatewayError } from "../unified/index.js";
import { noTrace, traceUpstreamChunks, type TraceRecorder } from "./trace-recorder.js";

/** What one upstream attempt needs beyond the request itself. */
export interface UpstreamAttemptContext {
  upstream: UpstreamClient;
  signal: AbortSignal;
  now: () => number;
  /** Overrides the client's body timeout (0 = off, for streams whose stall deadline the supervisor owns). */
  bodyTimeoutMs?: number;
  /** The request's transaction trace (`noTrace` when absent). */
  trace?: TraceRecorder;
}

/**
 * A successful upstream response that may still turn out to be a failure: a 200 whose body is an error or does not
 * decode, an in-stream error event, a stall or an early close. Present only when failure dumps are on:
 * `reportFailure` then dumps the exchange (once; later reports are ignored), with the body as read so far.
 */
export interface UpstreamAnswer extends UpstreamResponse {
  reportFailure?(error: unknown): void;
}

/**
 * Builds and sends one provider request; an HTTP error status is read, classified through the one error table and
 * thrown as a GatewayError, so callers only ever see a successful response.
 */
export async function sendUpstream(input: UpstreamRequestInput, context: UpstreamAttemptContext): Promise<UpstreamAnswer> {
  const request = buildUpstreamRequest(input);
  const trace = context.trace ?? noTrace;
  const sent = trace.active ? describeRequest(request) : undefined;
  // The routing facts ride along so `switchyard replay` can re-send this request (src/cli/replay-command.ts).
  if (sent !== undefined) trace.record("provider-request", sent, describeRoute(input, request));
  let response: UpstreamResponse;
  try {
    response = await context.upstream.send(request, context.bodyTimeoutMs === undefined ? { signal: context.signal } : { signal: context.signal, bodyTimeoutMs: context.bodyTimeoutMs });
  } catch (error) {
    if (sent !== undefined || trace.dumpsFailures === true) traceFailure(trace, input, request, sent ?? describeRequest(request), undefined, error);
    throw error;
  }
  if (response.status < 400) {
    const answer = trace.active ? tracedResponse(response, input.stream === true, trace) : response;
    return trace.dumpsFailures === true ? watchedResponse(answer, trace, input, request, sent) : answer;
  }
  const bodyText = await response.readText();
  const credential = input.credential ?? input.provider.credentials[0];
  const error = classifyUpstreamError({
    status: response.status,
    headers: response.headers,
    bodyText,
    provider: input.provider,
    ...(credential === undefined ? {} : { credential }),
    now: context.now,
  });
  if (sent !== undefined || trace.dumpsFailures === true) {
    traceFailure(trace, input, request, sent ?? describeRequest(request), { status: response.status, headers: response.headers, body: parseBody(bodyText) }, error);
  }
  throw error;
}

type SentRequest = { url: string; method: string; headers: Record<string, string>; body: unknown };

/** The request as sent; the credential is in the headers, which the writers redact by name and by value. */
function describeRequest(request: UpstreamRequest): SentRequest {
  return { url: request.url, method: request.method, headers: request.headers, body: request.body === undefined ? undefined : parseBody(request.body) };
}

/** Provider, protocol, model, operation and stream of one upstream request, as trace fields and dump fields. */
function describeRoute(input: UpstreamRequestInput, request: UpstreamRequest): { provider: string; protocol: string; model: string; operation: string; stream: boolean } {
  return { provider: request.providerId, protocol: input.protocol ?? input.provider.protocol, model: input.model, operation: input.operation, stream: input.stream === true };
}

function traceFailure(
  trace: TraceRecorder,
  input: UpstreamRequestInput,
  request: UpstreamRequest,
  sent: SentRequest,
  response: { status: number; headers: Readonly<Record<string, string>>; body: unknown } | undefined,
  error: unknown,
): void {
  if (response !== undefined) trace.record("provider-response", response, { status: response.status });
  trace.record("error", error, { stage: "upstream" });
  trace.failedUpstream({
    ...describeRoute(input, request),
    ...(request.credentialId === undefined ? {} : { credentialId: request.credentialId }),
    request: sent,
    ...(response === undefined ? {} : { response: { ...response } }),
    error,
  });
}

/** The response with its body recorded as it is read: whole for JSON, chunk by chunk for streams. */
function tracedResponse(response: UpstreamResponse, stream: boolean, trace: TraceRecorder): UpstreamResponse {
  const head = { status: response.status, headers: response.headers };
  if (stream) {
    trace.record("provider-response", head, { status: response.status });
    return { ...response, body: traceUpstreamChunks(response.body, trace) };
  }
  return {
    ...response,
    readText: async () => {
      const text = await response.readText();
      trace.record("provider-response", { ...head, body: parseBody(text) }, { status: response.status });
      return text;
    },
  };
}

/** JSON bodies as values (so secret-named keys are redacted by name and the trace reads well), anything else as text. */
function parseBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Most text of a successful body kept for a late failure's dump: a stream's last bytes say the most. */
const lateFailureBodyChars = 64 * 1024;

/**
 * The response with its body text kept (a stream's last `lateFailureBodyChars` characters) and `reportFailure`
 * dumping the exchange with it. Client disconnects are not upstream failures and are not dumped.
 */
function watchedResponse(response: UpstreamResponse, trace: TraceRecorder, input: UpstreamRequestInput, request: UpstreamRequest, sent: SentRequest | undefined): UpstreamAnswer {
  let text = "";
  let reported = false;
  const decoder = new TextDecoder();
  const keep = (more: string): void => {
    text = (text + more).slice(-lateFailureBodyChars);
  };
  const body = response.body;
  return {
    ...response,
    body: (async function* () {
      for await (const chunk of body) {
        keep(decoder.decode(chunk, { stream: true }));
        yield chunk;
      }
    })(),
    readText: async () => {
      const whole = await response.readText();
      keep(whole);
      return whole;
    },
    reportFailure(error) {
      const code = GatewayError.isInstance(error) ? error.code : (error as Partial<SerializedGatewayError> | undefined)?.code;
      if (reported || code === "client_closed") return;
      reported = true;
      trace.failedUpstream({
        ...describeRoute(input, request),
        ...(request.credentialId === undefined ? {} : { credentialId: request.credentialId }),
        request: sent ?? describeRequest(request),
        response: { status: response.status, headers: response.headers, body: parseBody(text) },
        error,
      });
    },
  };
}

