import {
  artefactForProtocol,
  canReplayArtefact,
  customInputToArguments,
  firstReasoningArtefact,
  originTagForProtocol,
  type ContentPart,
  type Extensions,
  type FilePart,
  type ImagePart,
  type ReasoningPart,
  type ToolCallPart,
  type ToolResultPart,
  type UnifiedWarning,
} from "../../unified/index.js";
import { isWireObject, parseWireJson, type WireObject } from "../common/index.js";
import type { GeminiFieldWriter } from "./map-gemini-field-name.js";
import { geminiMarkers as marker, geminiProtocol, type GeminiWirePart } from "./types.js";

/** State shared while encoding the parts of one request or response. */
export interface GeminiPartEncoding {
  /** "request": history sent upstream (foreign artefacts dropped); "response": output for a Gemini client. */
  direction: "request" | "response";
  writer: GeminiFieldWriter;
  warnings: UnifiedWarning[];
  /** Warning codes already reported once for this body. */
  warned: Set<string>;
  /** Tool names by call id, for results that do not carry the name (Chat, Responses, Anthropic). */
  callNames: Map<string, string>;
}

/** The codec's record in an object's extensions. */
export function ownGeminiRecord(extensions: Extensions | undefined): Record<string, unknown> | undefined {
  return extensions?.[geminiProtocol];
}

/** Copies kept wire fields onto `target`, skipping the codec's `$` markers. */
export function writeGeminiWireFields(target: WireObject, record: Record<string, unknown> | undefined): void {
  if (record === undefined) return;
  for (const key in record) {
    if (key.charCodeAt(0) !== 36 /* $ */) target[key] = record[key];
  }
}

/** Reports a loss once per body. */
export function warnOnce(encoding: Pick<GeminiPartEncoding, "warnings" | "warned">, code: string, message: string, path?: string): void {
  if (encoding.warned.has(code)) return;
  encoding.warned.add(code);
  encoding.warnings.push(path === undefined ? { code, message } : { code, message, path });
}

/** Gemini caches prompts implicitly (and explicitly through cachedContent): a breakpoint has no equivalent. */
export function warnCacheControlDropped(encoding: Pick<GeminiPartEncoding, "warnings" | "warned">, path?: string): void {
  warnOnce(encoding, "cache-control-dropped", "Gemini caches prompts implicitly; cache_control breakpoints were dropped", path);
}

/** The encoded parts of one content, with media of tool results that go beside the function responses. */
export interface EncodedGeminiParts {
  parts: GeminiWirePart[];
  /** Media from tool results, placed after the function responses of the same content. */
  besideMedia: GeminiWirePart[];
}

