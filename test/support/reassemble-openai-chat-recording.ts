import type { SseMessage, UnifiedFinishReason } from "../../src/unified/index.js";
import { expectedInBandErrorCode, isRecordedObject, numberAt, objectAt, objectsAt, parseRecordingPayloads, stringAt, type RecordedObject } from "./parse-recording-payloads.js";
import { parseToolArguments, type StreamContent, type StreamEnding, type UsageContent } from "./stream-content.js";

/**
 * The content of a recorded Chat Completions stream, read straight from the chunks (independent of the codec).
 * Tool calls: a chunk with an `id` starts a call even at an index already used (some upstreams send every call at
 * index 0). Reasoning: DeepSeek-style `reasoning_content` (and OpenRouter-style `reasoning`). Usage:
 * `prompt_tokens` includes cached tokens (`prompt_tokens_details.cached_tokens`, DeepSeek
 * `prompt_cache_hit_tokens`) and cache writes (`prompt_tokens_details.cache_write_tokens`), so uncached input is
 * the difference; `completion_tokens` includes reasoning.
 * @see https://platform.openai.com/docs/api-reference/chat-streaming
 */
export function reassembleOpenAiChatRecording(messages: readonly SseMessage[]): StreamContent {
  let text = "";
  let reasoningText = "";
  const calls: Array<{ id: string; name: string; text: string }> = [];
  const callAtIndex = new Map<number, number>();
  let usage: UsageContent | undefined;
  let finishReason: string | undefined;
  let errorEnding: StreamEnding | undefined;

  for (const chunk of parseRecordingPayloads(messages)) {
    if (errorEnding !== undefined) break;
    if (isRecordedObject(chunk["error"])) {
      const error = objectAt(chunk, "error");
      errorEnding = { kind: "error", code: expectedInBandErrorCode(stringAt(error, "code") ?? stringAt(error, "type")) };
      break;
    }
    if (isRecordedObject(chunk["usage"])) usage = chatUsage(objectAt(chunk, "usage"));
    const choice = objectsAt(chunk, "choices").find((candidate) => (numberAt(candidate, "index") ?? 0) === 0);
    if (choice === undefined) continue;
    const delta = objectAt(choice, "delta");
    text += stringAt(delta, "content") ?? "";
    reasoningText += stringAt(delta, "reasoning_content") ?? stringAt(delta, "reasoning") ?? "";
    for (const toolCall of objectsAt(delta, "tool_calls")) {
      const index = numberAt(toolCall, "index") ?? 0;
      const id = stringAt(toolCall, "id");
      const fn = objectAt(toolCall, "function");
      let position = callAtIndex.get(index);
      const current = position === undefined ? undefined : calls[position];
      if (current === undefined || (id !== undefined && id !== "" && id !== current.id)) {
        position = calls.length;
        calls.push({ id: id ?? "", name: "", text: "" });
        callAtIndex.set(index, position);
      }
      const call = calls[position ?? 0];
      if (call === undefined) continue;
      call.name += stringAt(fn, "name") ?? "";
      call.text += stringAt(fn, "arguments") ?? "";
    }
    finishReason = stringAt(choice, "finish_reason") ?? finishReason;
  }
  const ending: StreamEnding =
    errorEnding ?? (finishReason === undefined ? { kind: "none" } : { kind: "finish", unified: chatFinishReason(finishReason), raw: finishReason });
  return {
    text,
    refusalText: "",
    reasoningText,
    artefacts: [],
    toolCalls: calls.map((call) => ({ id: call.id, name: call.name, arguments: parseToolArguments(call.text) })),
    nativeItems: 0,
    ...(usage === undefined ? {} : { usage }),
    ending,
  };
}

/** Chat usage → unified usage (see the convention above). */
export function chatUsage(usage: RecordedObject): UsageContent {
  const prompt = numberAt(usage, "prompt_tokens") ?? 0;
  const details = objectAt(usage, "prompt_tokens_details");
  const cacheReadTokens = numberAt(details, "cached_tokens") ?? numberAt(usage, "prompt_cache_hit_tokens") ?? 0;
  const cacheWriteTokens = numberAt(details, "cache_write_tokens") ?? 0;
  return {
    inputTokens: prompt - cacheReadTokens - cacheWriteTokens,
    cacheReadTokens,
    cacheWriteTokens,
    outputTokens: numberAt(usage, "completion_tokens") ?? 0,
    reasoningTokens: numberAt(objectAt(usage, "completion_tokens_details"), "reasoning_tokens") ?? 0,
    totalTokens: numberAt(usage, "total_tokens") ?? 0,
  };
}

/** Chat `finish_reason` → unified. @see https://platform.openai.com/docs/api-reference/chat/object */
export function chatFinishReason(finishReason: string): UnifiedFinishReason {
  switch (finishReason) {
    case "stop":
      return "stop";
    case "length":
      return "length";
    case "tool_calls":
    case "function_call":
      return "tool_calls";
    case "content_filter":
      return "content_filter";
    default:
      return "other";
  }
}
