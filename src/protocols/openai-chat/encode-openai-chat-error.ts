import type { EncodedError, GatewayError } from "../../unified/index.js";
import { mapGatewayCodeToOpenAiChatError } from "./map-openai-chat-error-code.js";
import type { ChatWireError } from "./types.js";

/**
 * GatewayError → OpenAI's error body `{error: {message, type, param, code}}` with the error's HTTP status and a
 * `retry-after` header (whole seconds, rounded up) when a retry delay is known.
 * @see https://platform.openai.com/docs/guides/error-codes
 */
export function encodeOpenAiChatError(error: GatewayError): EncodedError {
  const encoded: EncodedError = { status: error.httpStatus, body: { error: encodeOpenAiChatErrorObject(error) } };
  if (error.retryAfterMs !== undefined) {
    encoded.headers = { "retry-after": String(Math.max(0, Math.ceil(error.retryAfterMs / 1000))) };
  }
  return encoded;
}

/** The inner `error` object, shared with the in-stream error chunk. */
export function encodeOpenAiChatErrorObject(error: Pick<GatewayError, "code" | "message" | "path">): ChatWireError {
  const { type, code } = mapGatewayCodeToOpenAiChatError(error.code);
  return { message: error.message, type, param: error.path ?? null, code };
}