/** Unified parts → Gemini parts, in order. */
export function encodeGeminiParts(parts: readonly ContentPart[], path: string, encoding: GeminiPartEncoding): EncodedGeminiParts {
  const out: GeminiWirePart[] = [];
  const besideMedia: GeminiWirePart[] = [];
  let pendingSignature: string | undefined;
  for (let at = 0; at < parts.length; at += 1) {
    const part = parts[at] as ContentPart;
    const partPath = `${path}[${at}]`;
    switch (part.type) {
      case "text": {
        const wire: GeminiWirePart = {};
        writeGeminiWireFields(wire, ownGeminiRecord(part.extensions));
        wire["text"] = part.text;
        if (pendingSignature !== undefined) wire[encoding.writer.name("thoughtSignature")] = pendingSignature;
        pendingSignature = undefined;
        if (part.cacheControl !== undefined) warnCacheControlDropped(encoding, partPath);
        // Citations of other protocols have no per-part home in Gemini (grounding is candidate-level metadata).
        if (part.citations !== undefined && part.citations.some((citation) => citation.origin !== geminiProtocol)) {
          warnOnce(encoding, "citations-dropped", "Gemini has no per-text citations; citations were dropped", partPath);
        }
        out.push(wire);
        break;
      }
      case "reasoning": {
        const encoded = encodeReasoning(part, partPath, encoding);
        if (encoded === undefined) break;
        if (encoded.carrier !== undefined && parts[at + 1]?.type === "text") pendingSignature = encoded.carrier;
        else out.push(encoded.part);
        break;
      }
      case "tool-call":
        out.push(encodeToolCall(part, partPath, encoding));
        break;
      case "tool-result":
        out.push(encodeToolResult(part, partPath, encoding, besideMedia));
        break;
      case "image":
      case "file": {
        const media = encodeMedia(part, partPath, encoding);
        if (media !== undefined) out.push(media);
        break;
      }
      case "audio": {
        const wire: GeminiWirePart = {};
        writeGeminiWireFields(wire, ownGeminiRecord(part.extensions));
        const mimeType = part.format.includes("/") ? part.format : `audio/${part.format}`;
        wire[encoding.writer.name("inlineData")] = { [encoding.writer.name("mimeType")]: mimeType, data: part.data };
        out.push(wire);
        break;
      }
      case "refusal":
        // Gemini has no refusal part: the refusal is shown as the text it is.
        warnOnce(encoding, "refusal-as-text", "Gemini has no refusal part; the refusal was sent as text", partPath);
        out.push({ text: part.text });
        break;
      case "native":
        if (part.protocol === geminiProtocol && isWireObject(part.value)) out.push(part.value);
        else {
          const message = `a ${part.protocol} native item has no Gemini equivalent and was dropped`;
          warnOnce(encoding, "native-part-dropped", message, partPath);
        }
        break;
      default: {
        const unreachable: never = part;
        throw new Error(`unknown part ${JSON.stringify(unreachable)}`);
      }
    }
  }
  return { parts: out, besideMedia };
}

/**
 * A reasoning part. Thought text goes out as a `thought: true` part. A signature-only part (how the decoder keeps
 * a signature that Gemini put on a text part) is handed back as `carrier` so the caller puts it on the following
 * text part; with no text part after it, it becomes Gemini's own empty carrier `{text: "", thoughtSignature}`.
 * Towards an upstream only Gemini-made artefacts are sent and reasoning of another origin is dropped (another
 * model's thoughts are not this model's thoughts, and Gemini ignores replayed thought text anyway). Towards a
 * client the artefact is written, tagged with its origin, kind and item id when foreign (reasoning-signature.ts),
 * and foreign thought text without one gets the bare origin tag.
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures
 */
function encodeReasoning(
  part: ReasoningPart,
  path: string,
  encoding: GeminiPartEncoding,
): { part: GeminiWirePart; carrier?: string } | undefined {
  let artefact: string | undefined;
  if (encoding.direction === "request") {
    if (!canReplayArtefact(part.origin, geminiProtocol) || part.redactedData !== undefined || part.encryptedContent !== undefined) {
      if (part.signature !== undefined || part.redactedData !== undefined || part.encryptedContent !== undefined) {
        const message = `reasoning from ${part.origin?.protocol ?? "another model"} cannot be replayed to Gemini`;
        encoding.warnings.push({ code: "reasoning-artefact-dropped", message, path });
      }
      if (!canReplayArtefact(part.origin, geminiProtocol)) return undefined;
    }
    artefact = part.signature;
  } else {
    // One thoughtSignature slot: the first artefact goes, tagged with its kind (and the item id, which Gemini has no
    // slot for) when foreign; a part never carries two in practice, a second one is reported.
    const first = firstReasoningArtefact(part);
    if (first !== undefined && first.others > 0) encoding.warnings.push({ code: "reasoning-artefact-dropped", message: "a second reasoning artefact does not fit thoughtSignature", path });
    const own = part.origin === undefined || part.origin.protocol === geminiProtocol;
    if (first !== undefined && first.kind !== "signature" && own) {
      // Gemini makes no redacted or encrypted reasoning: such data claiming to be Gemini's cannot be written back.
      encoding.warnings.push({ code: "reasoning-artefact-dropped", message: `${first.kind} reasoning without a foreign origin cannot be sent to a Gemini client`, path });
    } else if (first !== undefined) {
      artefact = artefactForProtocol(first.value, part.origin, geminiProtocol, first.kind, part.id);
    }
  }
  const record = ownGeminiRecord(part.extensions);
  const text = part.text !== "" || part.summary === undefined ? part.text : part.summary.join("\n\n");
  // Unsigned thought text of another origin (Chat reasoning_content) carries the bare origin tag as its
  // thoughtSignature, never a fabricated signature, so that a client replaying the thought gives the origin back.
  if (encoding.direction === "response" && artefact === undefined && text !== "") artefact = originTagForProtocol(part.origin, geminiProtocol);
  const signatureKey = encoding.writer.name("thoughtSignature");
  // Foreign artefacts stay in thought parts of their own (a Gemini client hides those); only Gemini's own
  // signatures go back onto the text part that carried them.
  const ownSignature = part.origin === undefined || part.origin.protocol === geminiProtocol;
  if (text === "" && artefact !== undefined && ownSignature && record?.[marker.thought] !== true) {
    const carrier: GeminiWirePart = {};
    writeGeminiWireFields(carrier, record);
    carrier["text"] = "";
    carrier[signatureKey] = artefact;
    return { part: carrier, carrier: artefact };
  }
  const wire: GeminiWirePart = {};
  writeGeminiWireFields(wire, record);
  wire["text"] = text;
  wire["thought"] = true;
  if (artefact !== undefined) wire[signatureKey] = artefact;
  return { part: wire };
}

