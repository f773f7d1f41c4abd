import type { ProtocolCodec } from "../../unified/index.js";
import { readTrailingJsonMember } from "../common/index.js";
import { decodeResponsesUsage } from "./convert-openai-responses-usage.js";
import { decodeOpenAiResponsesRequest } from "./decode-openai-responses-request.js";
import { decodeOpenAiResponsesResponse } from "./decode-openai-responses-response.js";
import { createOpenAiResponsesStreamDecoder } from "./decode-openai-responses-stream.js";
import { encodeOpenAiResponsesError } from "./encode-openai-responses-error.js";
import { encodeOpenAiResponsesRequest } from "./encode-openai-responses-request.js";
import { encodeOpenAiResponsesResponse } from "./encode-openai-responses-response.js";
import { createOpenAiResponsesStreamEncoder } from "./encode-openai-responses-stream.js";

/**
 * The OpenAI Responses API codec (`POST /v1/responses`), as spoken by Codex CLI and the openai SDKs.
 * @see https://platform.openai.com/docs/api-reference/responses
 */
export const openAiResponsesCodec: ProtocolCodec = {
  protocol: "openai-responses",
  decodeRequest: decodeOpenAiResponsesRequest,
  encodeRequest: encodeOpenAiResponsesRequest,
  decodeResponse: decodeOpenAiResponsesResponse,
  encodeResponse: encodeOpenAiResponsesResponse,
  createStreamDecoder: createOpenAiResponsesStreamDecoder,
  createStreamEncoder: createOpenAiResponsesStreamEncoder,
  encodeError: encodeOpenAiResponsesError,
  readResponseUsage: (text) => decodeResponsesUsage(readTrailingJsonMember(text, "usage")),
};
