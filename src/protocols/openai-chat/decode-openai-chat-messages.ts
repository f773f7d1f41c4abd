import {
  deriveToolCallId,
  invalidRequest,
  splitToolCallId,
  type ContentPart,
  type FilePart,
  type ImagePart,
  type TextPart,
  type ToolCallPart,
  type ToolResultPart,
  type UnifiedMessage,
} from "../../unified/index.js";
import {
  collectUnknownFields,
  expectArray,
  expectObject,
  joinPath,
  optionalArray,
  optionalObject,
  optionalString,
  requiredString,
  type WireObject,
} from "../common/index.js";
import { addChatMarker, convertToChatExtensions } from "./convert-openai-chat-extensions.js";
import { decodeOpenAiChatContent, type DecodedChatContent } from "./decode-openai-chat-content.js";
import { decodeOpenAiChatReasoningDetails } from "./decode-openai-chat-reasoning-details.js";
import { chatMarkers } from "./types.js";

const knownInstructionFields = new Set(["role", "content", "name"]);
const knownInstructionFieldsWithoutName = new Set(["role", "content"]);
const knownToolFields = new Set(["role", "content", "tool_call_id"]);
const knownFunctionResultFields = new Set(["role", "content", "name"]);
const knownToolCallFields = new Set(["id", "type", "function", "custom"]);
const knownFunctionFields = new Set(["name", "arguments"]);
const knownCustomCallFields = new Set(["name", "input"]);

/** Legacy `function_call`s have no id: remember the derived id per function name for the `function` result. */
type LegacyCallIds = Map<string, string>;

/**
 * `messages` → unified messages. system/developer/user keep their role and position; assistant content, refusal,
 * reasoning and tool calls become parts; a `tool` message becomes role "tool" with one ToolResultPart; the legacy
 * `function` role likewise (marked, so it is written back as `function`).
 * @see https://platform.openai.com/docs/api-reference/chat/create#chat-create-messages
 */
export function decodeOpenAiChatMessages(value: unknown, path: string): UnifiedMessage[] {
  const array = expectArray(value, path);
  const messages = new Array<UnifiedMessage>(array.length);
  const legacyCallIds: LegacyCallIds = new Map();
  for (let index = 0; index < array.length; index += 1) {
    messages[index] = decodeMessage(array[index], joinPath(path, index), index, legacyCallIds);
  }
  return messages;
}

function decodeMessage(value: unknown, path: string, position: number, legacyCallIds: LegacyCallIds): UnifiedMessage {
  const message = expectObject(value, path);
  const role = requiredString(message, "role", path);
  switch (role) {
    case "system":
    case "developer":
    case "user":
      return decodeInstructionOrUser(message, role, path);
    case "assistant":
      return decodeAssistant(message, path, position, legacyCallIds);
    case "tool":
      return decodeToolResult(message, path);
    case "function":
      return decodeLegacyFunctionResult(message, path, position, legacyCallIds);
    default:
      throw invalidRequest(joinPath(path, "role"), `unknown role "${role}"`);
  }
}

function decodeInstructionOrUser(message: WireObject, role: "system" | "developer" | "user", path: string): UnifiedMessage {
  if (!("content" in message) || message["content"] === null) throw invalidRequest(joinPath(path, "content"), "is required");
  const content = decodeOpenAiChatContent(message, path);
  const decoded: UnifiedMessage = { role, content: content.parts };
  const name = optionalString(message, "name", path);
  if (name !== undefined) decoded.name = name;
  const known = name === undefined ? knownInstructionFieldsWithoutName : knownInstructionFields;
  return withMessageExtensions(decoded, collectUnknownFields(message, known), contentMarkers(content));
}

function decodeAssistant(message: WireObject, path: string, position: number, legacyCallIds: LegacyCallIds): UnifiedMessage {
  const content = decodeOpenAiChatContent(message, path);
  let markers = contentMarkers(content);
  const parts: ContentPart[] = [];
  // Fields are consumed only when read into the unified form; a null or unusable value rides verbatim instead, so
  // the encoder writes back exactly what came (e.g. `"refusal": null`, `"reasoning_content": ""`).
  const consumed = new Set(["role", "content"]);

  // Empty arrays are not consumed: they ride verbatim, so they come back exactly (and nothing empty is invented).
  const details = optionalArray(message, "reasoning_details", path);
  if (details !== undefined && details.length > 0) {
    // reasoning_details carries the artefacts; reasoning_content / reasoning (the same text) then ride verbatim.
    consumed.add("reasoning_details");
    for (const part of decodeOpenAiChatReasoningDetails(details)) parts.push(part);
    markers = addChatMarker(markers, chatMarkers.reasoningFromDetails, true);
  } else {
    const reasoningContent = optionalString(message, "reasoning_content", path);
    if (reasoningContent !== undefined && reasoningContent !== "") {
      consumed.add("reasoning_content");
      parts.push({ type: "reasoning", text: reasoningContent });
    } else if (reasoningContent === undefined && typeof message["reasoning"] === "string" && message["reasoning"] !== "") {
      // OpenRouter names the same text `reasoning`.
      consumed.add("reasoning");
      parts.push({ type: "reasoning", text: message["reasoning"] });
      markers = addChatMarker(markers, chatMarkers.reasoningField, "reasoning");
    }
  }

  for (const part of content.parts) parts.push(part);
  // In array form a refusal is a content part; a `refusal` field beside an array rides verbatim.
  const refusal = message["refusal"];
  if (typeof refusal === "string" && content.form !== "parts") {
    consumed.add("refusal");
    parts.push({ type: "refusal", text: refusal });
  }

  const toolCalls = optionalArray(message, "tool_calls", path);
  if (toolCalls !== undefined && toolCalls.length > 0) {
    consumed.add("tool_calls");
    const callsPath = joinPath(path, "tool_calls");
    for (let index = 0; index < toolCalls.length; index += 1) parts.push(decodeToolCall(toolCalls[index], joinPath(callsPath, index)));
  }

  const functionCall = optionalObject(message, "function_call", path);
  if (functionCall !== undefined) {
    consumed.add("function_call");
    parts.push(decodeLegacyFunctionCall(functionCall, joinPath(path, "function_call"), position, legacyCallIds));
  }

  const decoded: UnifiedMessage = { role: "assistant", content: parts };
  const name = optionalString(message, "name", path);
  if (name !== undefined) {
    consumed.add("name");
    decoded.name = name;
  }
  return withMessageExtensions(decoded, collectUnknownFields(message, consumed), markers);
}

