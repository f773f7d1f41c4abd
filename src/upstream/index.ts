/**
 * Upstream: the undici client (keep-alive pools per origin, timeouts, abort) that also dispatches to in-process
 * transports, the HTTP error classifier, and rate-limit header reading.
 */
export {
  createUpstreamClient,
  type SendOptions,
  type UpstreamClient,
  type UpstreamClientOptions,
  type UpstreamResponse,
} from "./create-upstream-client.js";
export { mapTransportError, type TransportErrorContext } from "./map-transport-error.js";
export { classifyUpstreamError, type UpstreamErrorInput } from "./classify-upstream-error.js";
export { parseDuration, parseResetHint, parseRetryAfter } from "./parse-retry-after.js";
export { readUpstreamErrorBody, type UpstreamErrorDetails } from "./read-upstream-error-body.js";
export { excerptUpstreamText, redactUpstreamText } from "./redact-upstream-text.js";
export { redactUpstreamRequest, type RedactedUpstreamRequest } from "./redact-upstream-request.js";
export { parseResetDuration, readRateLimit, readRateLimitHeaders } from "./read-rate-limit-headers.js";
export { createModelListFetcher } from "./create-model-list-fetcher.js";
export { observeUpstreamResponses, reportUpstreamResponse, type UpstreamResponseObserver } from "./observe-upstream-responses.js";
