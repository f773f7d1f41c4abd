import {
  invalidRequest,
  reasoningArtefactFields,
  splitToolCallId,
  untagReasoningArtefact,
  type CacheControl,
  type Citation,
  type ContentPart,
  type FilePart,
  type ImagePart,
  type MediaSource,
  type NativePart,
  type ReasoningPart,
  type TextPart,
  type ToolCallPart,
  type ToolResultPart,
} from "../../unified/index.js";
import {
  describeJsonType,
  expectObject,
  isWireObject,
  joinPath,
  optionalBoolean,
  requiredString,
  type WireObject,
} from "../common/index.js";
import { collectExtraFields, toExtensions } from "./convert-anthropic-messages-extensions.js";
import { anthropicMessagesProtocol, shapeKeys } from "./types.js";

/** State shared while decoding one request's content. */
export interface AnthropicMessagesContentContext {
  /** tool_use id → tool name, so tool results can name their tool (Gemini's functionResponse needs it). */
  toolNames: Map<string, string>;
}

const textFields = new Set(["type", "text", "cache_control", "citations"]);
const imageFields = new Set(["type", "source", "cache_control"]);
const documentFields = new Set(["type", "source", "cache_control", "title"]);
const toolUseFields = new Set(["type", "id", "name", "input", "cache_control"]);
const toolResultFields = new Set(["type", "tool_use_id", "content", "is_error", "cache_control"]);
const thinkingFields = new Set(["type", "thinking", "signature"]);
const redactedThinkingFields = new Set(["type", "data"]);

/** Message or tool_result `content`: a string (one text part) or an array of blocks. */
export function decodeAnthropicMessagesContent(
  value: unknown,
  path: string,
  context: AnthropicMessagesContentContext,
): { parts: ContentPart[]; isString: boolean } {
  if (typeof value === "string") return { parts: [{ type: "text", text: value }], isString: true };
  if (!Array.isArray(value)) {
    throw invalidRequest(path, `expected a string or an array of content blocks, got ${describeJsonType(value)}`);
  }
  const parts: ContentPart[] = new Array<ContentPart>(value.length);
  for (let index = 0; index < value.length; index++) {
    parts[index] = decodeAnthropicMessagesBlock(value[index], joinPath(path, index), context);
  }
  return { parts, isString: false };
}

/**
 * One content block. Known block types are checked field by field; every other type (server_tool_use,
 * web_search_tool_result, search_result, container_upload, types released after this code) is kept verbatim as a
 * NativePart: Claude Code ships new block types with every release, so an unknown type is never an error.
 * @see https://docs.claude.com/en/api/messages#body-messages-content
 */
export function decodeAnthropicMessagesBlock(value: unknown, path: string, context: AnthropicMessagesContentContext): ContentPart {
  const block = expectObject(value, path);
  const type = requiredString(block, "type", path);
  switch (type) {
    case "text":
      return decodeAnthropicMessagesTextBlock(block, path);
    case "image":
      return decodeImageBlock(block, path) ?? nativePart(block);
    case "document":
      return decodeDocumentBlock(block, path) ?? nativePart(block);
    case "tool_use":
      return decodeToolUseBlock(block, path, context);
    case "tool_result":
      return decodeToolResultBlock(block, path, context);
    case "thinking":
      return decodeThinkingBlock(block, path);
    case "redacted_thinking":
      return decodeRedactedThinkingBlock(block, path);
    default:
      return nativePart(block);
  }
}

/** A text block (also a `system` block). */
export function decodeAnthropicMessagesTextBlock(block: WireObject, path: string): TextPart {
  const part: TextPart = { type: "text", text: requiredString(block, "text", path) };
  const citations = block["citations"];
  if (citations !== undefined && citations !== null) {
    const citationsPath = joinPath(path, "citations");
    if (!Array.isArray(citations)) throw invalidRequest(citationsPath, `expected an array, got ${describeJsonType(citations)}`);
    part.citations = citations.map((citation, index) => decodeAnthropicMessagesCitation(citation, joinPath(citationsPath, index)));
  }
  const extensions = toExtensions(withCacheControl(part, block, path, collectExtraFields(block, textFields)));
  if (extensions !== undefined) part.extensions = extensions;
  return part;
}

/**
 * `cache_control`. Only the exact `{type:"ephemeral", ttl?}` shape becomes a unified CacheControl; anything richer
 * returns undefined and the caller keeps it verbatim, so no cache hint is ever lost or altered.
 * @see https://docs.claude.com/en/docs/build-with-claude/prompt-caching
 */
export function decodeAnthropicMessagesCacheControl(value: unknown, path: string): CacheControl | undefined {
  const object = expectObject(value, path);
  if (object["type"] !== "ephemeral") return undefined;
  let ttl: string | undefined;
  for (const key in object) {
    if (key === "type") continue;
    if (key !== "ttl" || typeof object[key] !== "string") return undefined;
    ttl = object[key] as string;
  }
  return ttl === undefined ? { type: "ephemeral" } : { type: "ephemeral", ttl };
}

