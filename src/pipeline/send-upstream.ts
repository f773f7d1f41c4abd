import { buildUpstreamRequest, type UpstreamRequest, type UpstreamRequestInput } from "../providers/index.js";
import { classifyUpstreamError, type UpstreamClient, type UpstreamResponse } from "../upstream/index.js";
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
 * Builds and sends one provider request; an HTTP error status is read, classified through the one error table and
 * thrown as a GatewayError, so callers only ever see a successful response.
 */
export async function sendUpstream(input: UpstreamRequestInput, context: UpstreamAttemptContext): Promise<UpstreamResponse> {
  const request = buildUpstreamRequest(input);
  const trace = context.trace ?? noTrace;
  const sent = trace.active ? describeRequest(request) : undefined;
  if (sent !== undefined) trace.record("provider-request", sent, { provider: request.providerId });
  let response: UpstreamResponse;
  try {
    response = await context.upstream.send(request, {
      signal: context.signal,
      ...(context.bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs: context.bodyTimeoutMs }),
    });
  } catch (error) {
    if (sent !== undefined) traceFailure(trace, input, request, sent, undefined, error);
    throw error;
  }
  if (response.status < 400) return trace.active ? tracedResponse(response, input.stream === true, trace) : response;
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
  if (sent !== undefined) traceFailure(trace, input, request, sent, { status: response.status, headers: response.headers, body: parseBody(bodyText) }, error);
  throw error;
}

type SentRequest = { url: string; method: string; headers: Record<string, string>; body: unknown };

/** The request as sent; the credential is in the headers, which the writers redact by name and by value. */
function describeRequest(request: UpstreamRequest): SentRequest {
  return { url: request.url, method: request.method, headers: request.headers, body: request.body === undefined ? undefined : parseBody(request.body) };
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
    provider: request.providerId,
    model: input.model,
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
