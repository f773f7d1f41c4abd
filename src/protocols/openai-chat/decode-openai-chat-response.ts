import {
  GatewayError,
  deriveToolCallId,
  splitToolCallId,
  type Citation,
  type CodecOutput,
  type OutputPart,
  type TextPart,
  type ToolCallPart,
  type UnifiedResponse,
  type UnifiedWarning,
} from "../../unified/index.js";
import { isWireObject, type WireObject } from "../common/index.js";
import { addChatMarker, convertToChatExtensions } from "./convert-openai-chat-extensions.js";
import { convertOpenAiChatUsageToUnified, readOpenAiChatUsageCost } from "./convert-openai-chat-usage.js";
import { decodeOpenAiChatError } from "./decode-openai-chat-error.js";
import { decodeOpenAiChatReasoningDetails } from "./decode-openai-chat-reasoning-details.js";
import { mapOpenAiChatFinishReason } from "./map-openai-chat-finish-reason.js";
import { chatMarkers, openAiChatProtocol, type ChatContentForm } from "./types.js";

const knownChoiceFields = new Set(["index", "message", "finish_reason"]);
const knownCallFields = new Set(["id", "type", "function", "custom"]);

/**
 * Chat Completions response body → unified. Tolerant: upstream bodies are read, not judged. A body with `error`
 * (OpenRouter answers some failures with 200) throws the matching GatewayError; a body that is no object throws
 * `upstream_server`. The unified response has one choice: with `n > 1` choice 0 is kept and a warning says so.
 * Fields with no unified home (top level, the choice, the message) ride verbatim in `extensions["openai-chat"]`.
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */
export function decodeOpenAiChatResponse(value: unknown): CodecOutput<UnifiedResponse> {
  if (!isWireObject(value)) throw new GatewayError("upstream_server", "upstream response is not a JSON object");
  if (value["error"] !== undefined && value["error"] !== null && value["choices"] === undefined) throw decodeOpenAiChatError(value["error"]);
  const warnings: UnifiedWarning[] = [];
  const consumed = new Set(["choices"]);
  const response: UnifiedResponse = { id: "", model: "", output: [], finishReason: { unified: "other", raw: null } };
  if (typeof value["id"] === "string") {
    consumed.add("id");
    response.id = value["id"];
  }
  if (typeof value["model"] === "string") {
    consumed.add("model");
    response.model = value["model"];
  }
  if (typeof value["created"] === "number") {
    consumed.add("created");
    response.created = value["created"];
  }
  if (value["object"] === "chat.completion") consumed.add("object");
  const providerMetadata = readProviderMetadata(value, consumed);
  if (providerMetadata !== undefined) response.providerMetadata = providerMetadata;

  const usage = convertOpenAiChatUsageToUnified(value["usage"]);
  if (usage !== undefined) {
    consumed.add("usage");
    response.usage = usage;
    const cost = readOpenAiChatUsageCost(value["usage"]);
    if (cost !== undefined) response.cost = { totalUsd: cost, source: "provider" };
  }

  let markers: Record<string, unknown> | undefined;
  const choices = Array.isArray(value["choices"]) ? value["choices"] : [];
  if (choices.length > 1) {
    // The unified response holds one choice; the others are not silently kept or merged.
    warnings.push({ code: "choices-dropped", message: `${choices.length - 1} extra choice(s) dropped; only choice 0 is kept`, path: "choices" });
  }
  const choice = choices.find((item) => isWireObject(item) && item["index"] === 0) ?? choices[0];
  if (isWireObject(choice)) {
    response.finishReason = mapOpenAiChatFinishReason(typeof choice["finish_reason"] === "string" ? choice["finish_reason"] : null);
    const choiceFields = collectFields(choice, knownChoiceFields, typeof choice["finish_reason"] === "string");
    if (choiceFields !== undefined) markers = addChatMarker(markers, chatMarkers.choiceFields, choiceFields);
    if (isWireObject(choice["message"])) markers = decodeMessageInto(choice["message"], response.output, markers);
  } else if (!Array.isArray(value["choices"])) {
    consumed.delete("choices");
  }

  const unknown: Record<string, unknown> = {};
  let anyUnknown = false;
  for (const key in value) {
    if (consumed.has(key)) continue;
    unknown[key] = value[key];
    anyUnknown = true;
  }
  const extensions = convertToChatExtensions(anyUnknown ? unknown : undefined, markers);
  if (extensions !== undefined) response.extensions = extensions;
  return { value: response, warnings };
}

