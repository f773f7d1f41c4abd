import { GatewayError, type ProtocolCodec, type ProtocolId } from "../unified/index.js";
import { anthropicMessagesCodec } from "./anthropic-messages/index.js";
import { geminiCodec } from "./gemini/index.js";
import { openAiChatCodec } from "./openai-chat/index.js";
import { openAiResponsesCodec } from "./openai-responses/index.js";

/** The codec registry: one codec per wire protocol. */
export const codecs: Readonly<Record<ProtocolId, ProtocolCodec>> = {
  "openai-chat": openAiChatCodec,
  "openai-responses": openAiResponsesCodec,
  "anthropic-messages": anthropicMessagesCodec,
  gemini: geminiCodec,
};

/** The codec for a protocol name; `config` error for an unknown name. */
export function getCodec(name: ProtocolId | string): ProtocolCodec {
  const codec = (codecs as Record<string, ProtocolCodec | undefined>)[name];
  if (codec === undefined) throw new GatewayError("config", `unknown protocol "${name}"`);
  return codec;
}

export { anthropicMessagesCodec, geminiCodec, openAiChatCodec, openAiResponsesCodec };
