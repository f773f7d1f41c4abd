/**
 * Wire types of OpenAI Chat Completions (`POST /v1/chat/completions`) as this codec writes them, and the names of
 * the codec's own markers inside `extensions["openai-chat"]`.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */

/** The protocol id, spelled once. */
export const openAiChatProtocol = "openai-chat";

/** A JSON object on the wire. */
export type ChatWireObject = Record<string, unknown>;

/** One content part of a message (`text`, `image_url`, `input_audio`, `file`, `refusal`). */
export type ChatWireContentPart = ChatWireObject & { type: string };

/** One message of `messages`. */
export type ChatWireMessage = ChatWireObject & { role: string };

/** A tool call in an assistant message or a response. */
export type ChatWireToolCall =
  | (ChatWireObject & { id: string; type: "function"; function: { name: string; arguments: string } & ChatWireObject })
  | (ChatWireObject & { id: string; type: "custom"; custom: { name: string; input: string } & ChatWireObject });

/** One entry of OpenRouter's `reasoning_details` array. */
export type ChatWireReasoningDetail = ChatWireObject & { type: string };

/** The `error` object of an error body or an in-stream error chunk. */
export interface ChatWireError {
  message: string;
  type: string;
  param: string | null;
  code: string | number | null;
}

/**
 * Markers the decoders leave in `extensions["openai-chat"]` so that the encoder rebuilds the exact wire shape
 * (string vs array content, `max_tokens` vs `max_completion_tokens`, absent vs null…). They are camelCase while every
 * Chat wire field is snake_case, so a marker can never shadow an unknown wire field kept beside it; encoders skip
 * them when they put unknown fields back.
 */
export const chatMarkers = {
  /** Request: `stream` was absent (unified `stream` is a boolean). */
  streamAbsent: "streamAbsent",
  /** Request: the token limit came in `max_tokens` rather than `max_completion_tokens`. */
  maxTokensField: "maxTokensField",
  /** Request: `stop` was a single string. */
  stopAsString: "stopAsString",
  /** Request: tools came from the legacy `functions` array. */
  legacyFunctions: "legacyFunctions",
  /** Request: tool choice came from the legacy `function_call` field. */
  legacyFunctionCall: "legacyFunctionCall",
  /** Request: a `tool_choice` with no exact unified form (allowed_tools), kept verbatim. */
  toolChoiceRaw: "toolChoiceRaw",
  /** Request: fields of `stream_options` other than `include_usage`. */
  streamOptionsFields: "streamOptionsFields",
  /** Message: how `content` was given when not a plain string: "parts" | "null" | "absent" | "empty". */
  contentForm: "contentForm",
  /** Message: reasoning parts came from `reasoning_details` (reasoning_content then rides as an unknown field). */
  reasoningFromDetails: "reasoningFromDetails",
  /** Message: reasoning text came from OpenRouter's `reasoning` field instead of `reasoning_content`. */
  reasoningField: "reasoningField",
  /** Message: the legacy `role: "function"` result message. */
  legacyFunctionRole: "legacyFunctionRole",
  /** Part: unknown fields nested inside `image_url`, `input_audio`, `file`, `function` or `custom`. */
  innerFields: "innerFields",
  /** Part: `file.file_data` was raw base64, not a data URL. */
  fileDataRaw: "fileDataRaw",
  /** Reasoning part: per `reasoning_details` entry, the entry's fields with no unified home (format, index…). */
  detailFields: "detailFields",
  /** Tool: `function.parameters` was absent. */
  parametersAbsent: "parametersAbsent",
  /** Response: fields of `choices[0]` with no unified home (logprobs, content_filter_results…), verbatim. */
  choiceFields: "choiceFields",
  /** Response: fields of `choices[0].message` with no unified home (`refusal: null`, `annotations: []`…), verbatim. */
  messageFields: "messageFields",
  /** Tool call: it came from the legacy `function_call` message field (it has no id on the wire). */
  legacyToolCall: "legacyToolCall",
} as const;

/** Every marker name, for skipping them when unknown fields are written back. */
export const chatMarkerNames: ReadonlySet<string> = new Set(Object.values(chatMarkers));

/** How a message's content was written, when it was not a plain non-empty string. */
export type ChatContentForm = "parts" | "null" | "absent" | "empty";

/** Chat finish reasons OpenAI documents, plus `error` sent by OpenRouter mid-stream. */
export const chatFinishReasons = ["stop", "length", "tool_calls", "content_filter", "function_call", "error"] as const;

/** One of the Chat finish reasons. */
export type ChatFinishReason = (typeof chatFinishReasons)[number];
