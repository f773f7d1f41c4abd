import type { ProtocolCodec } from "../../unified/index.js";
import { readTrailingJsonMember } from "../common/index.js";
import { convertOpenAiChatUsageToUnified } from "./convert-openai-chat-usage.js";
import { decodeOpenAiChatRequest } from "./decode-openai-chat-request.js";
import { decodeOpenAiChatResponse } from "./decode-openai-chat-response.js";
import { createOpenAiChatStreamDecoder } from "./decode-openai-chat-stream.js";
import { encodeOpenAiChatError } from "./encode-openai-chat-error.js";
import { encodeOpenAiChatRequest } from "./encode-openai-chat-request.js";
import { encodeOpenAiChatResponse } from "./encode-openai-chat-response.js";
import { createOpenAiChatStreamEncoder } from "./encode-openai-chat-stream.js";

/**
 * OpenAI Chat Completions (`POST /v1/chat/completions`), also spoken by most OpenAI-compatible servers (DeepSeek,
 * OpenRouter, Azure, vLLM…).
 * @see https://platform.openai.com/docs/api-reference/chat
 */
export const openAiChatCodec: ProtocolCodec = {
  protocol: "openai-chat",
  decodeRequest: decodeOpenAiChatRequest,
  encodeRequest: encodeOpenAiChatRequest,
  decodeResponse: decodeOpenAiChatResponse,
  encodeResponse: encodeOpenAiChatResponse,
  createStreamDecoder: createOpenAiChatStreamDecoder,
  createStreamEncoder: createOpenAiChatStreamEncoder,
  encodeError: encodeOpenAiChatError,
  readResponseUsage: (text) => convertOpenAiChatUsageToUnified(readTrailingJsonMember(text, "usage")),
};