function decodeToolCall(value: unknown, path: string): ToolCallPart {
  const call = expectObject(value, path);
  const { id, signature } = splitToolCallId(requiredString(call, "id", path));
  const type = optionalString(call, "type", path) ?? "function";
  let part: ToolCallPart;
  let inner: WireObject;
  let innerKnown: ReadonlySet<string>;
  if (type === "custom") {
    inner = expectObject(call["custom"], joinPath(path, "custom"));
    innerKnown = knownCustomCallFields;
    const innerPath = joinPath(path, "custom");
    part = { type: "tool-call", id, name: requiredString(inner, "name", innerPath), arguments: requiredString(inner, "input", innerPath), kind: "custom" };
  } else if (type === "function") {
    inner = expectObject(call["function"], joinPath(path, "function"));
    innerKnown = knownFunctionFields;
    const innerPath = joinPath(path, "function");
    // Arguments stay the exact text the model produced (pretty-printed JSON included): replay must be byte-stable.
    part = { type: "tool-call", id, name: requiredString(inner, "name", innerPath), arguments: requiredString(inner, "arguments", innerPath), kind: "function" };
  } else {
    throw invalidRequest(joinPath(path, "type"), `unknown tool call type "${type}"`);
  }
  if (signature !== undefined) {
    part.signature = signature;
    part.signatureOrigin = { protocol: "gemini" };
  }
  const innerUnknown = collectUnknownFields(inner, innerKnown);
  const unknown = collectUnknownFields(call, knownToolCallFields);
  const extensions = convertToChatExtensions(unknown, innerUnknown === undefined ? undefined : { [chatMarkers.innerFields]: innerUnknown });
  if (extensions !== undefined) part.extensions = extensions;
  return part;
}

function decodeLegacyFunctionCall(call: WireObject, path: string, position: number, legacyCallIds: LegacyCallIds): ToolCallPart {
  const name = requiredString(call, "name", path);
  const args = requiredString(call, "arguments", path);
  // The legacy form has no id; a deterministic one (never random) ties the call to its `function` result.
  const id = deriveToolCallId("call", name, args, position);
  legacyCallIds.set(name, id);
  const part: ToolCallPart = { type: "tool-call", id, name, arguments: args, kind: "function" };
  const extensions = convertToChatExtensions(collectUnknownFields(call, knownFunctionFields), { [chatMarkers.legacyToolCall]: true });
  if (extensions !== undefined) part.extensions = extensions;
  return part;
}

function decodeToolResult(message: WireObject, path: string): UnifiedMessage {
  const { id } = splitToolCallId(requiredString(message, "tool_call_id", path));
  if (!("content" in message) || message["content"] === null) throw invalidRequest(joinPath(path, "content"), "is required");
  const content = decodeOpenAiChatContent(message, path);
  const result: ToolResultPart = { type: "tool-result", toolCallId: id, content: toolResultContent(content, path) };
  const decoded: UnifiedMessage = { role: "tool", content: [result] };
  return withMessageExtensions(decoded, collectUnknownFields(message, knownToolFields), contentMarkers(content));
}

function decodeLegacyFunctionResult(message: WireObject, path: string, position: number, legacyCallIds: LegacyCallIds): UnifiedMessage {
  const name = requiredString(message, "name", path);
  const content = decodeOpenAiChatContent(message, path);
  const toolCallId = legacyCallIds.get(name) ?? deriveToolCallId("call", name, position);
  const result: ToolResultPart = { type: "tool-result", toolCallId, name, content: toolResultContent(content, path) };
  const decoded: UnifiedMessage = { role: "tool", content: [result] };
  const markers = addChatMarker(contentMarkers(content), chatMarkers.legacyFunctionRole, true);
  return withMessageExtensions(decoded, collectUnknownFields(message, knownFunctionResultFields), markers);
}

function toolResultContent(content: DecodedChatContent, path: string): Array<TextPart | ImagePart | FilePart> {
  const parts: Array<TextPart | ImagePart | FilePart> = [];
  content.parts.forEach((part, index) => {
    if (part.type === "text" || part.type === "image" || part.type === "file") parts.push(part);
    else throw invalidRequest(joinPath(joinPath(path, "content"), index), `a ${part.type} part cannot be a tool result`);
  });
  return parts;
}

function contentMarkers(content: DecodedChatContent): Record<string, unknown> | undefined {
  return content.form === undefined ? undefined : { [chatMarkers.contentForm]: content.form };
}

function withMessageExtensions(
  message: UnifiedMessage,
  unknown: Record<string, unknown> | undefined,
  markers: Record<string, unknown> | undefined,
): UnifiedMessage {
  const extensions = convertToChatExtensions(unknown, markers);
  if (extensions !== undefined) message.extensions = extensions;
  return message;
}
