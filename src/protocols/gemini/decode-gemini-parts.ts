import {
  GatewayError,
  deriveToolCallId,
  invalidRequest,
  splitToolCallId,
  reasoningArtefactFields,
  untagReasoningArtefact,
  type AudioPart,
  type ContentPart,
  type Extensions,
  type FilePart,
  type ImagePart,
  type ReasoningArtefactField,
  type ReasoningOrigin,
  type ReasoningPart,
  type TextPart,
  type ToolCallPart,
  type ToolResultPart,
} from "../../unified/index.js";
import {
  collectUnknownFields,
  expectArray,
  expectObject,
  expectString,
  isWireObject,
  joinPath,
  optionalBoolean,
  type WireObject,
} from "../common/index.js";
import { bothSpellings, type GeminiFieldReader } from "./map-gemini-field-name.js";
import { geminiMarkers as marker, geminiProtocol } from "./types.js";

/** State shared by the parts of one request or response. */
export interface GeminiPartDecoding {
  reader: GeminiFieldReader;
  /** Requests are validated (`invalid_request`); responses are read loosely (bad parts become native parts). */
  strict: boolean;
  /** Model output (responses): only output part kinds are produced; inputs-only kinds stay native. */
  output?: boolean;
  /** Seed for derived tool-call ids: the responseId, or the content position in a request. */
  idSeed: string;
  /** Function calls of the latest model turn, matched by name and order to responses that carry no id. */
  calls: Array<{ name: string; id: string; derived: boolean; answered: boolean }>;
}

const textKeys = bothSpellings(["text", "thought", "thoughtSignature"]);
const blobKeys = bothSpellings(["mimeType", "data"]);
const fileDataKeys = bothSpellings(["mimeType", "fileUri"]);
const mediaPartKeys = bothSpellings(["inlineData", "fileData"]);
const functionCallPartKeys = bothSpellings(["functionCall", "thoughtSignature"]);
const functionCallKeys = new Set(["id", "name", "args"]);
const functionResponseKeys = new Set(["id", "name", "response", "parts"]);

/** Decodes the parts of one content into unified parts, in order (`calls` is updated for model turns). */
export function decodeGeminiParts(parts: unknown[], path: string, decoding: GeminiPartDecoding): ContentPart[] {
  const out: ContentPart[] = [];
  let callPosition = 0;
  for (let at = 0; at < parts.length; at += 1) {
    const part = parts[at];
    const partPath = joinPath(path, at);
    if (decoding.strict) {
      callPosition = decodePart(part, partPath, decoding, out, callPosition);
      continue;
    }
    try {
      callPosition = decodePart(part, partPath, decoding, out, callPosition);
    } catch (error) {
      // Upstream responses are read loosely: a part we cannot read is kept verbatim rather than failing the turn.
      if (!GatewayError.isInstance(error)) throw error;
      out.push({ type: "native", protocol: geminiProtocol, value: part });
    }
  }
  return out;
}

function decodePart(part: unknown, path: string, decoding: GeminiPartDecoding, out: ContentPart[], callPosition: number): number {
  const object = expectObject(part, path);
  const { reader } = decoding;
  const text = object["text"];
  if (text !== undefined) {
    decodeTextPart(object, expectString(text, joinPath(path, "text")), path, decoding, out);
    return callPosition;
  }
  const functionCall = reader.read(object, "functionCall");
  if (functionCall !== undefined) {
    out.push(decodeFunctionCall(object, functionCall, path, decoding, callPosition));
    return callPosition + 1;
  }
  const functionResponse = reader.read(object, "functionResponse");
  if (functionResponse !== undefined && decoding.output !== true) {
    out.push(decodeFunctionResponse(object, functionResponse, path, decoding));
    return callPosition;
  }
  const inlineData = reader.read(object, "inlineData");
  const fileData = inlineData === undefined ? reader.read(object, "fileData") : undefined;
  if (inlineData !== undefined || fileData !== undefined) {
    const media =
      inlineData !== undefined
        ? decodeInlineData(object, inlineData, joinPath(path, "inlineData"), decoding)
        : decodeFileData(object, fileData, joinPath(path, "fileData"), decoding);
    // Model output carries only images as media parts; generated audio or files stay native.
    out.push(decoding.output === true && media.type !== "image" ? { type: "native", protocol: geminiProtocol, value: object } : media);
    return callPosition;
  }
  // executableCode, codeExecutionResult and part kinds not known yet have no neutral meaning: kept verbatim.
  out.push({ type: "native", protocol: geminiProtocol, value: object });
  return callPosition;
}

