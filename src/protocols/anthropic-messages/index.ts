import type { ProtocolCodec } from "../../unified/index.js";
import { readTrailingJsonMember } from "../common/index.js";
import { convertAnthropicMessagesUsage } from "./convert-anthropic-messages-usage.js";
import { decodeAnthropicMessagesRequest } from "./decode-anthropic-messages-request.js";
import { decodeAnthropicMessagesResponse } from "./decode-anthropic-messages-response.js";
import { createAnthropicMessagesStreamDecoder } from "./decode-anthropic-messages-stream.js";
import { encodeAnthropicMessagesError } from "./encode-anthropic-messages-error.js";
import { encodeAnthropicMessagesRequest } from "./encode-anthropic-messages-request.js";
import { encodeAnthropicMessagesResponse } from "./encode-anthropic-messages-response.js";
import { createAnthropicMessagesStreamEncoder } from "./encode-anthropic-messages-stream.js";
import { anthropicMessagesProtocol } from "./types.js";

/** The Anthropic Messages API codec (`POST /v1/messages`). */
export const anthropicMessagesCodec: ProtocolCodec = {
  protocol: anthropicMessagesProtocol,
  decodeRequest: decodeAnthropicMessagesRequest,
  encodeRequest: encodeAnthropicMessagesRequest,
  decodeResponse: decodeAnthropicMessagesResponse,
  encodeResponse: encodeAnthropicMessagesResponse,
  createStreamDecoder: createAnthropicMessagesStreamDecoder,
  createStreamEncoder: createAnthropicMessagesStreamEncoder,
  encodeError: encodeAnthropicMessagesError,
  readResponseUsage: (text) => {
    const usage = readTrailingJsonMember(text, "usage");
    return typeof usage === "object" && usage !== null && !Array.isArray(usage) ? convertAnthropicMessagesUsage(usage as Record<string, unknown>) : undefined;
  },
};
