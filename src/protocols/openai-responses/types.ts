import type { WireObject } from "../common/index.js";

/**
 * Wire types of the OpenAI Responses API (`POST /v1/responses`), only as far as the codec reads or writes them.
 * Everything else on the wire rides through `extensions["openai-responses"]` untouched.
 * @see https://platform.openai.com/docs/api-reference/responses
 */

/** The protocol id, spelled once. */
export const responsesProtocol = "openai-responses";

/** A message item in `input` or `output` (the `type` may be omitted on input: EasyInputMessage). */
export interface ResponsesWireMessageItem {
  type?: "message";
  id?: string;
  role: "user" | "assistant" | "system" | "developer";
  content: string | WireObject[];
  status?: string;
  phase?: string | null;
}

/** A function call item. */
export interface ResponsesWireFunctionCall {
  type: "function_call";
  id?: string;
  call_id: string;
  name: string;
  namespace?: string;
  arguments: string;
  status?: string;
}

/** A freeform (custom) tool call item. */
export interface ResponsesWireCustomToolCall {
  type: "custom_tool_call";
  id?: string;
  call_id: string;
  name: string;
  namespace?: string;
  input: string;
  status?: string;
}

/** A reasoning item. */
export interface ResponsesWireReasoningItem {
  type: "reasoning";
  id?: string;
  summary: Array<{ type: "summary_text"; text: string }>;
  content?: Array<{ type: "reasoning_text"; text: string }>;
  encrypted_content?: string | null;
  status?: string;
}

/** `usage` on a response. `input_tokens` INCLUDES `input_tokens_details.cached_tokens`. */
export interface ResponsesWireUsage {
  input_tokens: number;
  input_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number };
  output_tokens: number;
  output_tokens_details?: { reasoning_tokens?: number };
  total_tokens: number;
}

/** The error object of a failed response, an `error` stream event or an HTTP error body. */
export interface ResponsesWireError {
  message: string;
  type?: string;
  param?: string | null;
  code?: string | null;
}

/**
 * Markers that record how the wire spelled something the unified form normalizes, so that the same protocol
 * re-encodes byte-for-byte equal JSON. They live under the reserved key `wireShape` inside
 * `extensions["openai-responses"]` (wire fields there are snake_case, so the camelCase key never collides); every
 * other key of that record is a wire field put back verbatim.
 */
export interface ResponsesWireShape {
  /** A message item without `type: "message"` (EasyInputMessage). */
  typeOmitted?: true;
  /** Message `content` or tool `output` given as a plain string. */
  contentString?: true;
  /** On a streamed text block: it is a refusal content part. */
  refusal?: true;
  /** A tool `output` given as a list of parts (even a single text part). */
  outputList?: true;
  /** On the first part of an item inside a merged assistant or tool message: the item's other wire fields. */
  item?: WireObject;
  /** On that same part: the item's own markers (typeOmitted, contentString). */
  itemShape?: ResponsesWireShape;
  /** A content part type that is not the default for its role (e.g. `input_text` inside an assistant message). */
  partType?: string;
  /** Namespace of a custom tool or a custom tool call (the unified CustomTool has no namespace field). */
  namespace?: string;
  /** On the first tool of a namespace group: the namespace object's other wire fields. */
  namespaceFields?: WireObject;
  /** The tool came from an `additional_tools` input item (that item is replayed verbatim as a NativePart). */
  additionalTools?: true;
  /** A function tool without `parameters` on the wire (the unified tool gets an empty object schema). */
  parametersAbsent?: true;
  /** The tool-result `call_id` exactly as sent, when it carried an embedded signature. */
  wireCallId?: string;
  /** Reasoning `content` as sent when it was not exactly one reasoning_text part. */
  reasoningContent?: unknown[];
  /** `input_file.file_data` that was not a data URL (raw base64). */
  rawFileData?: true;
  /** `tool_choice` in an object form (function/custom/allowed_tools/hosted), as sent. */
  toolChoice?: unknown;
  /** Top-level `input` given as a string. */
  inputString?: true;
  /** No `stream` field on the wire. */
  streamOmitted?: true;
  /** `text.format` fields that have no unified home (e.g. `description: null`). */
  formatFields?: WireObject;
}

/** The reserved key of the markers inside `extensions["openai-responses"]`. */
export const wireShapeKey = "wireShape";
