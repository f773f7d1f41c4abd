import type { GatewayErrorCode } from "../../unified/index.js";
import { mapGatewayCodeToOpenAiErrorName, mapOpenAiErrorNameToGatewayCode, type OpenAiErrorName } from "../common/index.js";

/**
 * Chat's own names on top of the shared OpenAI table: none. Chat errors arrive in-band (a 200 body or a stream
 * chunk, mostly from aggregators such as OpenRouter), and generic names such as `invalid_request_error` stay
 * `upstream_server` there, so the router may still try the next target; Responses treats them as final.
 */
const chatErrorNameCodes: Readonly<Record<string, GatewayErrorCode>> = {};

/**
 * An OpenAI-style error (`type`, `code`, maybe a numeric HTTP-like `code` from OpenRouter) → gateway code. Only the
 * classes a client or the router acts on are told apart; the rest is `upstream_server`.
 * @see https://platform.openai.com/docs/guides/error-codes
 * @see https://openrouter.ai/docs/api-reference/errors
 */
export function mapOpenAiChatErrorToGatewayCode(type: unknown, code: unknown): GatewayErrorCode {
  const named = mapOpenAiErrorNameToGatewayCode(code, type, chatErrorNameCodes);
  if (named !== undefined) return named;
  // OpenRouter's numeric `code` is the upstream HTTP status: Chat only.
  if (code === 429) return "rate_limited";
  if (code === 529 || code === 503) return "overloaded";
  if (code === 402) return "quota_exhausted";
  return "upstream_server";
}

/** Gateway code → the `type` and `code` an OpenAI client expects in an error body: the shared table unchanged. */
export function mapGatewayCodeToOpenAiChatError(code: GatewayErrorCode): OpenAiErrorName {
  return mapGatewayCodeToOpenAiErrorName(code);
}