/**
 * A citation on a text block, kept whole in `raw` (Anthropic needs it back exactly, e.g. `encrypted_index`);
 * web search locations also fill the neutral url/title fields.
 * @see https://docs.claude.com/en/docs/build-with-claude/citations
 */
export function decodeAnthropicMessagesCitation(value: unknown, path: string): Citation {
  const citation = expectObject(value, path);
  const url = citation["url"];
  const citationOut: Citation = { kind: typeof url === "string" ? "url" : "other", raw: citation, origin: anthropicMessagesProtocol };
  if (typeof url === "string") citationOut.url = url;
  const title = citation["title"];
  if (typeof title === "string") citationOut.title = title;
  const citedText = citation["cited_text"];
  if (typeof citedText === "string") citationOut.citedText = citedText;
  const start = citation["start_char_index"];
  if (typeof start === "number") citationOut.startIndex = start;
  const end = citation["end_char_index"];
  if (typeof end === "number") citationOut.endIndex = end;
  return citationOut;
}

/** The media source of an image or document; undefined for a source type this codec does not map. */
function decodeMediaSource(
  source: WireObject,
  path: string,
): { source: MediaSource; extra: Record<string, unknown> | undefined; textSource: boolean } | undefined {
  const type = requiredString(source, "type", path);
  switch (type) {
    case "base64": {
      const mediaType = requiredString(source, "media_type", path);
      const data = requiredString(source, "data", path);
      return { source: { kind: "base64", mediaType, data }, extra: collectExtraFields(source, base64SourceFields), textSource: false };
    }
    case "url":
      return { source: { kind: "url", url: requiredString(source, "url", path) }, extra: collectExtraFields(source, urlSourceFields), textSource: false };
    case "file":
      return { source: { kind: "file-id", fileId: requiredString(source, "file_id", path) }, extra: collectExtraFields(source, fileSourceFields), textSource: false };
    case "text": {
      // Plain-text documents carry raw text in `data`; unified media sources hold base64, so encode it and mark
      // the block so the Anthropic encoder writes a text source again.
      const mediaType = requiredString(source, "media_type", path);
      const text = requiredString(source, "data", path);
      const data = Buffer.from(text, "utf8").toString("base64");
      return { source: { kind: "base64", mediaType, data }, extra: collectExtraFields(source, base64SourceFields), textSource: true };
    }
    default:
      return undefined;
  }
}

const base64SourceFields = new Set(["type", "media_type", "data"]);
const urlSourceFields = new Set(["type", "url"]);
const fileSourceFields = new Set(["type", "file_id"]);

function decodeImageBlock(block: WireObject, path: string): ImagePart | undefined {
  const sourcePath = joinPath(path, "source");
  const decoded = decodeMediaSource(expectObject(block["source"], sourcePath), sourcePath);
  if (decoded === undefined) return undefined;
  const part: ImagePart = { type: "image", source: decoded.source };
  let extra = collectExtraFields(block, imageFields);
  extra = withCacheControl(part, block, path, extra);
  if (decoded.extra !== undefined) (extra ??= {})[shapeKeys.sourceExtra] = decoded.extra;
  const extensions = toExtensions(extra);
  if (extensions !== undefined) part.extensions = extensions;
  return part;
}

function decodeDocumentBlock(block: WireObject, path: string): FilePart | undefined {
  const sourcePath = joinPath(path, "source");
  const decoded = decodeMediaSource(expectObject(block["source"], sourcePath), sourcePath);
  // `content` sources (a list of blocks) have no unified media form: the whole document stays native.
  if (decoded === undefined) return undefined;
  const part: FilePart = { type: "file", source: decoded.source };
  const title = block["title"];
  if (typeof title === "string") part.title = title;
  else if (title !== undefined && title !== null) throw invalidRequest(joinPath(path, "title"), `expected a string, got ${describeJsonType(title)}`);
  let extra = collectExtraFields(block, documentFields);
  extra = withCacheControl(part, block, path, extra);
  if (decoded.extra !== undefined) (extra ??= {})[shapeKeys.sourceExtra] = decoded.extra;
  if (decoded.textSource) (extra ??= {})[shapeKeys.textSource] = true;
  const extensions = toExtensions(extra);
  if (extensions !== undefined) part.extensions = extensions;
  return part;
}

function decodeToolUseBlock(block: WireObject, path: string, context: AnthropicMessagesContentContext): ToolCallPart {
  const split = splitToolCallId(requiredString(block, "id", path));
  const name = requiredString(block, "name", path);
  const input = block["input"];
  if (input === undefined) throw invalidRequest(joinPath(path, "input"), "is required");
  // Arguments are JSON text in unified form; Anthropic gives a parsed object, so this is the one place it is
  // serialized (tool inputs are small next to the conversation).
  const part: ToolCallPart = { type: "tool-call", id: split.id, name, arguments: JSON.stringify(input), kind: "function" };
  if (split.signature !== undefined) {
    part.signature = split.signature;
    part.signatureOrigin = { protocol: "gemini" };
  }
  let extra = collectExtraFields(block, toolUseFields);
  extra = withCacheControl(part, block, path, extra);
  const extensions = toExtensions(extra);
  if (extensions !== undefined) part.extensions = extensions;
  context.toolNames.set(split.id, name);
  return part;
}

