import {
  canReplayArtefact,
  embedSignatureInToolCallId,
  type ContentPart,
  type InstructionBlock,
  type ProtocolId,
  type ReasoningArtefactKind,
  type ReasoningOrigin,
  type ReasoningPart,
  type ToolCallPart,
  type ToolResultPart,
  type UnifiedMessage,
  type UnifiedWarning,
} from "../../unified/index.js";
import { isWireObject } from "../common/index.js";
import { readChatExtensions, writeChatUnknownFields } from "./convert-openai-chat-extensions.js";
import { encodeOpenAiChatContent, warnCacheControl, type ChatContentContext, type EncodableChatPart } from "./encode-openai-chat-content.js";
import { encodeOpenAiChatReasoningDetails, hasReasoningArtefact } from "./encode-openai-chat-reasoning-details.js";
import { chatMarkers, openAiChatProtocol, type ChatContentForm, type ChatWireMessage, type ChatWireObject } from "./types.js";

/** State shared while encoding one request's messages. */
interface MessageContext {
  warnings: UnifiedWarning[];
  /** The request was written by a Chat client: its own cache_control and tool-message media go back as they came. */
  sameProtocolClient: boolean;
  /** Where reasoning without a recorded origin came from: the protocol the request arrived in. */
  defaultOrigin: ReasoningOrigin | undefined;
  /** Tool-call id as the client knows it → id written upstream (a Gemini signature embedded), for the results. */
  toolCallIds: Map<string, string>;
}

/**
 * Unified instructions and messages → Chat `messages`. Top-level instruction blocks (from Anthropic, Gemini or
 * Responses) become leading system/developer messages; messages keep their order. A message holding several tool
 * results (Anthropic puts them all in one user turn) becomes one `tool` message per result, followed by a user
 * message with whatever else it held.
 * @see https://platform.openai.com/docs/api-reference/chat/create#chat-create-messages
 */
export function encodeOpenAiChatMessages(
  system: readonly InstructionBlock[],
  messages: readonly UnifiedMessage[],
  warnings: UnifiedWarning[],
  sourceProtocol: ProtocolId | undefined,
): ChatWireMessage[] {
  const context: MessageContext = {
    warnings,
    sameProtocolClient: sourceProtocol === openAiChatProtocol,
    defaultOrigin: sourceProtocol === undefined ? undefined : { protocol: sourceProtocol },
    toolCallIds: new Map(),
  };
  const out: ChatWireMessage[] = [];
  system.forEach((block, index) => {
    const wire: ChatWireMessage = { role: block.role };
    writeChatUnknownFields(wire, readChatExtensions(block.extensions));
    wire["content"] = encodeOpenAiChatContent(block.parts, undefined, "", contentContext(context, `system[${index}].parts`));
    out.push(wire);
  });
  messages.forEach((message, index) => encodeMessage(message, `messages[${index}]`, context, out));
  return out;
}

function contentContext(context: MessageContext, path: string): ChatContentContext {
  return { writeCacheControl: context.sameProtocolClient, warnings: context.warnings, path };
}

function encodeMessage(message: UnifiedMessage, path: string, context: MessageContext, out: ChatWireMessage[]): void {
  if (message.role === "assistant") {
    out.push(encodeAssistant(message, path, context));
    return;
  }
  const ext = readChatExtensions(message.extensions);
  const content: EncodableChatPart[] = [];
  let results = 0;
  message.content.forEach((part, index) => {
    if (part.type === "tool-result") {
      // The message's own wire fields belong to its first (for Chat: only) tool result.
      out.push(encodeToolResult(part, results === 0 ? ext : undefined, `${path}.content[${index}]`, context, content));
      results += 1;
    } else if (isEncodable(part)) {
      content.push(part);
    } else {
      dropPart(part, `${path}.content[${index}]`, context.warnings);
    }
  });
  if (results > 0 && content.length === 0) return;
  // Text beside tool results, and media moved out of them, follow the tool messages as a user message: Chat wants
  // every tool message right after the assistant turn that made the calls.
  const role = message.role === "tool" || results > 0 ? "user" : message.role;
  const wire: ChatWireMessage = { role };
  const form = results === 0 ? (ext?.[chatMarkers.contentForm] as ChatContentForm | undefined) : undefined;
  if (results === 0) writeChatUnknownFields(wire, ext);
  if (message.name !== undefined) wire["name"] = message.name;
  const encoded = encodeOpenAiChatContent(content, form, "", contentContext(context, `${path}.content`));
  if (encoded !== undefined) wire["content"] = encoded;
  out.push(wire);
}