/** Function-call arguments as the object Gemini wants (custom-tool input wrapped as `{input}`). */
export function encodeGeminiArguments(
  part: ToolCallPart,
  path: string,
  warnings: Pick<GeminiPartEncoding, "warnings" | "warned">,
): WireObject {
  const text = part.kind === "custom" ? customInputToArguments(part.arguments) : part.arguments;
  const parsed = text === "" ? {} : parseWireJson(text);
  if (isWireObject(parsed)) return parsed;
  // Gemini args must be a JSON object; truncated or non-object arguments cannot be sent as they are.
  warnOnce(warnings, "tool-call-arguments-invalid", "tool-call arguments were not a JSON object and were sent as {}", path);
  return {};
}

function encodeToolCall(part: ToolCallPart, path: string, encoding: GeminiPartEncoding): GeminiWirePart {
  const record = ownGeminiRecord(part.extensions);
  const call: WireObject = {};
  writeGeminiWireFields(call, record?.[marker.functionCall] as Record<string, unknown> | undefined);
  if (record?.[marker.idDerived] !== true) call["id"] = part.id;
  call["name"] = part.name;
  if (!(record?.[marker.noArgs] === true && part.arguments === "{}")) call["args"] = encodeGeminiArguments(part, path, encoding);
  const wire: GeminiWirePart = {};
  writeGeminiWireFields(wire, record);
  wire[encoding.writer.name("functionCall")] = call;
  encoding.callNames.set(part.id, part.name);
  if (part.signature === undefined) return wire;
  if (encoding.direction === "response") {
    wire[encoding.writer.name("thoughtSignature")] = artefactForProtocol(part.signature, part.signatureOrigin, geminiProtocol);
  } else if (canReplayArtefact(part.signatureOrigin, geminiProtocol)) {
    wire[encoding.writer.name("thoughtSignature")] = part.signature;
  } else {
    const message = "a tool-call signature of another origin cannot be replayed to Gemini";
    encoding.warnings.push({ code: "reasoning-artefact-dropped", message, path });
  }
  return wire;
}

/**
 * A tool result as a functionResponse. Text goes in `{output}` (or `{error}` when it failed), Gemini's documented
 * convention; a response object decoded from Gemini goes back as written. Images and files ride beside the
 * functionResponse as inline data (or nested in `parts` when the client sent them so).
 * @see https://ai.google.dev/gemini-api/docs/function-calling
 */