/** `system_fingerprint` and `service_tier` are provider facts (null kept: OpenAI sends it). */
function readProviderMetadata(value: WireObject, consumed: Set<string>): Record<string, unknown> | undefined {
  let metadata: Record<string, unknown> | undefined;
  if ("system_fingerprint" in value) {
    consumed.add("system_fingerprint");
    (metadata ??= {})["systemFingerprint"] = value["system_fingerprint"];
  }
  if ("service_tier" in value) {
    consumed.add("service_tier");
    (metadata ??= {})["serviceTier"] = value["service_tier"];
  }
  return metadata;
}

function collectFields(object: WireObject, known: ReadonlySet<string>, finishConsumed: boolean): WireObject | undefined {
  let fields: WireObject | undefined;
  for (const key in object) {
    if (known.has(key) && (key !== "finish_reason" || finishConsumed)) continue;
    (fields ??= {})[key] = object[key];
  }
  return fields;
}

/** The assistant message → output parts (reasoning, text, refusal, tool calls); returns the updated markers. */
function decodeMessageInto(message: WireObject, output: OutputPart[], markers: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const consumed = new Set<string>();
  if (message["role"] === "assistant") consumed.add("role");
  // Empty arrays are not consumed: they ride verbatim and come back exactly.
  // Reasoning the upstream produced is Chat's unless an artefact's tag says otherwise, artefact or not (as the stream
  // decoder's reasoning-start says): a client-facing encoder of another protocol records that origin with the
  // reasoning, so that DeepSeek / Kimi reasoning_content is replayed to Chat on the next turn.
  const details = Array.isArray(message["reasoning_details"]) ? message["reasoning_details"] : undefined;
  if (details !== undefined && details.length > 0) {
    consumed.add("reasoning_details");
    for (const part of decodeOpenAiChatReasoningDetails(details)) {
      if (part.type === "reasoning") part.origin ??= { protocol: openAiChatProtocol };
      output.push(part);
    }
    markers = addChatMarker(markers, chatMarkers.reasoningFromDetails, true);
  } else if (typeof message["reasoning_content"] === "string" && message["reasoning_content"] !== "") {
    consumed.add("reasoning_content");
    output.push({ type: "reasoning", text: message["reasoning_content"], origin: { protocol: openAiChatProtocol } });
  } else if (message["reasoning_content"] === undefined && typeof message["reasoning"] === "string" && message["reasoning"] !== "") {
    consumed.add("reasoning");
    output.push({ type: "reasoning", text: message["reasoning"], origin: { protocol: openAiChatProtocol } });
    markers = addChatMarker(markers, chatMarkers.reasoningField, "reasoning");
  }

  const content = message["content"];
  let text: TextPart | undefined;
  if (typeof content === "string" && content !== "") {
    consumed.add("content");
    text = { type: "text", text: content };
    output.push(text);
  } else if (isTextPartArray(content)) {
    // Some compatible servers answer with an array of text parts; kept as parts and written back as an array.
    consumed.add("content");
    for (const part of content) output.push({ type: "text", text: part.text });
    markers = addChatMarker(markers, chatMarkers.contentForm, "parts");
  } else {
    const form: ChatContentForm | undefined = content === null ? "null" : content === undefined ? "absent" : content === "" ? "empty" : undefined;
    if (form !== undefined) {
      consumed.add("content");
      markers = addChatMarker(markers, chatMarkers.contentForm, form);
    }
  }
  const annotations = message["annotations"];
  if (text !== undefined && Array.isArray(annotations) && annotations.length > 0) {
    consumed.add("annotations");
    text.citations = annotations.map(decodeAnnotation);
  }
  if (typeof message["refusal"] === "string") {
    consumed.add("refusal");
    output.push({ type: "refusal", text: message["refusal"] });
  }
  if (Array.isArray(message["tool_calls"]) && message["tool_calls"].length > 0) {
    consumed.add("tool_calls");
    message["tool_calls"].forEach((call, index) => {
      const part = decodeToolCall(call, index);
      if (part !== undefined) output.push(part);
    });
  }
  const functionCall = message["function_call"];
  if (isWireObject(functionCall) && typeof functionCall["name"] === "string") {
    consumed.add("function_call");
    const args = typeof functionCall["arguments"] === "string" ? functionCall["arguments"] : "";
    const part: ToolCallPart = { type: "tool-call", id: deriveToolCallId("call", functionCall["name"], args, 0), name: functionCall["name"], arguments: args, kind: "function" };
    part.extensions = { [openAiChatProtocol]: { [chatMarkers.legacyToolCall]: true } };
    output.push(part);
  }
  const messageFields = collectFields(message, consumed, true);
  return messageFields === undefined ? markers : addChatMarker(markers, chatMarkers.messageFields, messageFields);
}

