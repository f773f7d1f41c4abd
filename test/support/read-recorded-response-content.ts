import type { ProtocolId } from "../../src/unified/index.js";
import { isRecordedObject, numberAt, objectAt, objectsAt, stringAt, type RecordedObject } from "./parse-recording-payloads.js";
import { anthropicFinishReason } from "./reassemble-anthropic-messages-recording.js";
import { reassembleGeminiRecording } from "./reassemble-gemini-recording.js";
import { chatFinishReason, chatUsage } from "./reassemble-openai-chat-recording.js";
import { responsesEnding, responsesUsage } from "./reassemble-openai-responses-recording.js";
import { parseToolArguments, type StreamContent, type ToolCallContent } from "./stream-content.js";

/**
 * The content of a recorded non-streaming response body, read straight from the JSON (independent of the codec),
 * with the same conventions as the stream readers. This is what the matrix holds decoders to, so a decoder that
 * hides something in `extensions` (where no other protocol can see it) is caught.
 */
export const recordedResponseReaders: Record<ProtocolId, (body: unknown) => StreamContent> = {
  "openai-chat": readChatResponse,
  "openai-responses": readResponsesResponse,
  "anthropic-messages": readAnthropicResponse,
  // A generateContent body has the shape of one stream chunk.
  gemini: (body) => reassembleGeminiRecording([{ data: JSON.stringify(body) }]),
};

function emptyContent(): StreamContent {
  return { text: "", refusalText: "", reasoningText: "", artefacts: [], toolCalls: [], nativeItems: 0, ending: { kind: "none" } };
}

function readChatResponse(body: unknown): StreamContent {
  const content = emptyContent();
  const choice = objectsAt(body, "choices")[0] ?? {};
  const message = objectAt(choice, "message");
  content.text = stringAt(message, "content") ?? "";
  content.refusalText = stringAt(message, "refusal") ?? "";
  content.reasoningText = stringAt(message, "reasoning_content") ?? "";
  content.toolCalls = objectsAt(message, "tool_calls").map((call): ToolCallContent => {
    const custom = objectAt(call, "custom");
    const fn = objectAt(call, "function");
    const isCustom = call["type"] === "custom";
    return {
      id: stringAt(call, "id") ?? "",
      name: stringAt(isCustom ? custom : fn, "name") ?? "",
      arguments: isCustom ? { customInput: stringAt(custom, "input") ?? "" } : parseToolArguments(stringAt(fn, "arguments") ?? ""),
    };
  });
  if (isRecordedObject(body) && isRecordedObject(body["usage"])) content.usage = chatUsage(objectAt(body, "usage"));
  const finishReason = stringAt(choice, "finish_reason");
  if (finishReason !== undefined) content.ending = { kind: "finish", unified: chatFinishReason(finishReason), raw: finishReason };
  return content;
}

function readResponsesResponse(body: unknown): StreamContent {
  const content = emptyContent();
  for (const item of objectsAt(body, "output")) {
    switch (item["type"]) {
      case "message":
        for (const part of objectsAt(item, "content")) {
          if (part["type"] === "output_text") content.text += stringAt(part, "text") ?? "";
          else if (part["type"] === "refusal") content.refusalText += stringAt(part, "refusal") ?? "";
        }
        break;
      case "reasoning": {
        for (const entry of [...objectsAt(item, "content"), ...objectsAt(item, "summary")]) content.reasoningText += stringAt(entry, "text") ?? "";
        const encrypted = stringAt(item, "encrypted_content");
        if (encrypted !== undefined) content.artefacts.push(`encrypted:${encrypted}`);
        break;
      }
      case "function_call":
      case "custom_tool_call": {
        const argumentsValue = item["type"] === "function_call" ? parseToolArguments(stringAt(item, "arguments") ?? "") : { customInput: stringAt(item, "input") ?? "" };
        content.toolCalls.push({ id: stringAt(item, "call_id") ?? "", name: stringAt(item, "name") ?? "", arguments: argumentsValue });
        break;
      }
      default:
        content.nativeItems += 1;
    }
  }
  if (isRecordedObject(body) && isRecordedObject(body["usage"])) content.usage = responsesUsage(objectAt(body, "usage"));
  content.ending = responsesEnding(isRecordedObject(body) ? body : {});
  return content;
}

function readAnthropicResponse(body: unknown): StreamContent {
  const content = emptyContent();
  for (const block of objectsAt(body, "content")) {
    switch (block["type"]) {
      case "text":
        content.text += stringAt(block, "text") ?? "";
        break;
      case "thinking": {
        content.reasoningText += stringAt(block, "thinking") ?? "";
        const signature = stringAt(block, "signature");
        if (signature !== undefined) content.artefacts.push(`signature:${signature}`);
        break;
      }
      case "redacted_thinking":
        content.artefacts.push(`redacted:${stringAt(block, "data") ?? ""}`);
        break;
      case "tool_use":
        content.toolCalls.push({ id: stringAt(block, "id") ?? "", name: stringAt(block, "name") ?? "", arguments: block["input"] ?? {} });
        break;
      default:
        content.nativeItems += 1;
    }
  }
  const usage: RecordedObject = objectAt(body, "usage");
  const inputTokens = numberAt(usage, "input_tokens") ?? 0;
  const cacheReadTokens = numberAt(usage, "cache_read_input_tokens") ?? 0;
  const cacheWriteTokens = numberAt(usage, "cache_creation_input_tokens") ?? 0;
  const outputTokens = numberAt(usage, "output_tokens") ?? 0;
  const reasoningTokens = numberAt(objectAt(usage, "output_tokens_details"), "thinking_tokens") ?? 0;
  content.usage = { inputTokens, cacheReadTokens, cacheWriteTokens, outputTokens, reasoningTokens, totalTokens: inputTokens + cacheReadTokens + cacheWriteTokens + outputTokens };
  const stopReason = stringAt(body, "stop_reason");
  content.ending = { kind: "finish", unified: anthropicFinishReason(stopReason), raw: stopReason ?? null };
  return content;
}
