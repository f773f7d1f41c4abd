import {
  invalidRequest,
  type AudioPart,
  type CacheControl,
  type FilePart,
  type ImagePart,
  type MediaSource,
  type RefusalPart,
  type TextPart,
} from "../../unified/index.js";
import {
  collectUnknownFields,
  describeJsonType,
  expectObject,
  isWireObject,
  joinPath,
  optionalString,
  requiredString,
  type WireObject,
} from "../common/index.js";
import { addChatMarker, convertToChatExtensions } from "./convert-openai-chat-extensions.js";
import { chatMarkers, type ChatContentForm } from "./types.js";

/** A part a Chat message's `content` array may hold. */
export type ChatContentPart = TextPart | ImagePart | FilePart | AudioPart | RefusalPart;

/** Decoded message content plus how the wire wrote it. */
export interface DecodedChatContent {
  parts: ChatContentPart[];
  /** Undefined for a plain non-empty string. */
  form?: ChatContentForm;
}

const knownTextFields = new Set(["type", "text", "cache_control"]);
const textFieldsWithoutCache = new Set(["type", "text"]);
const knownImageFields = new Set(["type", "image_url"]);
const knownImageUrlFields = new Set(["url", "detail"]);
const knownAudioFields = new Set(["type", "input_audio"]);
const knownInputAudioFields = new Set(["data", "format"]);
const knownFileFields = new Set(["type", "file"]);
const knownInnerFileFields = new Set(["file_data", "file_id", "filename"]);
const knownRefusalFields = new Set(["type", "refusal"]);

/**
 * A message's `content` (string, array of parts, null or absent) → parts. An empty string gives no part (an empty
 * text block is rejected by other providers) and is remembered as the form, like null, absent and array.
 * @see https://platform.openai.com/docs/api-reference/chat/create#chat-create-messages
 */
export function decodeOpenAiChatContent(message: WireObject, path: string): DecodedChatContent {
  if (!("content" in message)) return { parts: [], form: "absent" };
  const content = message["content"];
  if (content === null) return { parts: [], form: "null" };
  if (typeof content === "string") return content === "" ? { parts: [], form: "empty" } : { parts: [{ type: "text", text: content }] };
  const contentPath = joinPath(path, "content");
  if (!Array.isArray(content)) {
    throw invalidRequest(contentPath, `expected a string or an array of content parts, got ${describeJsonType(content)}`);
  }
  const parts: ChatContentPart[] = new Array<ChatContentPart>(content.length);
  for (let index = 0; index < content.length; index += 1) {
    parts[index] = decodeOpenAiChatContentPart(content[index], joinPath(contentPath, index));
  }
  return { parts, form: "parts" };
}

/** One content part; an unknown `type` is a structural error (Chat's part types are a closed set). */
export function decodeOpenAiChatContentPart(value: unknown, path: string): ChatContentPart {
  const part = expectObject(value, path);
  const type = requiredString(part, "type", path);
  switch (type) {
    case "text": {
      const decoded: TextPart = { type: "text", text: requiredString(part, "text", path) };
      const cacheControl = readCacheControl(part["cache_control"]);
      // OpenRouter and Anthropic-compatible servers take `cache_control` on text parts; an odd one stays verbatim.
      const unknown = collectUnknownFields(part, cacheControl === undefined ? textFieldsWithoutCache : knownTextFields);
      if (cacheControl !== undefined) decoded.cacheControl = cacheControl;
      return withExtensions(decoded, unknown, undefined);
    }
    case "image_url": {
      const inner = expectObject(part["image_url"], joinPath(path, "image_url"));
      const url = requiredString(inner, "url", joinPath(path, "image_url"));
      const decoded: ImagePart = { type: "image", source: sourceFromUrl(url) };
      const detail = optionalString(inner, "detail", joinPath(path, "image_url"));
      if (detail !== undefined) decoded.detail = detail;
      return withExtensions(decoded, collectUnknownFields(part, knownImageFields), innerMarkers(inner, knownImageUrlFields));
    }
    case "input_audio": {
      const innerPath = joinPath(path, "input_audio");
      const inner = expectObject(part["input_audio"], innerPath);
      const decoded: AudioPart = {
        type: "audio",
        data: requiredString(inner, "data", innerPath),
        format: requiredString(inner, "format", innerPath),
      };
      return withExtensions(decoded, collectUnknownFields(part, knownAudioFields), innerMarkers(inner, knownInputAudioFields));
    }
    case "file":
      return decodeFilePart(part, path);
    case "refusal": {
      const decoded: RefusalPart = { type: "refusal", text: requiredString(part, "refusal", path) };
      return withExtensions(decoded, collectUnknownFields(part, knownRefusalFields), undefined);
    }
    default:
      throw invalidRequest(joinPath(path, "type"), `unknown content part type "${type}"`);
  }
}