function withExtensions<T extends { extensions?: Extensions }>(
  part: T,
  fields: Record<string, unknown> | undefined,
): T {
  if (fields !== undefined) part.extensions = { [geminiProtocol]: fields };
  return part;
}

function readSignature(object: WireObject, path: string, decoding: GeminiPartDecoding): string | undefined {
  const value = decoding.reader.read(object, "thoughtSignature");
  if (value === undefined || value === null) return undefined;
  return expectString(value, joinPath(path, "thoughtSignature"));
}

/**
 * Reads a thought signature as a client may send it back: tagged with another origin by a Gemini-facing encoder
 * (then the tag's kind marker says which artefact it carries, a signature when it has none, and may carry the
 * reasoning item's id: reasoning-signature.ts), or a plain Gemini signature. A bare origin tag (`swy1.openai-chat.`,
 * written on unsigned thought text of another origin) gives the origin only.
 */
export function decodeGeminiReasoningArtefact(value: string): Pick<ReasoningPart, ReasoningArtefactField | "origin" | "id"> {
  const { artefact, origin, kind, id } = untagReasoningArtefact(value, geminiProtocol);
  const read: Pick<ReasoningPart, ReasoningArtefactField | "origin" | "id"> = { origin };
  if (id !== undefined) read.id = id;
  // Gemini's own signatures are never tagged; a foreign bare origin tag carries no artefact.
  if (origin.protocol === geminiProtocol || artefact !== "") read[reasoningArtefactFields[kind ?? "signature"]] = artefact;
  return read;
}

/**
 * Text and thought parts. A thought part becomes reasoning. A thoughtSignature on a non-thought text part signs the
 * model's hidden reasoning, so it becomes a signature-only reasoning part placed just before the text (the encoder
 * puts it back on that text part); on an empty text part (Gemini's usual carrier at the end of a turn) only the
 * reasoning part remains.
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures
 */
function decodeTextPart(object: WireObject, text: string, path: string, decoding: GeminiPartDecoding, out: ContentPart[]): void {
  const thought = optionalBoolean(object, "thought", path);
  const signature = readSignature(object, path, decoding);
  let unknown = collectUnknownFields(object, textKeys);
  if (thought === false) (unknown ??= {})["thought"] = false;
  if (thought === true) {
    const reasoning: ReasoningPart = { type: "reasoning", text };
    if (signature !== undefined) Object.assign(reasoning, decodeGeminiReasoningArtefact(signature));
    if (text === "" && signature !== undefined) (unknown ??= {})[marker.thought] = true;
    if (reasoning.origin !== undefined && !hasArtefact(reasoning)) adoptBareOrigin(out, reasoning.origin);
    out.push(withExtensions(reasoning, unknown));
    return;
  }
  if (signature !== undefined) {
    const reasoning: ReasoningPart = { type: "reasoning", text: "", ...decodeGeminiReasoningArtefact(signature) };
    if (text === "") {
      out.push(withExtensions(reasoning, unknown));
      return;
    }
    out.push(reasoning);
  }
  out.push(withExtensions<TextPart>({ type: "text", text }, unknown));
}

/**
 * A bare origin tag on a thought part (the last part of a streamed foreign thought, as the Gemini stream encoder ends
 * it, Gemini's own convention for where a thought's signature goes) names the origin of the thought parts just
 * before it that carry none: streamed thought text arrives in parts of its own, and a client keeps them apart.
 */
function adoptBareOrigin(out: ContentPart[], origin: ReasoningOrigin): void {
  for (let index = out.length - 1; index >= 0; index--) {
    const previous = out[index];
    if (previous?.type !== "reasoning" || previous.origin !== undefined || hasArtefact(previous)) return;
    previous.origin = origin;
  }
}

