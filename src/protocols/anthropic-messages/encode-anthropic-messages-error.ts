import type { EncodedError, GatewayError } from "../../unified/index.js";
import { mapGatewayErrorCodeToAnthropicMessages } from "./map-anthropic-messages-error-type.js";

/**
 * GatewayError → Anthropic error response: `{"type":"error","error":{"type","message"}}` with the error's status,
 * and `retry-after` (whole seconds, rounded up) when a retry delay is known.
 * @see https://docs.claude.com/en/api/errors#error-shapes
 */
export function encodeAnthropicMessagesError(error: GatewayError): EncodedError {
  const type = mapGatewayErrorCodeToAnthropicMessages(error.code, error.httpStatus);
  const encoded: EncodedError = { status: error.httpStatus, body: { type: "error", error: { type, message: error.message } } };
  if (error.retryAfterMs !== undefined) encoded.headers = { "retry-after": String(Math.max(0, Math.ceil(error.retryAfterMs / 1000))) };
  return encoded;
}
