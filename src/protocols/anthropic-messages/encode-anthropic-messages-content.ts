import {
  artefactForProtocol,
  canReplayArtefact,
  customToolInputParameter,
  embedSignatureInToolCallId,
  originTagForProtocol,
  toSafeToolCallId,
  type CacheControl,
  type ContentPart,
  type FilePart,
  type ImagePart,
  type MediaSource,
  type ReasoningPart,
  type TextPart,
  type ToolCallPart,
  type ToolResultPart,
  type UnifiedWarning,
} from "../../unified/index.js";
import { isWireObject, parseWireJson, type WireObject } from "../common/index.js";
import { ownExtensions, spreadExtraFields } from "./convert-anthropic-messages-extensions.js";
import { anthropicMessagesProtocol, shapeKeys } from "./types.js";

/** State shared while encoding the parts of one request or response. */
export interface AnthropicMessagesEncodeContext {
  /** "request": to an Anthropic upstream (artefacts only from Anthropic); "response": to an Anthropic client. */
  mode: "request" | "response";
  warnings: UnifiedWarning[];
  /** Unified tool-call id → the id written on the wire, so tool results reference the same id. */
  toolCallIds: Map<string, string>;
}

/** One unified part → one Anthropic content block, or undefined when Anthropic cannot carry it (with a warning). */
export function encodeAnthropicMessagesPart(part: ContentPart, path: string, context: AnthropicMessagesEncodeContext): WireObject | undefined {
  switch (part.type) {
    case "text":
      return encodeAnthropicMessagesTextPart(part, path, context);
    case "image":
      if (context.mode === "response") return dropped(context, "image-output-dropped", "Anthropic responses cannot carry images", path);
      return encodeImage(part, path, context);
    case "file":
      if (context.mode === "response") return dropped(context, "file-output-dropped", "Anthropic responses cannot carry files", path);
      return encodeDocument(part);
    case "audio":
      // Anthropic has no audio input.
      return dropped(context, "audio-dropped", "Anthropic Messages has no audio input; the audio part was dropped", path);
    case "tool-call":
      return encodeToolCall(part, path, context);
    case "tool-result":
      if (context.mode === "response") return dropped(context, "tool-result-output-dropped", "a tool result cannot be a response block", path);
      return encodeToolResult(part, path, context);
    case "reasoning":
      return context.mode === "request" ? encodeReasoningForUpstream(part, path, context) : encodeReasoningForClient(part, path, context);
    case "refusal":
      // Anthropic has no refusal block: the refusal text is sent as text (the stop reason says `refusal`).
      context.warnings.push({ code: "refusal-as-text", message: "a refusal part was sent as a text block", path });
      return { type: "text", text: part.text };
    case "native":
      if (part.protocol === anthropicMessagesProtocol && isWireObject(part.value)) return part.value;
      return dropped(context, "native-part-dropped", `a ${part.protocol} native item cannot be sent to Anthropic`, path);
    default: {
      const unreachable: never = part;
      return unreachable;
    }
  }
}

/** A text block; citations go back only when Anthropic made them (they carry Anthropic's own indexes). */
export function encodeAnthropicMessagesTextPart(part: TextPart, path: string, context: AnthropicMessagesEncodeContext): WireObject {
  const block: WireObject = { type: "text" };
  spreadExtraFields(block, ownExtensions(part.extensions));
  block["text"] = part.text;
  writeCacheControl(block, part.cacheControl);
  if (part.citations !== undefined) {
    const citations: unknown[] = [];
    for (const citation of part.citations) {
      if (citation.origin === anthropicMessagesProtocol) citations.push(citation.raw);
    }
    // Other protocols' annotations cannot be replayed as Anthropic citations (they need Anthropic's indexes).
    if (citations.length < part.citations.length) {
      context.warnings.push({ code: "citations-dropped", message: "citations from another protocol cannot be sent as Anthropic citations", path });
    }
    if (citations.length > 0 || part.citations.length === 0) block["citations"] = citations;
  }
  return block;
}

function encodeImage(part: ImagePart, path: string, context: AnthropicMessagesEncodeContext): WireObject {
  const extensions = ownExtensions(part.extensions);
  const block: WireObject = { type: "image" };
  spreadExtraFields(block, extensions);
  block["source"] = encodeSource(part.source, extensions);
  writeCacheControl(block, part.cacheControl);
  if (part.detail !== undefined) {
    // OpenAI's detail hint (low/high/auto) has no Anthropic counterpart: the image is sent at Anthropic's own size.
    context.warnings.push({ code: "image-detail-dropped", message: `Anthropic has no image detail setting; "${part.detail}" was dropped`, path });
  }
  return block;
}

/**
 * A document block. Text documents (`source.type: "text"`) travel as base64 text/plain in unified form and are
 * written back as text sources; `filename`, which Anthropic lacks, becomes the title when there is none.
 * @see https://docs.claude.com/en/docs/build-with-claude/pdf-support
 */