function decodeFilePart(part: WireObject, path: string): FilePart {
  const innerPath = joinPath(path, "file");
  const inner = expectObject(part["file"], innerPath);
  const fileData = optionalString(inner, "file_data", innerPath);
  const fileId = optionalString(inner, "file_id", innerPath);
  let markers = innerMarkers(inner, knownInnerFileFields);
  let source: MediaSource;
  if (fileData !== undefined) {
    const parsed = parseDataUrl(fileData);
    if (parsed === undefined) {
      // Some clients send bare base64; the media type is unknown, so remember to write it back bare.
      source = { kind: "base64", mediaType: "application/octet-stream", data: fileData };
      markers = addChatMarker(markers, chatMarkers.fileDataRaw, true);
    } else {
      source = parsed;
    }
    if (fileId !== undefined) markers = addChatMarker(markers, chatMarkers.innerFields, { ...innerFieldsOf(markers), file_id: fileId });
  } else if (fileId !== undefined) {
    source = { kind: "file-id", fileId };
  } else {
    throw invalidRequest(innerPath, "needs file_data or file_id");
  }
  const decoded: FilePart = { type: "file", source };
  const filename = optionalString(inner, "filename", innerPath);
  if (filename !== undefined) decoded.filename = filename;
  return withExtensions(decoded, collectUnknownFields(part, knownFileFields), markers);
}

function innerFieldsOf(markers: Record<string, unknown> | undefined): Record<string, unknown> {
  const inner = markers?.[chatMarkers.innerFields];
  return isWireObject(inner) ? inner : {};
}

/** Unknown fields nested in a part's inner object, as an `innerFields` marker. */
function innerMarkers(inner: WireObject, known: ReadonlySet<string>): Record<string, unknown> | undefined {
  const unknown = collectUnknownFields(inner, known);
  return unknown === undefined ? undefined : { [chatMarkers.innerFields]: unknown };
}

function withExtensions<T extends ChatContentPart>(
  part: T,
  unknown: Record<string, unknown> | undefined,
  markers: Record<string, unknown> | undefined,
): T {
  const extensions = convertToChatExtensions(unknown, markers);
  if (extensions !== undefined) part.extensions = extensions;
  return part;
}

/** A URL or a `data:<type>;base64,<data>` URL as a media source (base64 sources rebuild the same URL). */
export function sourceFromUrl(url: string): MediaSource {
  return parseDataUrl(url) ?? { kind: "url", url };
}

function parseDataUrl(url: string): MediaSource | undefined {
  if (!url.startsWith("data:")) return undefined;
  // Search only the header: the payload can be megabytes and never holds ";base64,".
  const marker = url.indexOf(";base64,", 5);
  if (marker < 0 || marker > 256) return undefined;
  const mediaType = url.slice(5, marker);
  if (mediaType.includes(",")) return undefined;
  return { kind: "base64", mediaType, data: url.slice(marker + ";base64,".length) };
}

/** `cache_control` in the one shape the unified type holds exactly; anything else stays an unknown field. */
function readCacheControl(value: unknown): CacheControl | undefined {
  if (!isWireObject(value) || value["type"] !== "ephemeral") return undefined;
  const ttl = value["ttl"];
  for (const key in value) {
    if (key !== "type" && key !== "ttl") return undefined;
  }
  if (ttl === undefined) return { type: "ephemeral" };
  return typeof ttl === "string" ? { type: "ephemeral", ttl } : undefined;
}
