import type { Extensions, ProtocolId } from "./protocol-id.js";

/** Prompt-cache breakpoint carried on a part, tool or system block (Anthropic `cache_control`). */
export interface CacheControl {
  type: "ephemeral";
  /** Anthropic accepts "5m" and "1h"; kept verbatim so that it is never silently dropped. */
  ttl?: string;
}

/** Where a media part's bytes come from. */
export type MediaSource =
  | { kind: "url"; url: string }
  | { kind: "base64"; mediaType: string; data: string }
  | { kind: "file-id"; fileId: string };

/** Where an opaque reasoning artefact (signature, redacted or encrypted payload) was produced. */
export interface ReasoningOrigin {
  /** The wire protocol the artefact came from; encoders replay artefacts only to the same protocol. */
  protocol: ProtocolId;
  /** Provider id, filled by the pipeline when known. */
  provider?: string;
  /** Model family (e.g. "claude", "gemini-3"), filled by the pipeline when known. */
  modelFamily?: string;
}

/** Plain text. */
export interface TextPart {
  type: "text";
  text: string;
  cacheControl?: CacheControl;
  /** Citations or annotations attached to this text, in the protocol's own shape. */
  citations?: Citation[];
  extensions?: Extensions;
}

/** A citation or annotation attached to text. */
export interface Citation {
  /** "url" for web citations; anything else is protocol-specific and kept in `raw`. */
  kind: "url" | "other";
  url?: string;
  title?: string;
  startIndex?: number;
  endIndex?: number;
  citedText?: string;
  /** The citation as the source protocol wrote it. */
  raw: unknown;
  origin: ProtocolId;
}

/** An image given by URL, base64 data or file id. */
export interface ImagePart {
  type: "image";
  source: MediaSource;
  /** OpenAI `detail` (low | high | auto). */
  detail?: string;
  cacheControl?: CacheControl;
  extensions?: Extensions;
}

/** A document or other file (PDF, text). */
export interface FilePart {
  type: "file";
  source: MediaSource;
  filename?: string;
  /** Document title or context where the protocol has one (Anthropic `document`). */
  title?: string;
  cacheControl?: CacheControl;
  extensions?: Extensions;
}

/** Audio input. */
export interface AudioPart {
  type: "audio";
  /** base64 bytes */
  data: string;
  /** e.g. "wav", "mp3", or a media type */
  format: string;
  extensions?: Extensions;
}

/** How a tool call is shaped on the wire. */
export type ToolCallKind = "function" | "custom";

/** A call of a tool by the model. */
export interface ToolCallPart {
  type: "tool-call";
  /** Tool-call id as the source wrote it (decoders strip an embedded signature, see `tool-call-id.ts`). */
  id: string;
  name: string;
  /**
   * Function tools: the JSON arguments as text, exactly as produced (never re-serialized, so replay is
   * byte-stable). Custom (freeform) tools: the raw input string.
   */
  arguments: string;
  kind: ToolCallKind;
  /** Opaque signature bound to this call (Gemini `thoughtSignature`), replayed only to its origin. */
  signature?: string;
  signatureOrigin?: ReasoningOrigin;
  cacheControl?: CacheControl;
  extensions?: Extensions;
}

/** The result of a tool call, sent back by the client. */
export interface ToolResultPart {
  type: "tool-result";
  toolCallId: string;
  /** Tool name when the protocol carries it (Gemini `functionResponse.name` requires it). */
  name?: string;
  /** Text, image and file parts; media stay media, never flattened to text. */
  content: Array<TextPart | ImagePart | FilePart>;
  isError?: boolean;
  kind?: ToolCallKind;
  cacheControl?: CacheControl;
  extensions?: Extensions;
}

/**
 * Model reasoning. Visible text, summaries and opaque artefacts are kept apart because they travel differently:
 * text may cross protocols as text, artefacts go back only to their origin.
 */
export interface ReasoningPart {
  type: "reasoning";
  /** Visible reasoning text (Anthropic thinking, Gemini thought, `reasoning_content`, Responses reasoning_text). */
  text: string;
  /** Responses reasoning summary texts, in order. */
  summary?: string[];
  /** Signature proving the text (Anthropic `signature`, Gemini `thoughtSignature` on a thought part). */
  signature?: string;
  /** Anthropic `redacted_thinking.data`. */
  redactedData?: string;
  /** Responses `encrypted_content`. */
  encryptedContent?: string;
  /** Item id where the protocol has one (Responses `rs_…`). */
  id?: string;
  origin?: ReasoningOrigin;
  extensions?: Extensions;
}

/** A refusal (OpenAI `refusal`). */
export interface RefusalPart {
  type: "refusal";
  text: string;
  extensions?: Extensions;
}

/**
 * A protocol-native item with no neutral meaning (Anthropic server_tool_use / web_search_tool_result, Responses
 * web_search_call, tool_search_call or item types not yet known, Gemini executableCode). Same-protocol encoders put
 * it back verbatim; others drop it with a warning.
 */
export interface NativePart {
  type: "native";
  protocol: ProtocolId;
  /** The item or block exactly as received. */
  value: unknown;
}

/** Any content part. */
export type ContentPart =
  | TextPart
  | ImagePart
  | FilePart
  | AudioPart
  | ToolCallPart
  | ToolResultPart
  | ReasoningPart
  | RefusalPart
  | NativePart;

/** Parts the model produces. */
export type OutputPart = TextPart | ToolCallPart | ReasoningPart | RefusalPart | NativePart | ImagePart;