function encodeDocument(part: FilePart): WireObject {
  const extensions = ownExtensions(part.extensions);
  const block: WireObject = { type: "document" };
  spreadExtraFields(block, extensions);
  const source = part.source;
  if (source.kind === "base64" && (extensions?.[shapeKeys.textSource] === true || source.mediaType.startsWith("text/"))) {
    const textSource: WireObject = { type: "text" };
    spreadExtraFields(textSource, sourceExtra(extensions));
    // Anthropic's text source accepts only text/plain; other text types keep their bytes, not their label.
    textSource["media_type"] = extensions?.[shapeKeys.textSource] === true ? source.mediaType : "text/plain";
    textSource["data"] = Buffer.from(source.data, "base64").toString("utf8");
    block["source"] = textSource;
  } else {
    block["source"] = encodeSource(source, extensions);
  }
  const title = part.title ?? part.filename;
  if (title !== undefined) block["title"] = title;
  writeCacheControl(block, part.cacheControl);
  return block;
}

function encodeSource(source: MediaSource, extensions: Record<string, unknown> | undefined): WireObject {
  const wire: WireObject = {};
  spreadExtraFields(wire, sourceExtra(extensions));
  switch (source.kind) {
    case "url": {
      // Anthropic's url source takes http(s) only: a data URL is sent as base64 instead.
      const dataUrl = /^data:([^;,]+);base64,/.exec(source.url);
      if (dataUrl !== null) {
        wire["type"] = "base64";
        wire["media_type"] = dataUrl[1];
        wire["data"] = source.url.slice(dataUrl[0].length);
      } else {
        wire["type"] = "url";
        wire["url"] = source.url;
      }
      return wire;
    }
    case "base64":
      wire["type"] = "base64";
      wire["media_type"] = source.mediaType;
      wire["data"] = source.data;
      return wire;
    case "file-id":
      wire["type"] = "file";
      wire["file_id"] = source.fileId;
      return wire;
    default: {
      const unreachable: never = source;
      return unreachable;
    }
  }
}

function sourceExtra(extensions: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const extra = extensions?.[shapeKeys.sourceExtra];
  return isWireObject(extra) ? extra : undefined;
}

/**
 * The wire id of a tool call: Anthropic's charset (`toSafeToolCallId`), with a foreign signature (Gemini
 * thoughtSignature) embedded so that it survives the client's history and returns with the tool result.
 */
export function encodeAnthropicMessagesToolCallId(part: Pick<ToolCallPart, "id" | "signature">): string {
  const safe = toSafeToolCallId(part.id);
  return part.signature === undefined ? safe : embedSignatureInToolCallId(safe, part.signature);
}

/** Tool-call arguments (JSON text, or a custom tool's raw input) → the `input` object Anthropic requires. */
export function encodeAnthropicMessagesToolInput(part: Pick<ToolCallPart, "arguments" | "kind">, path: string, warnings: UnifiedWarning[]): unknown {
  // A custom (freeform) call crosses as a function taking `{input: string}` (custom-tool-bridge).
  if (part.kind === "custom") return { [customToolInputParameter]: part.arguments };
  if (part.arguments === "") return {};
  const parsed = parseWireJson(part.arguments);
  if (isWireObject(parsed)) return parsed;
  // Anthropic accepts only an object; truncated or non-object arguments cannot be replayed as they were.
  warnings.push({ code: "tool-arguments-invalid", message: "tool-call arguments are not a JSON object; sent as {}", path });
  return {};
}

function encodeToolCall(part: ToolCallPart, path: string, context: AnthropicMessagesEncodeContext): WireObject {
  const id = encodeAnthropicMessagesToolCallId(part);
  context.toolCallIds.set(part.id, id);
  const block: WireObject = { type: "tool_use" };
  spreadExtraFields(block, ownExtensions(part.extensions));
  block["id"] = id;
  block["name"] = part.name;
  block["input"] = encodeAnthropicMessagesToolInput(part, path, context.warnings);
  writeCacheControl(block, part.cacheControl);
  return block;
}

function encodeToolResult(part: ToolResultPart, path: string, context: AnthropicMessagesEncodeContext): WireObject {
  const extensions = ownExtensions(part.extensions);
  const block: WireObject = { type: "tool_result" };
  spreadExtraFields(block, extensions);
  block["tool_use_id"] = context.toolCallIds.get(part.toolCallId) ?? toSafeToolCallId(part.toolCallId);
  const form = extensions?.[shapeKeys.contentForm];
  const native = extensions?.[shapeKeys.nativeContent];
  const hasNative = Array.isArray(native) && native.length > 0;
  const only = part.content.length === 1 ? part.content[0] : undefined;
  // Without a recorded form (another protocol's result), one plain text goes as a string and nothing as no content.
  const plainText = only?.type === "text" && only.cacheControl === undefined && only.citations === undefined && only.extensions === undefined;
  if (!hasNative && only?.type === "text" && (form === "string" || (form === undefined && plainText))) {
    block["content"] = only.text;
  } else if (hasNative || part.content.length > 0 || form === "blocks") {
    const content: unknown[] = [];
    for (let index = 0; index < part.content.length; index++) {
      const encoded = encodeAnthropicMessagesPart(part.content[index] as ContentPart, `${path}.content[${index}]`, context);
      if (encoded !== undefined) content.push(encoded);
    }
    if (hasNative) {
      for (const entry of native as Array<{ index: number; value: unknown }>) content.splice(entry.index, 0, entry.value);
    }
    block["content"] = content;
  }
  if (part.isError !== undefined) block["is_error"] = part.isError;
  writeCacheControl(block, part.cacheControl);
  return block;
}

