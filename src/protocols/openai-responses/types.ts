import type { WireObject } from "../common/index.js";

/**
 * Wire-level declarations of the OpenAI Responses API codec (`POST /v1/responses`). Bodies are read as plain JSON
 * objects with the boundary readers of ../common (each field checked where it is read); everything the unified form
 * does not hold rides through `extensions["openai-responses"]` untouched.
 * @see https://platform.openai.com/docs/api-reference/responses
 */

/** The protocol id, spelled once. */
export const responsesProtocol = "openai-responses";

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
  /** A reasoning part that was a Responses `reasoning` item on the wire (replayed even without id or artefact). */
  reasoningItem?: true;
  /** Reasoning `content` as sent when it was not exactly one reasoning_text part. */
  reasoningContent?: unknown[];
  /** Reasoning of another origin whose text came as the item's only summary part (shown to a client as a summary). */
  textAsSummary?: true;
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
