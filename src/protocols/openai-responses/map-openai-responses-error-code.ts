import type { GatewayErrorCode } from "../../unified/index.js";
import { mapGatewayCodeToOpenAiErrorName, mapOpenAiErrorNameToGatewayCode, type OpenAiErrorName } from "../common/index.js";

/**
 * Responses' own names on top of the shared OpenAI table. A failed response (`response.failed`, an `error` event,
 * an error body) is OpenAI's verdict on this very request, so its generic request and auth names are final here,
 * where Chat treats them as a failed route (`upstream_server`).
 */
const responsesErrorNameCodes: Readonly<Record<string, GatewayErrorCode>> = {
  invalid_api_key: "authentication",
  model_not_found: "not_found",
  invalid_prompt: "invalid_request",
  invalid_request_error: "invalid_request",
};

/**
 * What Responses clients get instead of the shared answer. Codex compares the failed response's `code` with the
 * API's own few (`server_is_overloaded`, `timeout`, `server_error`) to decide on retries, so gateway-only names
 * never reach it; and the API itself says `content_filter`.
 */
const responsesErrorNames: Readonly<Partial<Record<GatewayErrorCode, OpenAiErrorName>>> = {
  content_filter: { type: "invalid_request_error", code: "content_filter" },
  no_capacity: { type: "server_error", code: "server_is_overloaded" },
  upstream_timeout: { type: "server_error", code: "timeout" },
  stream_stalled: { type: "server_error", code: "timeout" },
  client_closed: { type: "server_error", code: "server_error" },
  upstream_server: { type: "server_error", code: "server_error" },
  all_targets_failed: { type: "server_error", code: "server_error" },
  config: { type: "server_error", code: "server_error" },
  internal: { type: "server_error", code: "server_error" },
};

/**
 * OpenAI error codes/types (HTTP bodies, `error` stream events, failed responses) → gateway error codes.
 * Codex's backend reports overload in-band as `server_is_overloaded` inside an HTTP 200 stream.
 * @see https://platform.openai.com/docs/guides/error-codes
 */
export function decodeResponsesErrorCode(code: unknown, type: unknown): GatewayErrorCode {
  return mapOpenAiErrorNameToGatewayCode(code, type, responsesErrorNameCodes) ?? "upstream_server";
}

/** The OpenAI error `type` and `code` a client of this protocol expects for a gateway error code. */
export function encodeResponsesErrorCode(code: GatewayErrorCode): OpenAiErrorName {
  return responsesErrorNames[code] ?? mapGatewayCodeToOpenAiErrorName(code);
}
