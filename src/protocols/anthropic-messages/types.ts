/**
 * Wire types of the Anthropic Messages API (`POST /v1/messages`), loose on purpose: the codec reads only the
 * fields it maps and carries everything else verbatim in `extensions["anthropic-messages"]`.
 * @see https://docs.claude.com/en/api/messages
 */
import type { WireObject } from "../common/index.js";

/** The protocol id this codec speaks. */
export const anthropicMessagesProtocol = "anthropic-messages" as const;

/** A content block as it appears in `messages[].content`, `system` or a response's `content`. */
export interface AnthropicMessagesWireBlock extends WireObject {
  type: string;
}

/** `cache_control` on blocks, tools and the request (automatic caching). */
export interface AnthropicMessagesWireCacheControl extends WireObject {
  type: "ephemeral";
  ttl?: string;
}

/** The usage object of a response, `message_start` or `message_delta`. */
export interface AnthropicMessagesWireUsage extends WireObject {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  output_tokens_details?: { thinking_tokens?: number } | null;
}

/** A non-streaming response body. */
export interface AnthropicMessagesWireResponse extends WireObject {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: AnthropicMessagesWireBlock[];
  stop_reason: string | null;
  stop_sequence: string | null;
  usage: AnthropicMessagesWireUsage;
}

/** The error body shape (`{"type":"error","error":{type,message}}`), also the in-stream `error` event. */
export interface AnthropicMessagesWireError extends WireObject {
  type: "error";
  error: { type: string; message: string } & WireObject;
}

/**
 * Extension keys that start with `$` record the wire's shape (string vs blocks, absent vs false…) so that the
 * same-protocol encoder can rebuild the exact body. Encoders never send them; every other key in
 * `extensions["anthropic-messages"]` is a wire field kept verbatim and spread back.
 */
export const shapeKeys = {
  /** request: `system` was a string ("string") or an array of blocks ("blocks"). */
  systemForm: "$systemForm",
  /** request: `stream` was absent (not `false`). */
  streamAbsent: "$streamAbsent",
  /** request: unknown or null fields of `thinking`, e.g. `display`. */
  thinkingExtra: "$thinkingExtra",
  /** request: a `thinking` object of a type this codec does not know, kept whole. */
  thinkingRaw: "$thinkingRaw",
  /** request: `output_config` fields other than the mapped `effort` and `format`. */
  outputConfigExtra: "$outputConfigExtra",
  /** request: unknown fields of `output_config.format` / `output_format`. */
  formatExtra: "$formatExtra",
  /** request: the json-schema format came in the older top-level `output_format` field. */
  formatField: "$formatField",
  /** request: unknown or null fields of `metadata`. */
  metadataExtra: "$metadataExtra",
  /** request: unknown or null fields of `tool_choice`. */
  toolChoiceExtra: "$toolChoiceExtra",
  /** message / tool_result: `content` was a string ("string") or absent ("absent"). */
  contentForm: "$contentForm",
  /** tool: `type: "custom"` was written explicitly. */
  typeCustom: "$typeCustom",
  /** document: the source was `{type:"text"}` (plain text, carried as base64 text/plain in unified). */
  textSource: "$textSource",
  /** image / document: unknown or null fields of `source`. */
  sourceExtra: "$sourceExtra",
  /** tool_result: blocks of unknown type inside `content`, with their positions. */
  nativeContent: "$nativeContent",
  /** response: the usage object as received (extra fields such as `cache_creation`, `service_tier`). */
  usage: "$usage",
} as const;
