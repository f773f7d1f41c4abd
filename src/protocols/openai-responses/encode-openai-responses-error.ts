import type { EncodedError, GatewayError } from "../../unified/index.js";
import { encodeResponsesErrorCode } from "./map-openai-responses-error-code.js";

/**
 * A GatewayError in OpenAI's error shape `{error: {message, type, param, code}}` with the error's HTTP status.
 * `retry-after` (seconds, rounded up) and `retry-after-ms` are set when a retry delay is known; the openai SDKs
 * honour both.
 * @see https://platform.openai.com/docs/guides/error-codes/api-errors
 */
export function encodeOpenAiResponsesError(error: GatewayError): EncodedError {
  const { type, code } = encodeResponsesErrorCode(error.code);
  const encoded: EncodedError = {
    status: error.httpStatus,
    body: { error: { message: error.message, type, param: error.path ?? null, code } },
  };
  if (error.retryAfterMs !== undefined) {
    encoded.headers = {
      "retry-after": String(Math.max(0, Math.ceil(error.retryAfterMs / 1000))),
      "retry-after-ms": String(Math.max(0, Math.round(error.retryAfterMs))),
    };
  }
  return encoded;
}
