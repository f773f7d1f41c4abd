import { GatewayError, defaultHttpStatusByCode, type GatewayErrorCode, type SerializedGatewayError } from "../../unified/index.js";
import { isWireObject } from "../common/index.js";

/**
 * Gemini errors are `google.rpc.Status` objects: `{error: {code: <http status>, message, status: <canonical code>}}`.
 * @see https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes
 * @see https://cloud.google.com/apis/design/errors#error_codes
 */
export function mapGatewayCodeToGeminiStatus(code: GatewayErrorCode): string {
  switch (code) {
    case "invalid_request":
    case "context_length":
    case "content_filter":
    case "unsupported_feature":
      return "INVALID_ARGUMENT";
    case "authentication":
      return "UNAUTHENTICATED";
    case "permission":
      return "PERMISSION_DENIED";
    case "not_found":
      return "NOT_FOUND";
    case "rate_limited":
    case "quota_exhausted":
      return "RESOURCE_EXHAUSTED";
    case "overloaded":
    case "no_capacity":
    case "all_targets_failed":
      return "UNAVAILABLE";
    case "upstream_timeout":
    case "stream_stalled":
      return "DEADLINE_EXCEEDED";
    case "client_closed":
      return "CANCELLED";
    case "upstream_server":
    case "config":
    case "internal":
      return "INTERNAL";
    default: {
      const unreachable: never = code;
      return String(unreachable);
    }
  }
}

/** Canonical status (and HTTP status as a fallback) → gateway error code. */
export function mapGeminiStatusToGatewayCode(status: string | undefined, httpStatus: number | undefined): GatewayErrorCode {
  switch (status) {
    case "INVALID_ARGUMENT":
    case "FAILED_PRECONDITION":
    case "OUT_OF_RANGE":
      return "invalid_request";
    case "UNAUTHENTICATED":
      return "authentication";
    case "PERMISSION_DENIED":
      return "permission";
    case "NOT_FOUND":
      return "not_found";
    // Gemini reports both per-minute limits and exhausted daily quota as RESOURCE_EXHAUSTED; only the message tells
    // them apart, and routing treats both as rate limiting with a cooldown.
    case "RESOURCE_EXHAUSTED":
      return "rate_limited";
    case "UNAVAILABLE":
      return "overloaded";
    case "DEADLINE_EXCEEDED":
      return "upstream_timeout";
    default:
      break;
  }
  if (httpStatus === 429) return "rate_limited";
  if (httpStatus === 503) return "overloaded";
  return "upstream_server";
}

/** A `{error: {...}}` body or stream chunk as a serialized gateway error (undefined when it is not one). */
export function decodeGeminiErrorBody(body: unknown): SerializedGatewayError | undefined {
  if (!isWireObject(body) || !isWireObject(body["error"])) return undefined;
  const error = body["error"];
  const upstreamStatus = typeof error["code"] === "number" ? error["code"] : undefined;
  const status = typeof error["status"] === "string" ? error["status"] : undefined;
  const code = mapGeminiStatusToGatewayCode(status, upstreamStatus);
  const message = typeof error["message"] === "string" ? error["message"] : "upstream error";
  const serialized: SerializedGatewayError = { code, message, httpStatus: defaultHttpStatusByCode[code] };
  if (upstreamStatus !== undefined) serialized.upstreamStatus = upstreamStatus;
  const retryAfterMs = readRetryDelayMs(error["details"]);
  if (retryAfterMs !== undefined) serialized.retryAfterMs = retryAfterMs;
  return serialized;
}

/** The same as a throwable GatewayError. */
export function geminiErrorBodyToGatewayError(body: unknown): GatewayError | undefined {
  const serialized = decodeGeminiErrorBody(body);
  return serialized === undefined ? undefined : GatewayError.fromSerialized(serialized);
}

/**
 * `google.rpc.RetryInfo.retryDelay` ("30s", "1.5s") in milliseconds.
 * @see https://cloud.google.com/apis/design/errors#retryinfo
 */
function readRetryDelayMs(details: unknown): number | undefined {
  if (!Array.isArray(details)) return undefined;
  for (const detail of details) {
    if (!isWireObject(detail) || typeof detail["retryDelay"] !== "string") continue;
    const match = /^(\d+(?:\.\d+)?)s$/.exec(detail["retryDelay"]);
    if (match?.[1] !== undefined) return Math.round(Number(match[1]) * 1000);
  }
  return undefined;
}
