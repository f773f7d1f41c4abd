import {
  flattenToolName,
  invalidRequest,
  splitToolCallId,
  type NativePart,
  type ReasoningPart,
  type ToolCallKind,
  type ToolCallPart,
  type ToolResultPart,
} from "../../unified/index.js";
import {
  expectArray,
  expectObject,
  joinPath,
  optionalArray,
  optionalString,
  requiredString,
  type WireObject,
} from "../common/index.js";
import { decodeResponsesEncryptedContent } from "./convert-openai-responses-reasoning-artefact.js";
import { collectLeftovers, makeResponsesExtensions } from "./convert-openai-responses-extensions.js";
import { decodeResponsesContentPart, type DecodedContentPart, type TextDefault } from "./decode-openai-responses-content.js";
import { responsesProtocol, wireShapeKey, type ResponsesWireShape } from "./types.js";

/**
 * Item-level decoders shared by request `input` and response `output`: calls, tool outputs, reasoning and
 * assistant messages. Item fields without a unified home (`id`, `status`, `caller`…) stay on the part's
 * extensions so the item is rebuilt exactly.
 */

const functionCallConsumed = new Set(["type", "call_id", "name", "arguments", "namespace"]);
const customCallConsumed = new Set(["type", "call_id", "name", "input", "namespace"]);
const toolOutputConsumed = new Set(["type", "call_id", "output"]);
const reasoningConsumed = new Set(["type", "id", "summary", "content", "encrypted_content"]);
const messageConsumed = new Set(["type", "role", "content"]);

/** A provider-native item kept verbatim. */
export function nativeItemPart(item: unknown): NativePart {
  return { type: "native", protocol: responsesProtocol, value: item };
}

/** `function_call` / `custom_tool_call` → tool-call part (namespaced names flattened, embedded signatures split). */
export function decodeResponsesToolCallItem(item: WireObject, path: string, kind: ToolCallKind): ToolCallPart {
  const callId = splitToolCallId(requiredString(item, "call_id", path));
  const namespace = optionalString(item, "namespace", path);
  const name = flattenToolName(requiredString(item, "name", path), namespace);
  const argumentsText = requiredString(item, kind === "function" ? "arguments" : "input", path);
  const part: ToolCallPart = { type: "tool-call", id: callId.id, name, arguments: argumentsText, kind };
  if (callId.signature !== undefined) {
    part.signature = callId.signature;
    part.signatureOrigin = { protocol: "gemini" };
  }
  const shape: ResponsesWireShape | undefined = namespace === undefined ? undefined : { namespace };
  const extensions = makeResponsesExtensions(collectLeftovers(item, kind === "function" ? functionCallConsumed : customCallConsumed), shape);
  if (extensions !== undefined) part.extensions = extensions;
  return part;
}

/** `function_call_output` / `custom_tool_call_output` → tool-result part; `output` is a string or content parts. */
export function decodeResponsesToolOutputItem(item: WireObject, path: string, kind: ToolCallKind): ToolResultPart {
  const wireCallId = requiredString(item, "call_id", path);
  const callId = splitToolCallId(wireCallId);
  const output = item["output"];
  const outputPath = joinPath(path, "output");
  const shape: ResponsesWireShape = {};
  let content: ToolResultPart["content"];
  if (typeof output === "string") {
    shape.contentString = true;
    content = output === "" ? [] : [{ type: "text", text: output }];
  } else {
    shape.outputList = true;
    content = expectArray(output, outputPath).map((value, index) => {
      const partPath = joinPath(outputPath, index);
      const decoded = decodeResponsesContentPart(value, partPath, "input_text");
      if (decoded === undefined || decoded.type === "audio" || decoded.type === "refusal") {
        throw invalidRequest(joinPath(partPath, "type"), `unsupported tool output part type "${String((value as WireObject)["type"])}"`);
      }
      return decoded;
    });
  }
  if (callId.signature !== undefined) shape.wireCallId = wireCallId;
  const part: ToolResultPart = { type: "tool-result", toolCallId: callId.id, content, kind };
  const extensions = makeResponsesExtensions(collectLeftovers(item, toolOutputConsumed), shape);
  if (extensions !== undefined) part.extensions = extensions;
  return part;
}

