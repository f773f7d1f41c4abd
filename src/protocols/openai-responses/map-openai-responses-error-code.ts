import type { GatewayErrorCode } from "../../unified/index.js";

/**
 * OpenAI error codes/types (HTTP bodies, `error` stream events, failed responses) ↔ gateway error codes.
 * Codex's backend reports overload in-band as `server_is_overloaded` inside an HTTP 200 stream.
 * @see https://platform.openai.com/docs/guides/error-codes
 */
export function decodeResponsesErrorCode(code: unknown, type: unknown): GatewayErrorCode {
  for (const value of [code, type]) {
    if (typeof value !== "string") continue;
    switch (value) {
      case "server_is_overloaded":
      case "overloaded":
      case "slow_down":
        return "overloaded";
      case "rate_limit_exceeded":
      case "requests":
      case "tokens":
        return "rate_limited";
      case "insufficient_quota":
        return "quota_exhausted";
      case "context_length_exceeded":
        return "context_length";
      case "content_filter":
      case "content_policy_violation":
        return "content_filter";
      case "invalid_api_key":
        return "authentication";
      case "model_not_found":
        return "not_found";
      case "invalid_prompt":
      case "invalid_request_error":
        return "invalid_request";
    }
  }
  return "upstream_server";
}

/** The OpenAI error `type` and `code` a client of this protocol expects for a gateway error code. */
export function encodeResponsesErrorCode(code: GatewayErrorCode): { type: string; code: string | null } {
  switch (code) {
    case "invalid_request":
      return { type: "invalid_request_error", code: null };
    case "unsupported_feature":
      return { type: "invalid_request_error", code: "unsupported_parameter" };
    case "context_length":
      return { type: "invalid_request_error", code: "context_length_exceeded" };
    case "content_filter":
      return { type: "invalid_request_error", code: "content_filter" };
    case "authentication":
      return { type: "invalid_request_error", code: "invalid_api_key" };
    case "permission":
      return { type: "permission_error", code: "permission_denied" };
    case "not_found":
      return { type: "invalid_request_error", code: "model_not_found" };
    case "rate_limited":
      return { type: "requests", code: "rate_limit_exceeded" };
    case "quota_exhausted":
      return { type: "insufficient_quota", code: "insufficient_quota" };
    case "overloaded":
    case "no_capacity":
      return { type: "server_error", code: "server_is_overloaded" };
    case "upstream_timeout":
    case "stream_stalled":
      return { type: "server_error", code: "timeout" };
    case "client_closed":
    case "upstream_server":
    case "all_targets_failed":
    case "config":
    case "internal":
      return { type: "server_error", code: "server_error" };
    default: {
      const unreachable: never = code;
      return { type: "server_error", code: String(unreachable) };
    }
  }
}