function hasArtefact(part: ReasoningPart): boolean {
  return part.signature !== undefined || part.redactedData !== undefined || part.encryptedContent !== undefined;
}

function decodeFunctionCall(
  object: WireObject,
  value: unknown,
  path: string,
  decoding: GeminiPartDecoding,
  position: number,
): ToolCallPart {
  const callPath = joinPath(path, "functionCall");
  const call = expectObject(value, callPath);
  const name = expectString(call["name"], joinPath(callPath, "name"));
  const args = call["args"];
  if (args !== undefined && args !== null && !isWireObject(args)) {
    throw invalidRequest(joinPath(callPath, "args"), "expected an object");
  }
  const argumentsText = args === undefined || args === null ? "{}" : JSON.stringify(args);
  const markers: Record<string, unknown> = collectUnknownFields(object, functionCallPartKeys) ?? {};
  const callUnknown = collectUnknownFields(call, functionCallKeys);
  if (callUnknown !== undefined) markers[marker.functionCall] = callUnknown;
  if (args === undefined) markers[marker.noArgs] = true;

  let id: string;
  let signature = readSignature(object, path, decoding);
  let derived = false;
  if (typeof call["id"] === "string") {
    const split = splitToolCallId(call["id"]);
    id = split.id;
    signature ??= split.signature;
  } else {
    // Gemini API calls carry no id: derive a stable one (never random: replay and prompt caching need stability).
    id = deriveToolCallId("call", decoding.idSeed, name, argumentsText, position);
    derived = true;
    markers[marker.idDerived] = true;
  }
  const part: ToolCallPart = { type: "tool-call", id, name, arguments: argumentsText, kind: "function" };
  if (signature !== undefined) {
    const { artefact, origin } = untagReasoningArtefact(signature, geminiProtocol);
    part.signature = artefact;
    part.signatureOrigin = origin;
  }
  if (position === 0) decoding.calls = [];
  decoding.calls.push({ name, id, derived, answered: false });
  return withExtensions(part, Object.keys(markers).length > 0 ? markers : undefined);
}

/**
 * A functionResponse. `response` is a JSON object; by Gemini's convention `{output}` holds the result and `{error}`
 * a failure, so a lone string under either becomes the text (and `isError`). Any other object is rendered as JSON
 * text for other protocols and kept as written for the same protocol. Media nested in `parts` stay media.
 * @see https://ai.google.dev/api/caching#FunctionResponse
 */
function decodeFunctionResponse(object: WireObject, value: unknown, path: string, decoding: GeminiPartDecoding): ToolResultPart {
  const responsePath = joinPath(path, "functionResponse");
  const functionResponse = expectObject(value, responsePath);
  const name = expectString(functionResponse["name"], joinPath(responsePath, "name"));
  const response = expectObject(functionResponse["response"] ?? {}, joinPath(responsePath, "response"));
  const markers: Record<string, unknown> = collectUnknownFields(object, functionResponseOuterKeys) ?? {};
  const unknown = collectUnknownFields(functionResponse, functionResponseKeys);
  if (unknown !== undefined) markers[marker.functionResponse] = unknown;

  const part: ToolResultPart = { type: "tool-result", toolCallId: "", name, content: [], kind: "function" };
  const keys = Object.keys(response);
  const only = keys.length === 1 ? keys[0] : undefined;
  if ((only === "output" || only === "error") && typeof response[only] === "string") {
    part.content.push({ type: "text", text: response[only] });
    if (only === "error") part.isError = true;
  } else {
    part.content.push({ type: "text", text: JSON.stringify(response) });
    markers[marker.response] = response;
  }
  if (functionResponse["response"] === undefined) markers[marker.noResponse] = true;

  const nested = functionResponse["parts"];
  if (nested !== undefined) {
    const nestedPath = joinPath(responsePath, "parts");
    expectArray(nested, nestedPath).forEach((media, at) => {
      const mediaPath = joinPath(nestedPath, at);
      const mediaObject = expectObject(media, mediaPath);
      const inlineData = decoding.reader.read(mediaObject, "inlineData");
      const fileData = decoding.reader.read(mediaObject, "fileData");
      const decoded =
        inlineData !== undefined
          ? decodeInlineData(mediaObject, inlineData, joinPath(mediaPath, "inlineData"), decoding)
          : fileData !== undefined
            ? decodeFileData(mediaObject, fileData, joinPath(mediaPath, "fileData"), decoding)
            : undefined;
      if (decoded === undefined || decoded.type === "audio") throw invalidRequest(mediaPath, "expected inlineData or fileData media");
      part.content.push(decoded);
    });
    markers[marker.nestedMedia] = true;
  }

  if (typeof functionResponse["id"] === "string") {
    part.toolCallId = splitToolCallId(functionResponse["id"]).id;
  } else {
    // No id (Gemini API): answer the earliest unanswered call of that name in the previous model turn.
    const call = decoding.calls.find((candidate) => !candidate.answered && candidate.name === name);
    if (call !== undefined) {
      call.answered = true;
      part.toolCallId = call.id;
    } else {
      part.toolCallId = deriveToolCallId("call", decoding.idSeed, name, "response", path);
    }
    markers[marker.idDerived] = true;
  }
  return withExtensions(part, Object.keys(markers).length > 0 ? markers : undefined);
}

