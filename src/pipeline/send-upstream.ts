import { buildUpstreamRequest, type UpstreamRequestInput } from "../providers/index.js";
import { classifyUpstreamError, type UpstreamClient, type UpstreamResponse } from "../upstream/index.js";

/** What one upstream attempt needs beyond the request itself. */
export interface UpstreamAttemptContext {
  upstream: UpstreamClient;
  signal: AbortSignal;
  now: () => number;
  /** Overrides the client's body timeout (0 = off, for streams whose stall deadline the supervisor owns). */
  bodyTimeoutMs?: number;
}

/**
 * Builds and sends one provider request; an HTTP error status is read, classified through the one error table and
 * thrown as a GatewayError, so callers only ever see a successful response.
 */
export async function sendUpstream(input: UpstreamRequestInput, context: UpstreamAttemptContext): Promise<UpstreamResponse> {
  const request = buildUpstreamRequest(input);
  const response = await context.upstream.send(request, {
    signal: context.signal,
    ...(context.bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs: context.bodyTimeoutMs }),
  });
  if (response.status < 400) return response;
  const bodyText = await response.readText();
  const credential = input.credential ?? input.provider.credentials[0];
  throw classifyUpstreamError({
    status: response.status,
    headers: response.headers,
    bodyText,
    provider: input.provider,
    ...(credential === undefined ? {} : { credential }),
    now: context.now,
  });
}
