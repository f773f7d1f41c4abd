import type { GatewayErrorCode } from "../../unified/index.js";

/**
 * The OpenAI error vocabulary shared by the Chat Completions and Responses codecs: error `type`/`code` names ↔
 * gateway codes. Each codec adds its own, intentional differences at its own site (map-openai-chat-error-code.ts,
 * map-openai-responses-error-code.ts), so a difference is a visible decision, not drift between two copies.
 * @see https://platform.openai.com/docs/guides/error-codes
 */

/** The `type` and `code` of an OpenAI error body. */
export interface OpenAiErrorName {
  type: string;
  code: string | null;
}

/**
 * Names that mean one thing wherever an OpenAI-style API sends them. Anthropic-style names (`rate_limit_error`,
 * `overloaded_error`) appear behind OpenAI-compatible proxies; `slow_down` is the Codex backend's overload signal.
 */
export const openAiErrorNameCodes: Readonly<Record<string, GatewayErrorCode>> = {
  insufficient_quota: "quota_exhausted",
  rate_limit_exceeded: "rate_limited",
  rate_limit_error: "rate_limited",
  requests: "rate_limited",
  tokens: "rate_limited",
  server_is_overloaded: "overloaded",
  overloaded_error: "overloaded",
  overloaded: "overloaded",
  slow_down: "overloaded",
  context_length_exceeded: "context_length",
  content_policy_violation: "content_filter",
  content_filter: "content_filter",
};

/**
 * An OpenAI error's `code` and `type` → gateway code, or undefined when neither is a known name. `code` is read
 * first because it is the more specific of the two (`{type: "invalid_request_error", code:
 * "context_length_exceeded"}`). `extra` holds a codec's own names; they win over the shared table.
 */
export function mapOpenAiErrorNameToGatewayCode(code: unknown, type: unknown, extra: Readonly<Record<string, GatewayErrorCode>> = {}): GatewayErrorCode | undefined {
  for (const value of [code, type]) {
    if (typeof value !== "string") continue;
    const mapped = Object.hasOwn(extra, value) ? extra[value] : Object.hasOwn(openAiErrorNameCodes, value) ? openAiErrorNameCodes[value] : undefined;
    if (mapped !== undefined) return mapped;
  }
  return undefined;
}

/**
 * Gateway code → the `type` and `code` OpenAI itself answers with. Gateway-only conditions (timeouts, a closed
 * client, no capacity…) have no OpenAI name: they are `server_error`s carrying the gateway code, which a codec may
 * override.
 */
export function mapGatewayCodeToOpenAiErrorName(code: GatewayErrorCode): OpenAiErrorName {
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
      return { type: "server_error", code: String(unreachable) };
    }
  }
}
