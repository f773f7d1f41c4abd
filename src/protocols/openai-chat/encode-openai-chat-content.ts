import type {
  AudioPart,
  FilePart,
  ImagePart,
  MediaSource,
  RefusalPart,
  TextPart,
  UnifiedWarning,
} from "../../unified/index.js";
import { isWireObject } from "../common/index.js";
import { readChatExtensions, writeChatUnknownFields } from "./convert-openai-chat-extensions.js";
import { chatMarkers, type ChatContentForm, type ChatWireContentPart, type ChatWireObject } from "./types.js";

/** A part that can sit in a Chat `content` array. */
export type EncodableChatPart = TextPart | ImagePart | FilePart | AudioPart | RefusalPart;

/** What the content encoder needs to know besides the parts. */
export interface ChatContentContext {
  /** Write `cache_control` on text parts (only for requests a Chat client wrote itself, see the request encoder). */
  writeCacheControl: boolean;
  warnings: UnifiedWarning[];
  path: string;
}

/**
 * Parts → a message's `content`, in the form the wire used when known (`parts`, `null`, absent, `""`); otherwise a
 * plain string for one bare text part, an array for anything richer, and `fallback` when there is nothing.
 * Returns undefined to leave `content` out.
 */
export function encodeOpenAiChatContent(
  parts: readonly EncodableChatPart[],
  form: ChatContentForm | undefined,
  fallback: string | null | undefined,
  context: ChatContentContext,
): string | null | ChatWireContentPart[] | undefined {
  if (parts.length === 0) {
    switch (form) {
      case "parts":
        return [];
      case "null":
        return null;
      case "absent":
        return undefined;
      case "empty":
        return "";
      case undefined:
        return fallback;
      default: {
        const unreachable: never = form;
        return unreachable;
      }
    }
  }
  const only = parts[0];
  if (form !== "parts" && parts.length === 1 && only !== undefined && only.type === "text" && isBareText(only, context)) {
    if (only.cacheControl !== undefined) warnCacheControl(context);
    return only.text;
  }
  const encoded: ChatWireContentPart[] = [];
  parts.forEach((part, index) => {
    const wire = encodeOpenAiChatContentPart(part, { ...context, path: `${context.path}[${index}]` });
    if (wire !== undefined) encoded.push(wire);
  });
  return encoded;
}

function isBareText(part: TextPart, context: ChatContentContext): boolean {
  return (part.cacheControl === undefined || !context.writeCacheControl) && readChatExtensions(part.extensions) === undefined;
}

/** One part → a Chat content part; undefined (with a warning) when Chat cannot carry it. */
export function encodeOpenAiChatContentPart(part: EncodableChatPart, context: ChatContentContext): ChatWireContentPart | undefined {
  const ext = readChatExtensions(part.extensions);
  let wire: ChatWireContentPart;
  switch (part.type) {
    case "text":
      wire = { type: "text", text: part.text };
      if (part.cacheControl !== undefined) {
        if (context.writeCacheControl) wire["cache_control"] = { ...part.cacheControl };
        else warnCacheControl(context);
      }
      break;
    case "image": {
      const url = urlOfSource(part.source);
      if (url === undefined) {
        // Chat's image_url takes a URL or a data URL, never an uploaded file id.
        context.warnings.push({ code: "image-file-id-unsupported", message: "Chat images cannot reference a file id; image dropped", path: context.path });
        return undefined;
      }
      const inner: ChatWireObject = { url };
      if (part.detail !== undefined) inner["detail"] = part.detail;
      wire = { type: "image_url", image_url: withInnerFields(inner, ext) };
      break;
    }
    case "file": {
      const inner = encodeFileInner(part, ext, context);
      if (inner === undefined) return undefined;
      wire = { type: "file", file: inner };
      break;
    }
    case "audio":
      wire = { type: "input_audio", input_audio: withInnerFields({ data: part.data, format: audioFormat(part.format) }, ext) };
      break;
    case "refusal":
      wire = { type: "refusal", refusal: part.text };
      break;
    default: {
      const unreachable: never = part;
      return unreachable;
    }
  }
  writeChatUnknownFields(wire, ext);
  return wire;
}

function encodeFileInner(part: FilePart, ext: Record<string, unknown> | undefined, context: ChatContentContext): ChatWireObject | undefined {
  const inner: ChatWireObject = {};
  const source = part.source;
  switch (source.kind) {
    case "base64":
      inner["file_data"] = ext?.[chatMarkers.fileDataRaw] === true ? source.data : `data:${source.mediaType};base64,${source.data}`;
      break;
    case "file-id":
      inner["file_id"] = source.fileId;
      break;
    case "url":
      // Chat file parts take inline data or an uploaded file id, not a URL.
      context.warnings.push({ code: "file-url-unsupported", message: "Chat file parts cannot reference a URL; file dropped", path: context.path });
      return undefined;
    default: {
      const unreachable: never = source;
      return unreachable;
    }
  }
  if (part.filename !== undefined) inner["filename"] = part.filename;
  return withInnerFields(inner, ext);
}

function withInnerFields(inner: ChatWireObject, ext: Record<string, unknown> | undefined): ChatWireObject {
  const extra = ext?.[chatMarkers.innerFields];
  if (isWireObject(extra)) Object.assign(inner, extra);
  return inner;
}

/** A media source as a URL: URLs as they are, base64 as a data URL (the exact one the decoder split). */
export function urlOfSource(source: MediaSource): string | undefined {
  switch (source.kind) {
    case "url":
      return source.url;
    case "base64":
      return `data:${source.mediaType};base64,${source.data}`;
    case "file-id":
      return undefined;
    default: {
      const unreachable: never = source;
      return unreachable;
    }
  }
}

/** Chat `input_audio.format` wants "wav" / "mp3"; other protocols give media types. */
function audioFormat(format: string): string {
  const slash = format.indexOf("/");
  if (slash < 0) return format;
  const subtype = format.slice(slash + 1);
  if (subtype === "mpeg") return "mp3";
  if (subtype === "x-wav" || subtype === "wave") return "wav";
  return subtype;
}

/** One `cache-control-dropped` warning per request, however many breakpoints were dropped. */
export function warnCacheControl(context: Pick<ChatContentContext, "warnings" | "path">): void {
  if (context.warnings.some((warning) => warning.code === "cache-control-dropped")) return;
  context.warnings.push({
    code: "cache-control-dropped",
    message: "cache_control breakpoints from another protocol are not sent to a Chat upstream (OpenAI rejects them)",
    path: context.path,
  });
}
