import type { ImagePart, NativePart, OutputPart, RefusalPart, TextPart } from "../../unified/index.js";
import type { WireObject } from "../common/index.js";
import { readWireShape } from "./convert-openai-responses-extensions.js";
import { encodeResponsesContentPart } from "./encode-openai-responses-content.js";
import {
  encodeResponsesReasoningOutputItem,
  encodeResponsesToolCallItem,
  type ItemEncodingContext,
} from "./encode-openai-responses-items.js";
import { responsesProtocol } from "./types.js";

/** State for encoding output items: item-encoding state plus how to name and mark generated items. */
export interface OutputEncodingContext extends ItemEncodingContext {
  /** The response id without its `resp_` prefix; generated item ids are `<prefix>_<idBase>_<output index>`. */
  idBase: string;
  /** `status` of generated message items (`incomplete` when the response was cut short). */
  itemStatus: string;
}

/** The client-facing response id (`resp_…`), derived deterministically from the upstream id. */
export function responsesIdFor(id: string): string {
  if (id.startsWith("resp_")) return id;
  return `resp_${id === "" ? "0" : id}`;
}

/** The part of a response id used in generated item ids. */
export function responsesIdBase(responseId: string): string {
  return responseId.startsWith("resp_") ? responseId.slice(5) : responseId;
}

/**
 * Output parts → output items. Consecutive text and refusal parts form one assistant message item, unless a part
 * recorded that a new item started there (same-protocol replay keeps the upstream's items and ids exactly).
 * @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-output
 */
export function encodeResponsesOutput(parts: readonly OutputPart[], context: OutputEncodingContext): WireObject[] {
  const items: WireObject[] = [];
  let message: WireObject[] | undefined;
  parts.forEach((part, index) => {
    const path = `output[${index}]`;
    switch (part.type) {
      case "text":
      case "refusal": {
        const shape = readWireShape(part.extensions);
        if (shape?.item !== undefined || message === undefined) {
          const item = startMessageItem(part, items.length, context);
          items.push(item);
          message = item["content"] as WireObject[];
        }
        message.push(encodeResponsesContentPart(part, "output_text", context, path, true));
        return;
      }
      case "tool-call":
        message = undefined;
        items.push(encodeResponsesToolCallItem(part, context, { idSuffix: `${context.idBase}_${items.length}`, status: "completed" }));
        return;
      case "reasoning":
        message = undefined;
        items.push(encodeResponsesReasoningOutputItem(part, context, { idSuffix: `${context.idBase}_${items.length}`, status: "completed" }, path));
        return;
      case "image": {
        message = undefined;
        const item = encodeImageItem(part, `${context.idBase}_${items.length}`);
        if (item !== undefined) items.push(item);
        else context.warnings.push({ code: "output-image-dropped", message: "only base64 images have a Responses output form", path });
        return;
      }
      case "native": {
        message = undefined;
        const item = encodeNativeItem(part);
        if (item !== undefined) items.push(item);
        else context.warnings.push({ code: "native-part-dropped", message: `${part.protocol} item has no Responses form`, path });
        return;
      }
      default: {
        const unreachable: never = part;
        context.warnings.push({ code: "unknown-part-dropped", message: `unknown part ${JSON.stringify(unreachable)}`, path });
      }
    }
  });
  return items;
}

/** A new assistant message item (empty content) for a text or refusal part. */
export function startMessageItem(part: TextPart | RefusalPart | undefined, outputIndex: number, context: OutputEncodingContext): WireObject {
  const shape = part === undefined ? undefined : readWireShape(part.extensions);
  const item: WireObject = { ...shape?.item };
  if (shape?.itemShape?.typeOmitted !== true) item["type"] = "message";
  if (item["id"] === undefined) item["id"] = `msg_${context.idBase}_${outputIndex}`;
  if (item["status"] === undefined) item["status"] = context.itemStatus;
  item["role"] = "assistant";
  item["content"] = [];
  return item;
}

/** Our own native items verbatim; undefined for another protocol's. */
export function encodeNativeItem(part: NativePart): WireObject | undefined {
  return part.protocol === responsesProtocol ? (part.value as WireObject) : undefined;
}

function encodeImageItem(part: ImagePart, idSuffix: string): WireObject | undefined {
  if (part.source.kind !== "base64") return undefined;
  // Generated images come back as image_generation_call items carrying the base64 result.
  return { type: "image_generation_call", id: `ig_${idSuffix}`, status: "completed", result: part.source.data };
}
