import {
  GatewayError,
  type AudioPart,
  type Citation,
  type FilePart,
  type ImagePart,
  type MediaSource,
  type RefusalPart,
  type TextPart,
  type ToolResultPart,
  type UnifiedWarning,
} from "../../unified/index.js";
import type { WireObject } from "../common/index.js";
import { readWireShape, spreadWireFields } from "./convert-openai-responses-extensions.js";
import type { TextDefault } from "./decode-openai-responses-content.js";
import { responsesProtocol } from "./types.js";

/** What content encoders share: the warning sink and whether a cache hint was already reported. */
export interface ContentEncodingContext {
  warnings: UnifiedWarning[];
  /** Set once a `cache-control-dropped` warning was emitted (Responses caches automatically; one warning is enough). */
  cacheControlReported?: boolean;
}

/** An encodable content part. */
export type EncodableContentPart = TextPart | ImagePart | FilePart | AudioPart | RefusalPart;

/**
 * One content part on the wire. `forResponse` adds what the API always returns on output (`annotations: []`).
 * @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-output
 */
export function encodeResponsesContentPart(
  part: EncodableContentPart,
  textDefault: TextDefault,
  context: ContentEncodingContext,
  path: string,
  forResponse = false,
): WireObject {
  const out: WireObject = {};
  spreadWireFields(out, part.extensions);
  switch (part.type) {
    case "text": {
      noteCacheControl(part.cacheControl !== undefined, context, path);
      const type = readWireShape(part.extensions)?.partType ?? textDefault;
      out["type"] = type;
      out["text"] = part.text;
      if (part.citations !== undefined && part.citations.length > 0) {
        if (type === "output_text") out["annotations"] = encodeResponsesAnnotations(part.citations, context.warnings, path);
        else context.warnings.push({ code: "citation-dropped", message: "citations on input text have no Responses form", path });
      }
      if (forResponse && type === "output_text" && out["annotations"] === undefined) out["annotations"] = [];
      return out;
    }
    case "image":
      noteCacheControl(part.cacheControl !== undefined, context, path);
      out["type"] = "input_image";
      writeImageSource(out, part.source);
      if (part.detail !== undefined) out["detail"] = part.detail;
      return out;
    case "file":
      noteCacheControl(part.cacheControl !== undefined, context, path);
      out["type"] = "input_file";
      writeFileSource(out, part.source, readWireShape(part.extensions)?.rawFileData === true);
      if (part.filename !== undefined) out["filename"] = part.filename;
      else if (part.title !== undefined) out["filename"] = part.title;
      return out;
    case "audio":
      out["type"] = "input_audio";
      out["input_audio"] = { data: part.data, format: part.format };
      return out;
    case "refusal":
      out["type"] = "refusal";
      out["refusal"] = part.text;
      return out;
    default: {
      const unreachable: never = part;
      throw new GatewayError("internal", `unknown content part ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Citations as `output_text` annotations: our own are replayed raw; foreign URL citations become url_citation. */
export function encodeResponsesAnnotations(citations: Citation[], warnings: UnifiedWarning[], path?: string): unknown[] {
  const annotations: unknown[] = [];
  for (const citation of citations) {
    if (citation.origin === responsesProtocol) annotations.push(citation.raw);
    else if (citation.kind === "url" && citation.url !== undefined) {
      annotations.push({
        type: "url_citation",
        url: citation.url,
        title: citation.title ?? "",
        start_index: citation.startIndex ?? 0,
        end_index: citation.endIndex ?? 0,
      });
    } else {
      // Document/char-location citations of other providers have no Responses annotation type.
      warnings.push({ code: "citation-dropped", message: `a ${citation.origin} citation has no Responses annotation form`, ...(path === undefined ? {} : { path }) });
    }
  }
  return annotations;
}

/** A tool result's `output`: a string when it was one (or is plain text), otherwise a list of input parts. */
export function encodeResponsesToolOutput(part: ToolResultPart, context: ContentEncodingContext, path: string): string | WireObject[] {
  const content = part.content;
  const shape = readWireShape(part.extensions);
  const allText = content.every((entry) => entry.type === "text" && entry.extensions === undefined);
  // As sent when known; otherwise plain text (what every other protocol's tool results mostly are) as a string.
  const asString = shape?.contentString === true || (shape?.outputList !== true && allText && content.length <= 1);
  if (asString && allText) return content.map((entry) => (entry as TextPart).text).join("");
  return content.map((entry, index) => encodeResponsesContentPart(entry, "input_text", context, `${path}.content[${index}]`));
}

function writeImageSource(out: WireObject, source: MediaSource): void {
  switch (source.kind) {
    case "url":
      out["image_url"] = source.url;
      return;
    case "base64":
      out["image_url"] = `data:${source.mediaType};base64,${source.data}`;
      return;
    case "file-id":
      out["file_id"] = source.fileId;
      return;
    default: {
      const unreachable: never = source;
      throw new GatewayError("internal", `unknown media source ${JSON.stringify(unreachable)}`);
    }
  }
}

function writeFileSource(out: WireObject, source: MediaSource, rawFileData: boolean): void {
  switch (source.kind) {
    case "url":
      out["file_url"] = source.url;
      return;
    case "base64":
      out["file_data"] = rawFileData ? source.data : `data:${source.mediaType};base64,${source.data}`;
      return;
    case "file-id":
      out["file_id"] = source.fileId;
      return;
    default: {
      const unreachable: never = source;
      throw new GatewayError("internal", `unknown media source ${JSON.stringify(unreachable)}`);
    }
  }
}

function noteCacheControl(present: boolean, context: ContentEncodingContext, path: string): void {
  if (!present || context.cacheControlReported === true) return;
  // OpenAI caches prompt prefixes automatically; explicit breakpoints have no Responses field.
  context.cacheControlReported = true;
  context.warnings.push({ code: "cache-control-dropped", message: "cache_control breakpoints have no Responses equivalent", path });
}