function isEncodable(part: ContentPart): part is EncodableChatPart {
  return part.type === "text" || part.type === "image" || part.type === "file" || part.type === "audio" || part.type === "refusal";
}

function encodeToolResult(
  part: ToolResultPart,
  ext: Record<string, unknown> | undefined,
  path: string,
  context: MessageContext,
  followingUserContent: EncodableChatPart[],
): ChatWireMessage {
  const legacy = ext?.[chatMarkers.legacyFunctionRole] === true;
  const wire: ChatWireMessage = legacy
    ? { role: "function", name: part.name ?? "" }
    : { role: "tool", tool_call_id: context.toolCallIds.get(part.toolCallId) ?? part.toolCallId };
  writeChatUnknownFields(wire, ext);
  if (part.cacheControl !== undefined && !context.sameProtocolClient) warnCacheControl({ warnings: context.warnings, path });
  if (part.isError === true) {
    // Chat tool messages have no error flag; the text still says what failed.
    context.warnings.push({ code: "tool-result-error-flag-dropped", message: "Chat tool messages cannot mark a result as an error", path });
  }
  let parts: EncodableChatPart[] = part.content;
  if (!context.sameProtocolClient && part.content.some((item) => item.type !== "text")) {
    // OpenAI takes images and files only in user messages: media from another protocol's tool result move to the
    // user message after the tool messages, kept as media rather than flattened to text.
    parts = [];
    for (const item of part.content) (item.type === "text" ? parts : followingUserContent).push(item);
    context.warnings.push({ code: "tool-result-media-moved", message: "tool-result media moved to the following user message", path });
  }
  const form = ext?.[chatMarkers.contentForm] as ChatContentForm | undefined;
  const content = encodeOpenAiChatContent(parts, form, "", contentContext(context, `${path}.content`));
  if (content !== undefined) wire["content"] = content;
  return wire;
}

function encodeAssistant(message: UnifiedMessage, path: string, context: MessageContext): ChatWireMessage {
  const ext = readChatExtensions(message.extensions);
  const form = ext?.[chatMarkers.contentForm] as ChatContentForm | undefined;
  const wire: ChatWireMessage = { role: "assistant" };
  writeChatUnknownFields(wire, ext);
  const content: EncodableChatPart[] = [];
  const refusals: string[] = [];
  const reasoning: Array<ReasoningPart | ChatWireObject> = [];
  const toolCalls: ChatWireObject[] = [];
  message.content.forEach((part, index) => {
    const partPath = `${path}.content[${index}]`;
    switch (part.type) {
      case "text":
        content.push(part);
        return;
      case "refusal":
        // Array-form content keeps refusals in place; otherwise they go to the `refusal` field.
        if (form === "parts") content.push(part);
        else refusals.push(part.text);
        return;
      case "reasoning": {
        // Reasoning without an artefact has no recorded origin: it belongs to the protocol the request came in.
        const origin = part.origin ?? context.defaultOrigin;
        if (canReplayArtefact(origin, openAiChatProtocol)) reasoning.push(part);
        else {
          // Another provider's reasoning (and its signature) means nothing to a Chat upstream: dropped whole, text
          // included. Only Chat-born reasoning_content goes back (DeepSeek and Kimi require it on tool turns; a
          // strict upstream that rejects the field needs a provider adapter to strip it).
          context.warnings.push({ code: "reasoning-artefact-dropped", message: `reasoning from ${origin?.protocol ?? "another protocol"} is not sent to a Chat upstream`, path: partPath });
        }
        return;
      }
      case "tool-call":
        if (readChatExtensions(part.extensions)?.[chatMarkers.legacyToolCall] === true) wire["function_call"] = { name: part.name, arguments: part.arguments };
        else toolCalls.push(encodeToolCall(part, context));
        return;
      case "native":
        if (part.protocol === openAiChatProtocol && isWireObject(part.value) && String(part.value["type"]).startsWith("reasoning.")) reasoning.push(part.value);
        else dropPart(part, partPath, context.warnings);
        return;
      case "image":
      case "file":
      case "audio":
      case "tool-result":
        dropPart(part, partPath, context.warnings);
        return;
      default: {
        const unreachable: never = part;
        dropPart(unreachable, partPath, context.warnings);
      }
    }
  });
  const encoded = encodeOpenAiChatContent(content, form, null, contentContext(context, `${path}.content`));
  if (encoded !== undefined) wire["content"] = encoded;
  if (refusals.length > 0) wire["refusal"] = refusals.join("");
  writeReasoning(wire, reasoning, ext, (artefact) => artefact);
  if (toolCalls.length > 0) wire["tool_calls"] = toolCalls;
  if (message.name !== undefined) wire["name"] = message.name;
  return wire;
}

