import type { ContentPart, UnifiedMessage } from "../../unified/index.js";
import type { WireObject } from "../common/index.js";
import { readWireShape, spreadWireFields } from "./convert-openai-responses-extensions.js";
import { encodeResponsesContentPart, type EncodableContentPart } from "./encode-openai-responses-content.js";
import {
  encodeResponsesReasoningRequestItem,
  encodeResponsesToolCallItem,
  encodeResponsesToolOutputItem,
  type ItemEncodingContext,
} from "./encode-openai-responses-items.js";
import { responsesProtocol, type ResponsesWireShape } from "./types.js";

/** A message item being filled with content parts. */
interface MessageAccumulator {
  role: string;
  fields: WireObject;
  shape: ResponsesWireShape | undefined;
  parts: WireObject[];
  /** The text when the item holds exactly one plain text part (it may then be written as a string). */
  singleText: string | undefined;
}

/**
 * Encodes unified messages as `input` items. A message's content parts (text, images, files) form one message item;
 * tool calls, tool results, reasoning and native parts become items of their own, in order. Parts that recorded
 * where a wire item started (`wireShape.item`) start a new message item there, so a client's history is rebuilt
 * item for item. `sameProtocol` (the request came from a Responses client) keeps every part as it came; from any
 * other client, empty text parts are dropped (see encodeMessage).
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-input
 */
export function encodeResponsesInput(messages: readonly UnifiedMessage[], context: ItemEncodingContext, sameProtocol: boolean): WireObject[] {
  const items: WireObject[] = [];
  messages.forEach((message, index) => encodeMessage(message, `messages[${index}]`, context, items, sameProtocol));
  return items;
}

function encodeMessage(message: UnifiedMessage, path: string, context: ItemEncodingContext, items: WireObject[], sameProtocol: boolean): void {
  // A tool message carries tool results; stray content in one is the user's.
  const role = message.role === "tool" ? "user" : message.role;
  const textDefault = role === "assistant" ? "output_text" : "input_text";
  let accumulator: MessageAccumulator | undefined;
  let messageFieldsUsed = false;

  const flush = (): void => {
    if (accumulator !== undefined && accumulator.parts.length > 0) items.push(buildMessageItem(accumulator));
    accumulator = undefined;
  };
  const openFromMessage = (): MessageAccumulator => {
    messageFieldsUsed = true;
    const fields: WireObject = {};
    spreadWireFields(fields, message.extensions);
    if (message.id !== undefined) fields["id"] = message.id;
    return { role, fields, shape: readWireShape(message.extensions), parts: [], singleText: undefined };
  };

  message.content.forEach((part: ContentPart, index) => {
    const partPath = `${path}.content[${index}]`;
    switch (part.type) {
      case "text":
      case "image":
      case "file":
      case "audio":
      case "refusal": {
        // Empty text from another protocol carries nothing, yet would become an empty message item (Gemini streams end
        // with an empty text part that clients echo back in their history). A Responses client's own empty
        // output_text stays, so that its body round-trips exactly: every part of its request came from its wire.
        if (part.type === "text" && part.text === "" && !sameProtocol) return;
        if (role === "assistant" && (part.type === "image" || part.type === "file" || part.type === "audio")) {
          // Assistant message content is output_text or refusal only.
          context.warnings.push({ code: "assistant-media-dropped", message: `assistant ${part.type} content has no Responses input form`, path: partPath });
          return;
        }
        const itemStart = readWireShape(part.extensions)?.item;
        if (itemStart !== undefined) {
          flush();
          accumulator = { role, fields: { ...itemStart }, shape: readWireShape(part.extensions)?.itemShape, parts: [], singleText: undefined };
        } else {
          accumulator ??= messageFieldsUsed ? { role, fields: {}, shape: undefined, parts: [], singleText: undefined } : openFromMessage();
        }
        addPart(accumulator, part, textDefault, context, partPath);
        return;
      }
      case "tool-call":
        flush();
        items.push(encodeResponsesToolCallItem(part, context));
        return;
      case "tool-result":
        flush();
        items.push(encodeResponsesToolOutputItem(part, context, partPath));
        return;
      case "reasoning": {
        flush();
        const item = encodeResponsesReasoningRequestItem(part, context, partPath);
        if (item !== undefined) items.push(item);
        return;
      }
      case "native":
        flush();
        if (part.protocol === responsesProtocol) items.push(part.value as WireObject);
        else context.warnings.push({ code: "native-part-dropped", message: `${part.protocol} item has no Responses form`, path: partPath });
        return;
      default: {
        const unreachable: never = part;
        context.warnings.push({ code: "unknown-part-dropped", message: `unknown part ${JSON.stringify(unreachable)}`, path: partPath });
      }
    }
  });
  flush();
  // A message with no content at all is still a message (`content: []` or `""`) in the client's history.
  if (message.content.length === 0) items.push(buildMessageItem(openFromMessage()));
}

function addPart(accumulator: MessageAccumulator, part: EncodableContentPart, textDefault: "input_text" | "output_text", context: ItemEncodingContext, path: string): void {
  const encoded = encodeResponsesContentPart(part, textDefault, context, path);
  // Only a bare `{type, text}` of the role's default type can be written back as string content.
  const plain = part.type === "text" && encoded["type"] === textDefault && Object.keys(encoded).length === 2;
  accumulator.singleText = accumulator.parts.length === 0 && plain ? part.text : undefined;
  accumulator.parts.push(encoded);
}

/** A message item from its recorded fields and parts; string content when it was sent as one. */
function buildMessageItem(accumulator: MessageAccumulator): WireObject {
  const item: WireObject = accumulator.fields;
  if (accumulator.shape?.typeOmitted !== true) item["type"] = "message";
  item["role"] = accumulator.role;
  const asString = accumulator.shape?.contentString === true;
  if (asString && accumulator.parts.length === 0) item["content"] = "";
  else if (asString && accumulator.singleText !== undefined) item["content"] = accumulator.singleText;
  else item["content"] = accumulator.parts;
  return item;
}
