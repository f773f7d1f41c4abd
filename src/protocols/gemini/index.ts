import type { ProtocolCodec } from "../../unified/index.js";
import { readTrailingJsonMember } from "../common/index.js";
import { convertGeminiUsage } from "./convert-gemini-usage.js";
import { decodeGeminiRequest } from "./decode-gemini-request.js";
import { decodeGeminiResponse } from "./decode-gemini-response.js";
import { createGeminiStreamDecoder } from "./decode-gemini-stream.js";
import { encodeGeminiError } from "./encode-gemini-error.js";
import { encodeGeminiRequest } from "./encode-gemini-request.js";
import { encodeGeminiResponse } from "./encode-gemini-response.js";
import { createGeminiStreamEncoder } from "./encode-gemini-stream.js";
import { geminiProtocol } from "./types.js";

/**
 * The Gemini generateContent / streamGenerateContent?alt=sse codec. The model and the stream flag live in the URL,
 * so the server fills them in after decodeRequest and the provider layer builds the URL after encodeRequest.
 * @see https://ai.google.dev/api/generate-content
 */
export const geminiCodec: ProtocolCodec = {
  protocol: geminiProtocol,
  decodeRequest: decodeGeminiRequest,
  encodeRequest: encodeGeminiRequest,
  decodeResponse: decodeGeminiResponse,
  encodeResponse: encodeGeminiResponse,
  createStreamDecoder: createGeminiStreamDecoder,
  createStreamEncoder: createGeminiStreamEncoder,
  encodeError: encodeGeminiError,
  readResponseUsage: (text) => convertGeminiUsage(readTrailingJsonMember(text, "usageMetadata")),
};
