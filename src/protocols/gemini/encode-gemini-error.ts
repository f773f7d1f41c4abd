import type { EncodedError, GatewayError } from "../../unified/index.js";
import { mapGatewayCodeToGeminiStatus } from "./map-gemini-error-status.js";
import type { GeminiWireError } from "./types.js";

/**
 * A GatewayError as Gemini's `google.rpc.Status` error body. A retry delay is also given as a `RetryInfo` detail,
 * which Gemini clients (Gemini CLI, google-genai) read to schedule their retry, and as a `retry-after` header.
 * @see https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes
 */
export function encodeGeminiError(error: GatewayError): EncodedError {
  const body: GeminiWireError = {
    error: { code: error.httpStatus, message: error.message, status: mapGatewayCodeToGeminiStatus(error.code) },
  };
  if (error.retryAfterMs === undefined) return { status: error.httpStatus, body };
  const seconds = Math.max(0, Math.ceil(error.retryAfterMs / 1000));
  body.error.details = [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${seconds}s` }];
  return { status: error.httpStatus, body, headers: { "retry-after": String(seconds) } };
}
