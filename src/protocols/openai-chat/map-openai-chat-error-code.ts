import type { GatewayErrorCode } from "../../unified/index.js";

/**
 * An OpenAI-style error (`type`, `code`, maybe a numeric HTTP-like `code` from OpenRouter) → gateway code. Only the
 * classes a client or the router acts on are told apart; the rest is `upstream_server`.
 * @see https://platform.openai.com/docs/guides/error-codes
 * @see https://openrouter.ai/docs/api-reference/errors
 */
export function mapOpenAiChatErrorToGatewayCode(type: unknown, code: unknown): GatewayErrorCode {
  const names = [type, code].filter((value): value is string => typeof value === "string");
  for (const name of names) {
    switch (name) {
      case "insufficient_quota":
        return "quota_exhausted";
      case "rate_limit_exceeded":
      case "rate_limit_error":
      case "requests":
      case "tokens":
        return "rate_limited";
      case "server_is_overloaded":
      case "overloaded_error":
      case "overloaded":
        return "overloaded";
      case "context_length_exceeded":
        return "context_length";
      case "content_policy_violation":
      case "content_filter":
        return "content_filter";
      default:
        break;
    }
  }
  if (code === 429) return "rate_limited";
  if (code === 529 || code === 503) return "overloaded";
  if (code === 402) return "quota_exhausted";
  return "upstream_server";
}

/** Gateway code → the `type` and `code` an OpenAI client expects in an error body. */
export function mapGatewayCodeToOpenAiChatError(code: GatewayErrorCode): { type: string; code: string | null } {
  switch (code) {
    case "invalid_request":
      return { type: "invalid_request_error", code: null };
    case "unsupported_feature":
      return { type: "invalid_request_error", code: "unsupported_parameter" };
    case "context_length":
      return { type: "invalid_request_error", code: "context_length_exceeded" };
    case "content_filter":
      return { type: "invalid_request_error", code: "content_policy_violation" };
    case "authentication":
      // What OpenAI itself answers for a bad key (a 401 with this type and code).
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
      return { type: "server_error", code: "server_is_overloaded" };
    case "upstream_server":
    case "upstream_timeout":
    case "stream_stalled":
    case "client_closed":
    case "no_capacity":
    case "all_targets_failed":
    case "config":
    case "internal":
      return { type: "server_error", code };
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}
