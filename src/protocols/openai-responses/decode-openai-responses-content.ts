import {
  invalidRequest,
  type AudioPart,
  type Citation,
  type FilePart,
  type ImagePart,
  type MediaSource,
  type RefusalPart,
  type TextPart,
} from "../../unified/index.js";
import { expectObject, joinPath, optionalString, requiredString, type WireObject } from "../common/index.js";
import { collectLeftovers, makeResponsesExtensions } from "./convert-openai-responses-extensions.js";
import { responsesProtocol, type ResponsesWireShape } from "./types.js";

/** A content part of a message item or of a tool output, decoded. */
export type DecodedContentPart = TextPart | ImagePart | FilePart | AudioPart | RefusalPart;

/** Which text part type a role writes by default: assistants write `output_text`, everyone else `input_text`. */
export type TextDefault = "input_text" | "output_text";

const textConsumed = new Set(["type", "text"]);
const outputTextConsumed = new Set(["type", "text", "annotations"]);
const imageUrlConsumed = new Set(["type", "image_url", "detail"]);
const imageFileConsumed = new Set(["type", "file_id", "detail"]);
const fileDataConsumed = new Set(["type", "file_data", "filename"]);
const fileUrlConsumed = new Set(["type", "file_url", "filename"]);
const fileIdConsumed = new Set(["type", "file_id", "filename"]);
const audioConsumed = new Set(["type", "input_audio"]);
const refusalConsumed = new Set(["type", "refusal"]);

/**
 * Decodes one content part (`input_text`, `output_text`, `input_image`, `input_file`, `input_audio`, `refusal`).
 * Returns undefined for a part type outside that closed set; the caller decides whether that is an error.
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-input
 */
export function decodeResponsesContentPart(value: unknown, path: string, textDefault: TextDefault): DecodedContentPart | undefined {
  const part = expectObject(value, path);
  const type = requiredString(part, "type", path);
  switch (type) {
    case "input_text":
    case "output_text":
      return decodeTextPart(part, path, type, textDefault);
    case "input_image":
      return decodeImagePart(part, path);
    case "input_file":
      return decodeFilePart(part, path);
    case "input_audio":
      return decodeAudioPart(part, path);
    case "refusal": {
      const refusal: RefusalPart = { type: "refusal", text: requiredString(part, "refusal", path) };
      const extensions = makeResponsesExtensions(collectLeftovers(part, refusalConsumed));
      if (extensions !== undefined) refusal.extensions = extensions;
      return refusal;
    }
    default:
      return undefined;
  }
}

function decodeTextPart(part: WireObject, path: string, type: "input_text" | "output_text", textDefault: TextDefault): TextPart {
  const text: TextPart = { type: "text", text: requiredString(part, "text", path) };
  const annotations = part["annotations"];
  // Only a non-empty list becomes citations; `[]` stays a wire leftover so it is written back exactly as sent.
  const hasCitations = type === "output_text" && Array.isArray(annotations) && annotations.length > 0;
  if (hasCitations) text.citations = (annotations as unknown[]).map((annotation) => decodeResponsesAnnotation(annotation));
  const leftovers = collectLeftovers(part, hasCitations ? outputTextConsumed : textConsumed);
  const shape: ResponsesWireShape | undefined = type === textDefault ? undefined : { partType: type };
  const extensions = makeResponsesExtensions(leftovers, shape);
  if (extensions !== undefined) text.extensions = extensions;
  return text;
}

/** An `output_text` annotation as a citation; the annotation itself stays in `raw` for exact replay. */
export function decodeResponsesAnnotation(annotation: unknown): Citation {
  const citation: Citation = { kind: "other", raw: annotation, origin: responsesProtocol };
  if (typeof annotation !== "object" || annotation === null) return citation;
  const record = annotation as WireObject;
  if (record["type"] === "url_citation") citation.kind = "url";
  if (typeof record["url"] === "string") citation.url = record["url"];
  if (typeof record["title"] === "string") citation.title = record["title"];
  if (typeof record["start_index"] === "number") citation.startIndex = record["start_index"];
  if (typeof record["end_index"] === "number") citation.endIndex = record["end_index"];
  return citation;
}