const functionResponseOuterKeys = bothSpellings(["functionResponse"]);

function decodeInlineData(object: WireObject, value: unknown, path: string, decoding: GeminiPartDecoding): ImagePart | FilePart | AudioPart {
  const blob = expectObject(value, path);
  const mimeType = expectString(decoding.reader.read(blob, "mimeType"), joinPath(path, "mimeType"));
  const data = expectString(blob["data"], joinPath(path, "data"));
  const markers = mediaMarkers(object, blob, blobKeys);
  if (mimeType.startsWith("image/")) {
    return withExtensions<ImagePart>({ type: "image", source: { kind: "base64", mediaType: mimeType, data } }, markers);
  }
  if (mimeType.startsWith("audio/")) {
    return withExtensions<AudioPart>({ type: "audio", data, format: mimeType }, markers);
  }
  return withExtensions<FilePart>({ type: "file", source: { kind: "base64", mediaType: mimeType, data } }, markers);
}

function decodeFileData(object: WireObject, value: unknown, path: string, decoding: GeminiPartDecoding): ImagePart | FilePart {
  const file = expectObject(value, path);
  const uri = expectString(decoding.reader.read(file, "fileUri"), joinPath(path, "fileUri"));
  const mimeTypeValue = decoding.reader.read(file, "mimeType");
  const mimeType = mimeTypeValue === undefined ? undefined : expectString(mimeTypeValue, joinPath(path, "mimeType"));
  const markers = mediaMarkers(object, file, fileDataKeys);
  if (mimeType?.startsWith("image/") === true) {
    return withExtensions<ImagePart>({ type: "image", source: { kind: "url", url: uri } }, withMimeMarker(markers, mimeType));
  }
  return withExtensions<FilePart>({ type: "file", source: { kind: "url", url: uri } }, withMimeMarker(markers, mimeType));
}

/** A URL source has no media type field, so fileData's mimeType rides in a marker for the same protocol. */
function withMimeMarker(markers: Record<string, unknown> | undefined, mimeType: string | undefined): Record<string, unknown> | undefined {
  if (mimeType === undefined) return markers;
  return { ...markers, [marker.mimeType]: mimeType };
}

/** Unknown fields of the part (e.g. videoMetadata, a thoughtSignature on generated media) and of the blob itself. */
function mediaMarkers(object: WireObject, blob: WireObject, knownBlobKeys: ReadonlySet<string>): Record<string, unknown> | undefined {
  let markers = collectUnknownFields(object, mediaPartKeys);
  const blobUnknown = collectUnknownFields(blob, knownBlobKeys);
  if (blobUnknown !== undefined) (markers ??= {})[marker.blob] = blobUnknown;
  return markers;
}