function isTextPartArray(value: unknown): value is Array<{ type: "text"; text: string }> {
  if (!Array.isArray(value)) return false;
  return value.every((part) => isWireObject(part) && part["type"] === "text" && typeof part["text"] === "string" && Object.keys(part).length === 2);
}

function decodeToolCall(value: unknown, position: number): ToolCallPart | undefined {
  if (!isWireObject(value)) return undefined;
  const kind = value["type"] === "custom" ? "custom" : "function";
  const inner = value[kind];
  if (!isWireObject(inner)) return undefined;
  const name = typeof inner["name"] === "string" ? inner["name"] : "";
  const argumentsText = kind === "custom" ? inner["input"] : inner["arguments"];
  const args = typeof argumentsText === "string" ? argumentsText : "";
  // Never a random id: an upstream that gave none gets one derived from the call itself.
  const rawId = typeof value["id"] === "string" && value["id"] !== "" ? value["id"] : deriveToolCallId("call", name, args, position);
  const { id, signature } = splitToolCallId(rawId);
  const part: ToolCallPart = { type: "tool-call", id, name, arguments: args, kind };
  if (signature !== undefined) {
    part.signature = signature;
    part.signatureOrigin = { protocol: "gemini" };
  }
  let unknown: Record<string, unknown> | undefined;
  for (const key in value) {
    if (!knownCallFields.has(key)) (unknown ??= {})[key] = value[key];
  }
  let innerUnknown: Record<string, unknown> | undefined;
  for (const key in inner) {
    if (key !== "name" && key !== (kind === "custom" ? "input" : "arguments")) (innerUnknown ??= {})[key] = inner[key];
  }
  const extensions = convertToChatExtensions(unknown, innerUnknown === undefined ? undefined : { [chatMarkers.innerFields]: innerUnknown });
  if (extensions !== undefined) part.extensions = extensions;
  return part;
}

/** A message annotation → citation (`url_citation` read; every kind kept raw for a Chat client). */
export function decodeAnnotation(annotation: unknown): Citation {
  const citation: Citation = { kind: "other", raw: annotation, origin: openAiChatProtocol };
  if (!isWireObject(annotation) || annotation["type"] !== "url_citation" || !isWireObject(annotation["url_citation"])) return citation;
  const inner = annotation["url_citation"];
  citation.kind = "url";
  if (typeof inner["url"] === "string") citation.url = inner["url"];
  if (typeof inner["title"] === "string") citation.title = inner["title"];
  if (typeof inner["start_index"] === "number") citation.startIndex = inner["start_index"];
  if (typeof inner["end_index"] === "number") citation.endIndex = inner["end_index"];
  return citation;
}
