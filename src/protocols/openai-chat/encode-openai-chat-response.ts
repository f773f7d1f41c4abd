import {
  argumentsToCustomInput,
  artefactForProtocol,
  embedSignatureInToolCallId,
  type Citation,
  type CodecOutput,
  type EncodeResponseOptions,
  type ReasoningOrigin,
  type ReasoningPart,
  type ToolCallPart,
  type UnifiedRequest,
  type UnifiedResponse,
  type UnifiedWarning,
} from "../../unified/index.js";
import { isWireObject } from "../common/index.js";
import { readChatExtensions, writeChatUnknownFields } from "./convert-openai-chat-extensions.js";
import { convertUnifiedUsageToOpenAiChat } from "./convert-openai-chat-usage.js";
import { encodeOpenAiChatToolCall, writeReasoning } from "./encode-openai-chat-messages.js";
import { mapUnifiedFinishReasonToOpenAiChat } from "./map-openai-chat-finish-reason.js";
import { chatMarkers, openAiChatProtocol, type ChatContentForm, type ChatWireObject } from "./types.js";

/**
 * Unified → Chat Completions response body for a Chat client. A response decoded from Chat comes back field for
 * field (its extras ride in extensions); one from another protocol gets OpenAI's canonical shape. Tool calls of
 * the client's custom tools are written as `custom` calls, Gemini signatures ride inside tool-call ids, and
 * reasoning artefacts from other protocols are tagged with their origin in `reasoning_details`.
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */
export function encodeOpenAiChatResponse(response: UnifiedResponse, options: EncodeResponseOptions = {}): CodecOutput<Record<string, unknown>> {
  const warnings: UnifiedWarning[] = [];
  const ext = readChatExtensions(response.extensions);
  const now = options.now ?? Date.now;
  const body: ChatWireObject = {
    id: response.id !== "" ? response.id : `chatcmpl-${now().toString(36)}`,
    object: "chat.completion",
    created: response.created ?? Math.floor(now() / 1000),
    model: response.model,
  };
  const metadata = response.providerMetadata;
  if (metadata !== undefined && "systemFingerprint" in metadata) body["system_fingerprint"] = metadata["systemFingerprint"];
  if (metadata !== undefined && "serviceTier" in metadata) body["service_tier"] = metadata["serviceTier"];

  const choice: ChatWireObject = { index: 0 };
  const choiceFields = ext?.[chatMarkers.choiceFields];
  if (isWireObject(choiceFields)) Object.assign(choice, choiceFields);
  else if (ext === undefined) choice["logprobs"] = null;
  choice["message"] = encodeMessage(response, ext, customToolNamesOf(options.request), warnings);
  choice["finish_reason"] = mapUnifiedFinishReasonToOpenAiChat(response.finishReason);
  body["choices"] = [choice];
  if (response.usage !== undefined) body["usage"] = convertUnifiedUsageToOpenAiChat(response.usage);
  // Top-level extras the upstream sent (markers are skipped) go back last, so an odd `object` value is restored too.
  writeChatUnknownFields(body, ext);
  return { value: body, warnings };
}