/** `reasoning` → reasoning part: summary texts, reasoning_text content, encrypted_content with its origin. */
export function decodeResponsesReasoningItem(item: WireObject, path: string): ReasoningPart {
  const shape: ResponsesWireShape = { reasoningItem: true };
  const contentList = optionalArray(item, "content", path);
  let text = "";
  if (contentList !== undefined) {
    const contentPath = joinPath(path, "content");
    for (let index = 0; index < contentList.length; index++) {
      text += requiredString(expectObject(contentList[index], joinPath(contentPath, index)), "text", joinPath(contentPath, index));
    }
    // One reasoning_text part is the normal form; any other list is kept as sent so it is not re-split wrongly.
    if (contentList.length !== 1) shape.reasoningContent = contentList;
  }
  const part: ReasoningPart = { type: "reasoning", text };
  const summaryList = optionalArray(item, "summary", path);
  if (summaryList !== undefined) {
    const summaryPath = joinPath(path, "summary");
    part.summary = summaryList.map((entry, index) =>
      requiredString(expectObject(entry, joinPath(summaryPath, index)), "text", joinPath(summaryPath, index)),
    );
  }
  const id = optionalString(item, "id", path);
  if (id !== undefined) part.id = id;
  const encrypted = optionalString(item, "encrypted_content", path);
  if (encrypted !== undefined) Object.assign(part, decodeResponsesEncryptedContent(encrypted));
  // Reasoning of another origin shown as one summary part (the client asked for summaries, see
  // encodeResponsesReasoningOutputItem) is that reasoning's text again: its origin needs it back verbatim as text
  // (an Anthropic signature covers the exact thinking; a Chat upstream takes it back as reasoning_content).
  if (part.origin !== undefined && part.origin.protocol !== responsesProtocol && text === "" && part.summary?.length === 1) {
    part.text = part.summary[0] as string;
    delete part.summary;
    shape.textAsSummary = true;
  }
  const extensions = makeResponsesExtensions(collectLeftovers(item, reasoningConsumed), shape);
  if (extensions !== undefined) part.extensions = extensions;
  return part;
}

/** The item-level facts of a message item: wire leftovers (id, status, phase…) and markers. */
export interface MessageItemFacts {
  leftovers: WireObject | undefined;
  shape: ResponsesWireShape;
}

/** Reads a message item's own fields apart from its content. */
export function readMessageItemFacts(item: WireObject): MessageItemFacts {
  const shape: ResponsesWireShape = {};
  if (item["type"] === undefined) shape.typeOmitted = true;
  if (typeof item["content"] === "string") shape.contentString = true;
  return { leftovers: collectLeftovers(item, messageConsumed), shape };
}

/**
 * A message item's content as parts. `strict` (client requests) rejects part types outside the closed set with
 * `invalid_request`; otherwise (upstream responses) undefined is returned so the caller keeps the item verbatim.
 */
export function decodeResponsesMessageContent(item: WireObject, path: string, textDefault: TextDefault, strict: boolean): DecodedContentPart[] | undefined {
  const content = item["content"];
  const contentPath = joinPath(path, "content");
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", text: content }];
  const list = expectArray(content, contentPath);
  const parts: DecodedContentPart[] = [];
  for (let index = 0; index < list.length; index++) {
    const partPath = joinPath(contentPath, index);
    const decoded = decodeResponsesContentPart(list[index], partPath, textDefault);
    if (decoded === undefined) {
      if (!strict) return undefined;
      throw invalidRequest(joinPath(partPath, "type"), `unknown content part type "${String((list[index] as WireObject)["type"])}"`);
    }
    parts.push(decoded);
  }
  return parts;
}

/**
 * An assistant message item as output-side parts. Its item fields ride on the first part (`wireShape.item`), which
 * also marks where the item starts when consecutive text parts are regrouped. An item with no parts at all is kept
 * verbatim as a NativePart (there is no part to carry its fields).
 */
export function decodeResponsesAssistantMessage(item: WireObject, path: string, strict: boolean): Array<DecodedContentPart | NativePart> {
  const parts = decodeResponsesMessageContent(item, path, "output_text", strict);
  if (parts === undefined || parts.length === 0) return [nativeItemPart(item)];
  const facts = readMessageItemFacts(item);
  const first = parts[0] as DecodedContentPart;
  const record = ensureResponsesRecord(first);
  const existing = record[wireShapeKey] as ResponsesWireShape | undefined;
  const shape: ResponsesWireShape = { ...existing, item: facts.leftovers ?? {} };
  if (Object.keys(facts.shape).length > 0) shape.itemShape = facts.shape;
  record[wireShapeKey] = shape;
  return parts;
}

function ensureResponsesRecord(part: DecodedContentPart): WireObject {
  part.extensions ??= {};
  const record = part.extensions[responsesProtocol] ?? {};
  part.extensions[responsesProtocol] = record;
  return record;
}