function encodeToolResult(
  part: ToolResultPart,
  path: string,
  encoding: GeminiPartEncoding,
  besideMedia: GeminiWirePart[],
): GeminiWirePart {
  const record = ownGeminiRecord(part.extensions);
  let name = part.name ?? encoding.callNames.get(part.toolCallId);
  if (name === undefined) {
    const message = "a tool result's function name was unknown; its call id was used as the name";
    warnOnce(encoding, "tool-result-name-unknown", message, path);
    name = part.toolCallId;
  }
  let text = "";
  const media: GeminiWirePart[] = [];
  part.content.forEach((item, at) => {
    if (item.type === "text") text += item.text;
    else {
      const encoded = encodeMedia(item, `${path}.content[${at}]`, encoding);
      if (encoded !== undefined) media.push(encoded);
    }
  });
  const kept = record?.[marker.response];
  const response = isWireObject(kept) ? kept : part.isError === true ? { error: text } : { output: text };
  const functionResponse: WireObject = {};
  writeGeminiWireFields(functionResponse, record?.[marker.functionResponse] as Record<string, unknown> | undefined);
  if (record?.[marker.idDerived] !== true) functionResponse["id"] = part.toolCallId;
  functionResponse["name"] = name;
  if (record?.[marker.noResponse] !== true) functionResponse["response"] = response;
  if (record?.[marker.nestedMedia] === true) functionResponse["parts"] = media;
  else besideMedia.push(...media);
  if (part.cacheControl !== undefined) warnCacheControlDropped(encoding, path);
  const wire: GeminiWirePart = {};
  writeGeminiWireFields(wire, record);
  wire[encoding.writer.name("functionResponse")] = functionResponse;
  return wire;
}

/** An image or file: base64 (and data: URLs) as inlineData, other URLs as fileData. */
function encodeMedia(part: ImagePart | FilePart, path: string, encoding: GeminiPartEncoding): GeminiWirePart | undefined {
  const record = ownGeminiRecord(part.extensions);
  const { writer } = encoding;
  const wire: GeminiWirePart = {};
  writeGeminiWireFields(wire, record);
  const blob: WireObject = {};
  writeGeminiWireFields(blob, record?.[marker.blob] as Record<string, unknown> | undefined);
  const source = part.source;
  if (part.type === "image" && part.detail !== undefined) {
    warnOnce(encoding, "image-detail-dropped", "Gemini sets media resolution per request; the image detail was dropped", path);
  }
  if (part.cacheControl !== undefined) warnCacheControlDropped(encoding, path);
  switch (source.kind) {
    case "base64":
      blob[writer.name("mimeType")] = source.mediaType;
      blob["data"] = source.data;
      wire[writer.name("inlineData")] = blob;
      return wire;
    case "url": {
      const dataUrl = /^data:([^;,]+);base64,/.exec(source.url);
      if (dataUrl?.[1] !== undefined) {
        blob[writer.name("mimeType")] = dataUrl[1];
        blob["data"] = source.url.slice(dataUrl[0].length);
        wire[writer.name("inlineData")] = blob;
        return wire;
      }
      const mimeType = record?.[marker.mimeType] ?? (part.type === "image" ? guessImageMimeType(source.url) : undefined);
      if (typeof mimeType === "string") blob[writer.name("mimeType")] = mimeType;
      blob[writer.name("fileUri")] = source.url;
      wire[writer.name("fileData")] = blob;
      return wire;
    }
    case "file-id":
      // Another provider's file ids mean nothing to Gemini (its files are URIs from the Files API).
      warnOnce(encoding, "file-id-dropped", "a file referenced by another provider's file id was dropped", path);
      return undefined;
    default: {
      const unreachable: never = source;
      throw new Error(`unknown media source ${JSON.stringify(unreachable)}`);
    }
  }
}

const imageMimeTypes: Readonly<Record<string, string>> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  gif: "image/gif",
  heic: "image/heic",
  heif: "image/heif",
};

/** fileData should name its MIME type; for an image URL the file extension is the only hint there is. */
function guessImageMimeType(url: string): string | undefined {
  const match = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url);
  return match?.[1] === undefined ? undefined : imageMimeTypes[match[1].toLowerCase()];
}