function decodeImagePart(part: WireObject, path: string): ImagePart {
  const imageUrl = optionalString(part, "image_url", path);
  const fileId = optionalString(part, "file_id", path);
  let source: MediaSource;
  if (imageUrl !== undefined) source = mediaSourceFromUrl(imageUrl);
  else if (fileId !== undefined) source = { kind: "file-id", fileId };
  else throw invalidRequest(joinPath(path, "image_url"), "input_image needs image_url or file_id");
  const image: ImagePart = { type: "image", source };
  const detail = optionalString(part, "detail", path);
  if (detail !== undefined) image.detail = detail;
  // Only the field that became the source is consumed; a second one stays a leftover.
  const extensions = makeResponsesExtensions(collectLeftovers(part, imageUrl !== undefined ? imageUrlConsumed : imageFileConsumed));
  if (extensions !== undefined) image.extensions = extensions;
  return image;
}

function decodeFilePart(part: WireObject, path: string): FilePart {
  const fileId = optionalString(part, "file_id", path);
  const fileUrl = optionalString(part, "file_url", path);
  const fileData = optionalString(part, "file_data", path);
  let source: MediaSource;
  let shape: ResponsesWireShape | undefined;
  let consumed = fileIdConsumed;
  if (fileData !== undefined) {
    const parsed = parseDataUrl(fileData);
    if (parsed !== undefined) source = { kind: "base64", mediaType: parsed.mediaType, data: parsed.data };
    else {
      // Raw base64 without a media type: PDFs are what the API documents for input_file.
      source = { kind: "base64", mediaType: "application/pdf", data: fileData };
      shape = { rawFileData: true };
    }
    consumed = fileDataConsumed;
  } else if (fileUrl !== undefined) {
    source = { kind: "url", url: fileUrl };
    consumed = fileUrlConsumed;
  } else if (fileId !== undefined) source = { kind: "file-id", fileId };
  else throw invalidRequest(joinPath(path, "file_data"), "input_file needs file_data, file_url or file_id");
  const file: FilePart = { type: "file", source };
  const filename = optionalString(part, "filename", path);
  if (filename !== undefined) file.filename = filename;
  const extensions = makeResponsesExtensions(collectLeftovers(part, consumed), shape);
  if (extensions !== undefined) file.extensions = extensions;
  return file;
}

function decodeAudioPart(part: WireObject, path: string): AudioPart {
  const audioPath = joinPath(path, "input_audio");
  const inputAudio = expectObject(part["input_audio"], audioPath);
  const audio: AudioPart = {
    type: "audio",
    data: requiredString(inputAudio, "data", audioPath),
    format: requiredString(inputAudio, "format", audioPath),
  };
  const extensions = makeResponsesExtensions(collectLeftovers(part, audioConsumed));
  if (extensions !== undefined) audio.extensions = extensions;
  return audio;
}

/** A URL as a media source: `data:<type>;base64,<data>` becomes base64 (re-encoded to the identical string). */
function mediaSourceFromUrl(url: string): MediaSource {
  const parsed = parseDataUrl(url);
  return parsed === undefined ? { kind: "url", url } : { kind: "base64", mediaType: parsed.mediaType, data: parsed.data };
}

function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  if (!url.startsWith("data:")) return undefined;
  const marker = url.indexOf(";base64,");
  if (marker < 0) return undefined;
  const mediaType = url.slice(5, marker);
  // Parameters (`;name=…`) would not survive re-encoding: keep such URLs as URLs.
  if (mediaType.includes(";") || mediaType.includes(",")) return undefined;
  return { mediaType, data: url.slice(marker + 8) };
}