/**
 * Reasoning → `reasoning_content` (DeepSeek, Kimi and others need it replayed on tool turns) and, when there are
 * artefacts or the client sent them that way, OpenRouter-style `reasoning_details`. `summaryAsText` (towards a
 * client): a part with summaries but no text (Responses reasoning) shows its summaries, joined as paragraphs, as
 * reasoning_content, as the stream encoder does with summary deltas; towards an upstream only text is replayed.
 */
export function writeReasoning(
  wire: ChatWireObject,
  reasoning: ReadonlyArray<ReasoningPart | ChatWireObject>,
  ext: Record<string, unknown> | undefined,
  writeArtefact: (artefact: string, part: ReasoningPart, kind: ReasoningArtefactKind) => string,
  summaryAsText = false,
): void {
  if (reasoning.length === 0) return;
  const fromDetails = ext?.[chatMarkers.reasoningFromDetails] === true;
  let text = "";
  let artefacts = false;
  for (const item of reasoning) {
    if (!isReasoningPart(item)) continue;
    text += item.text === "" && summaryAsText && item.summary !== undefined ? item.summary.join("\n\n") : item.text;
    artefacts ||= hasReasoningArtefact(item);
  }
  // When the client sent reasoning_details, reasoning_content (if any) rode verbatim: only the details are rebuilt.
  if (!fromDetails && text !== "") wire[ext?.[chatMarkers.reasoningField] === "reasoning" ? "reasoning" : "reasoning_content"] = text;
  if (fromDetails || artefacts || reasoning.some((item) => !isReasoningPart(item))) {
    const details: ChatWireObject[] = [];
    for (const item of reasoning) {
      if (isReasoningPart(item)) details.push(...encodeOpenAiChatReasoningDetails(item, (artefact, kind) => writeArtefact(artefact, item, kind)));
      else details.push(item);
    }
    wire["reasoning_details"] = details;
  }
}

function isReasoningPart(item: ReasoningPart | ChatWireObject): item is ReasoningPart {
  return item["type"] === "reasoning";
}

function encodeToolCall(part: ToolCallPart, context: MessageContext): ChatWireObject {
  // A Gemini thought signature rides inside the id so the Chat client's history brings it back.
  const id =
    part.signature !== undefined && part.signatureOrigin?.protocol !== openAiChatProtocol ? embedSignatureInToolCallId(part.id, part.signature) : part.id;
  if (id !== part.id) context.toolCallIds.set(part.id, id);
  return encodeOpenAiChatToolCall(part, id);
}

/** A tool call as Chat writes it (`function` or `custom`), with the unknown fields the client sent. */
export function encodeOpenAiChatToolCall(part: ToolCallPart, id: string): ChatWireObject {
  const ext = readChatExtensions(part.extensions);
  const innerExtra = ext?.[chatMarkers.innerFields];
  const wire: ChatWireObject =
    part.kind === "custom"
      ? { id, type: "custom", custom: { name: part.name, input: part.arguments } }
      : { id, type: "function", function: { name: part.name, arguments: part.arguments } };
  if (isWireObject(innerExtra)) Object.assign(wire[part.kind] as ChatWireObject, innerExtra);
  writeChatUnknownFields(wire, ext);
  return wire;
}

function dropPart(part: ContentPart, path: string, warnings: UnifiedWarning[]): void {
  warnings.push({ code: `${part.type}-part-dropped`, message: `a ${part.type} part cannot be sent in this Chat message`, path });
}
