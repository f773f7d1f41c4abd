import type { GatewayErrorCode } from "../../unified/index.js";

/**
 * Anthropic error `type` values with the HTTP status Anthropic uses for each.
 * @see https://docs.claude.com/en/api/errors
 */
const anthropicErrorTypes: Readonly<Record<string, { code: GatewayErrorCode; status: number }>> = {
  invalid_request_error: { code: "invalid_request", status: 400 },
  authentication_error: { code: "authentication", status: 401 },
  billing_error: { code: "quota_exhausted", status: 402 },
  permission_error: { code: "permission", status: 403 },
  not_found_error: { code: "not_found", status: 404 },
  request_too_large: { code: "invalid_request", status: 413 },
  rate_limit_error: { code: "rate_limited", status: 429 },
  api_error: { code: "upstream_server", status: 500 },
  timeout_error: { code: "upstream_timeout", status: 504 },
  overloaded_error: { code: "overloaded", status: 529 },
};

/** Anthropic error type (+ message) → gateway code and the status Anthropic would have sent. */
export function mapAnthropicMessagesErrorType(type: string, message: string): { code: GatewayErrorCode; upstreamStatus: number } {
  const known = anthropicErrorTypes[type];
  if (known === undefined) return { code: "upstream_server", upstreamStatus: 500 };
  // A too-long prompt arrives as a plain invalid_request_error; only its message tells it apart.
  if (known.code === "invalid_request" && /prompt is too long|context window|context length/i.test(message)) {
    return { code: "context_length", upstreamStatus: known.status };
  }
  return { code: known.code, upstreamStatus: known.status };
}

/** Gateway error code (+ the status being sent) → the Anthropic error `type` clients and SDKs expect. */
export function mapGatewayErrorCodeToAnthropicMessages(code: GatewayErrorCode, httpStatus: number): string {
  switch (code) {
    case "invalid_request":
    case "context_length":
    case "content_filter":
    case "unsupported_feature":
      return httpStatus === 413 ? "request_too_large" : "invalid_request_error";
    case "authentication":
      return "authentication_error";
    case "permission":
      return "permission_error";
    case "not_found":
      return "not_found_error";
    case "rate_limited":
      return "rate_limit_error";
    case "quota_exhausted":
      return httpStatus === 402 ? "billing_error" : "rate_limit_error";
    case "overloaded":
    case "no_capacity":
      return "overloaded_error";
    case "upstream_timeout":
    case "stream_stalled":
      return "timeout_error";
    case "all_targets_failed":
      if (httpStatus === 429) return "rate_limit_error";
      if (httpStatus === 503 || httpStatus === 529) return "overloaded_error";
      return httpStatus >= 400 && httpStatus < 500 ? "invalid_request_error" : "api_error";
    case "upstream_server":
    case "client_closed":
    case "config":
    case "internal":
      return "api_error";
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}