function decodeToolResultBlock(block: WireObject, path: string, context: AnthropicMessagesContentContext): ToolResultPart {
  const toolCallId = splitToolCallId(requiredString(block, "tool_use_id", path)).id;
  const part: ToolResultPart = { type: "tool-result", toolCallId, content: [] };
  let extra = collectExtraFields(block, toolResultFields);
  const content = block["content"];
  const contentPath = joinPath(path, "content");
  if (content === undefined) {
    (extra ??= {})[shapeKeys.contentForm] = "absent";
  } else if (content !== null) {
    const decoded = decodeAnthropicMessagesContent(content, contentPath, context);
    (extra ??= {})[shapeKeys.contentForm] = decoded.isString ? "string" : "blocks";
    let native: Array<{ index: number; value: unknown }> | undefined;
    decoded.parts.forEach((inner, index) => {
      if (inner.type === "text" || inner.type === "image" || inner.type === "file") part.content.push(inner);
      // Unified tool results hold text and media only; other blocks (search_result, tool_reference…) ride in the
      // extension with their position so the Anthropic encoder puts them back in place.
      else (native ??= []).push({ index, value: (content as unknown[])[index] });
    });
    if (native !== undefined) extra[shapeKeys.nativeContent] = native;
  }
  const isError = optionalBoolean(block, "is_error", path);
  if (isError !== undefined) part.isError = isError;
  const name = context.toolNames.get(toolCallId);
  if (name !== undefined) part.name = name;
  extra = withCacheControl(part, block, path, extra);
  const extensions = toExtensions(extra);
  if (extensions !== undefined) part.extensions = extensions;
  return part;
}

function decodeThinkingBlock(block: WireObject, path: string): ReasoningPart {
  const part: ReasoningPart = { type: "reasoning", text: requiredString(block, "thinking", path) };
  const signature = block["signature"];
  // An empty signature proves nothing (Anthropic never sends one back); treat the block as unsigned, of no known
  // origin. A tag with an empty artefact (`swy1.openai-chat.`) is unsigned reasoning whose origin a client-facing
  // encoder recorded: the origin stays, no signature is set. A tag's kind marker restores another kind of artefact
  // that rode in the signature (Responses encrypted_content, with its item id): reasoning-signature.ts.
  if (typeof signature === "string" && signature !== "") {
    const untagged = untagReasoningArtefact(signature, anthropicMessagesProtocol);
    if (untagged.artefact !== "") part[reasoningArtefactFields[untagged.kind ?? "signature"]] = untagged.artefact;
    if (untagged.id !== undefined) part.id = untagged.id;
    part.origin = untagged.origin;
  } else if (signature !== undefined && signature !== null && typeof signature !== "string") {
    throw invalidRequest(joinPath(path, "signature"), `expected a string, got ${describeJsonType(signature)}`);
  }
  const extensions = toExtensions(collectExtraFields(block, thinkingFields));
  if (extensions !== undefined) part.extensions = extensions;
  return part;
}

function decodeRedactedThinkingBlock(block: WireObject, path: string): ReasoningPart {
  const untagged = untagReasoningArtefact(requiredString(block, "data", path), anthropicMessagesProtocol);
  const part: ReasoningPart = { type: "reasoning", text: "", origin: untagged.origin };
  // A bare origin tag carries no data (see decodeThinkingBlock); a tag without a kind marker holds redacted data.
  if (untagged.artefact !== "" || untagged.origin.protocol === anthropicMessagesProtocol) part[reasoningArtefactFields[untagged.kind ?? "redacted"]] = untagged.artefact;
  if (untagged.id !== undefined) part.id = untagged.id;
  const extensions = toExtensions(collectExtraFields(block, redactedThinkingFields));
  if (extensions !== undefined) part.extensions = extensions;
  return part;
}

/** Sets `cacheControl` on a part, or keeps an unusual `cache_control` verbatim in `extra`. */
function withCacheControl(
  part: { cacheControl?: CacheControl },
  block: WireObject,
  path: string,
  extra: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  const value = block["cache_control"];
  if (value === undefined || value === null) return extra;
  const decoded = decodeAnthropicMessagesCacheControl(value, joinPath(path, "cache_control"));
  if (decoded !== undefined) {
    part.cacheControl = decoded;
    return extra;
  }
  const kept = extra ?? {};
  kept["cache_control"] = value;
  return kept;
}

/** A block kept verbatim for Anthropic upstreams. */
export function nativePart(block: WireObject): NativePart {
  return { type: "native", protocol: anthropicMessagesProtocol, value: block };
}

/** True for an object with a string `type`: the least a response content entry must be to be decoded. */
export function isAnthropicMessagesBlock(value: unknown): value is WireObject & { type: string } {
  return isWireObject(value) && typeof value["type"] === "string";
}