/**
 * Reasoning sent to an Anthropic upstream: signed thinking and redacted thinking go back verbatim, but only when
 * they came from Anthropic (`canReplayArtefact`). Anthropic rejects unsigned or foreign-signed thinking, so such a
 * block is dropped whole, visible text included: sending it as text would put the reasoning into the answer.
 * @see https://docs.claude.com/en/docs/build-with-claude/extended-thinking#preserving-thinking-blocks
 */
function encodeReasoningForUpstream(part: ReasoningPart, path: string, context: AnthropicMessagesEncodeContext): WireObject | undefined {
  const replayable = canReplayArtefact(part.origin, anthropicMessagesProtocol);
  if (replayable && part.redactedData !== undefined) {
    const block: WireObject = { type: "redacted_thinking" };
    spreadExtraFields(block, ownExtensions(part.extensions));
    block["data"] = part.redactedData;
    return block;
  }
  if (replayable && part.signature !== undefined) {
    const block: WireObject = { type: "thinking" };
    spreadExtraFields(block, ownExtensions(part.extensions));
    block["thinking"] = part.text;
    block["signature"] = part.signature;
    return block;
  }
  const why = part.signature === undefined && part.redactedData === undefined ? "it has no signature" : `it came from ${part.origin?.protocol ?? "another protocol"}`;
  return dropped(context, "reasoning-artefact-dropped", `a reasoning block cannot be replayed to Anthropic: ${why}`, path);
}

/**
 * Reasoning written to an Anthropic client: artefacts are tagged with their origin when they are not Anthropic's
 * (`artefactForProtocol`) so they come back to the right upstream. Redacted data goes in `redacted_thinking`; any
 * other artefact in the thinking block's `signature`, which is how another protocol's encrypted reasoning
 * (Responses `encrypted_content`) reaches the client at all: its tag names its kind and the item id Anthropic has no
 * slot for, so the next turn restores both (reasoning-signature.ts). Encrypted data claiming to be Anthropic's
 * cannot exist and is dropped.
 */
function encodeReasoningForClient(part: ReasoningPart, path: string, context: AnthropicMessagesEncodeContext): WireObject | undefined {
  if (part.redactedData !== undefined) {
    if (part.signature !== undefined || part.encryptedContent !== undefined) {
      context.warnings.push({ code: "reasoning-artefact-dropped", message: "a second reasoning artefact does not fit redacted_thinking", path });
    }
    return { type: "redacted_thinking", data: artefactForProtocol(part.redactedData, part.origin, anthropicMessagesProtocol, "redacted", part.id) };
  }
  let signature = part.signature === undefined ? undefined : artefactForProtocol(part.signature, part.origin, anthropicMessagesProtocol, "signature", part.id);
  if (part.encryptedContent !== undefined) {
    if (signature !== undefined || part.origin === undefined || part.origin.protocol === anthropicMessagesProtocol) {
      const why = signature === undefined ? "encrypted reasoning without a foreign origin has no Anthropic form" : "a second reasoning artefact does not fit the signature";
      context.warnings.push({ code: "reasoning-artefact-dropped", message: `${why} and was dropped`, path });
    } else {
      signature = artefactForProtocol(part.encryptedContent, part.origin, anthropicMessagesProtocol, "encrypted", part.id);
    }
  }
  const text = part.text !== "" || part.summary === undefined ? part.text : part.summary.join("\n\n");
  if (text === "" && signature === undefined) return undefined;
  const block: WireObject = { type: "thinking" };
  spreadExtraFields(block, ownExtensions(part.extensions));
  block["thinking"] = text;
  // Anthropic clients expect a signature string. An unsigned block never gets a fabricated signature: "" when its
  // origin is unknown or Anthropic, else the bare origin tag (`swy1.openai-chat.`), so that Claude Code's next turn
  // brings the origin back and a Chat upstream gets its reasoning_content replayed (DeepSeek, Kimi).
  block["signature"] = signature ?? originTagForProtocol(part.origin, anthropicMessagesProtocol) ?? "";
  return block;
}

/** Writes `cache_control` when the part has one. */
export function writeCacheControl(target: WireObject, cacheControl: CacheControl | undefined): void {
  if (cacheControl === undefined) return;
  target["cache_control"] = cacheControl.ttl === undefined ? { type: "ephemeral" } : { type: "ephemeral", ttl: cacheControl.ttl };
}

function dropped(context: AnthropicMessagesEncodeContext, code: string, message: string, path: string): undefined {
  context.warnings.push({ code, message, path });
  return undefined;
}