function encodeMessage(
  response: UnifiedResponse,
  ext: Record<string, unknown> | undefined,
  customToolNames: ReadonlySet<string>,
  warnings: UnifiedWarning[],
): ChatWireObject {
  const message: ChatWireObject = { role: "assistant" };
  const messageFields = ext?.[chatMarkers.messageFields];
  if (isWireObject(messageFields)) Object.assign(message, messageFields);
  let text: string | undefined;
  const textParts: string[] = [];
  const annotations: unknown[] = [];
  const refusals: string[] = [];
  const reasoning: Array<ReasoningPart | ChatWireObject> = [];
  const toolCalls: ChatWireObject[] = [];
  response.output.forEach((part, index) => {
    switch (part.type) {
      case "text":
        if (part.citations !== undefined) annotations.push(...encodeAnnotations(part.citations, text?.length ?? 0, warnings, index));
        text = (text ?? "") + part.text;
        textParts.push(part.text);
        return;
      case "refusal":
        refusals.push(part.text);
        return;
      case "reasoning":
        reasoning.push(part);
        return;
      case "tool-call":
        if (readChatExtensions(part.extensions)?.[chatMarkers.legacyToolCall] === true) message["function_call"] = { name: part.name, arguments: part.arguments };
        else toolCalls.push(encodeClientToolCall(part, customToolNames));
        return;
      case "native":
        if (part.protocol === openAiChatProtocol && isWireObject(part.value) && String(part.value["type"]).startsWith("reasoning.")) reasoning.push(part.value);
        else warnings.push({ code: "native-part-dropped", message: `a ${part.protocol} native item has no Chat form`, path: `output[${index}]` });
        return;
      case "image":
        warnings.push({ code: "image-part-dropped", message: "Chat responses carry no images", path: `output[${index}]` });
        return;
      default: {
        const unreachable: never = part;
        return unreachable;
      }
    }
  });
  const form = ext?.[chatMarkers.contentForm] as ChatContentForm | undefined;
  if (form === "parts") message["content"] = textParts.map((part) => ({ type: "text", text: part }));
  else if (text !== undefined) message["content"] = text;
  else if (form === "empty") message["content"] = "";
  else if (form !== "absent") message["content"] = null;
  if (refusals.length > 0) message["refusal"] = refusals.join("");
  else if (ext === undefined) message["refusal"] = null;
  if (annotations.length > 0) message["annotations"] = annotations;
  else if (ext === undefined) message["annotations"] = [];
  writeReasoning(message, reasoning, ext, (artefact, part, kind) => artefactForProtocol(artefact, part.origin, openAiChatProtocol, kind), true);
  if (toolCalls.length > 0) message["tool_calls"] = toolCalls;
  return message;
}

/** Citations → Chat `annotations` (Chat's own kept raw, URL citations rebuilt, others dropped with a warning). */
export function encodeAnnotations(citations: readonly Citation[], offset: number, warnings: UnifiedWarning[], index: number): unknown[] {
  const annotations: unknown[] = [];
  for (const citation of citations) {
    if (citation.origin === openAiChatProtocol) annotations.push(citation.raw);
    else if (citation.kind === "url" && citation.url !== undefined) {
      const inner: ChatWireObject = { url: citation.url, title: citation.title ?? "" };
      // Indexes count from the start of the whole content string, which joins all text parts.
      if (citation.startIndex !== undefined) inner["start_index"] = citation.startIndex + offset;
      if (citation.endIndex !== undefined) inner["end_index"] = citation.endIndex + offset;
      annotations.push({ type: "url_citation", url_citation: inner });
    } else {
      warnings.push({ code: "citation-dropped", message: `a ${citation.origin} citation has no Chat annotation form`, path: `output[${index}].citations` });
    }
  }
  return annotations;
}

/** Names of the client's custom (freeform) tools: their calls go back as `custom` calls whatever the upstream said. */
export function customToolNamesOf(request: UnifiedRequest | undefined): ReadonlySet<string> {
  const names = new Set<string>();
  for (const tool of request?.tools ?? []) {
    if (tool.type === "custom") names.add(tool.name);
  }
  return names;
}

/** The id a Chat client sees: a signature from another protocol (Gemini) rides inside it. */
export function clientToolCallId(id: string, signature: string | undefined, origin: ReasoningOrigin | undefined): string {
  if (signature === undefined || origin?.protocol === openAiChatProtocol) return id;
  return embedSignatureInToolCallId(id, signature);
}

function encodeClientToolCall(part: ToolCallPart, customToolNames: ReadonlySet<string>): ChatWireObject {
  const id = clientToolCallId(part.id, part.signature, part.signatureOrigin);
  if (part.kind === "function" && customToolNames.has(part.name)) {
    // The upstream saw the custom tool as a function taking {input}; the client gets its freeform call back.
    return encodeOpenAiChatToolCall({ ...part, kind: "custom", arguments: argumentsToCustomInput(part.arguments) }, id);
  }
  return encodeOpenAiChatToolCall(part, id);
}
