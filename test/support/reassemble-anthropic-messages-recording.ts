import type { SseMessage, UnifiedFinishReason } from "../../src/unified/index.js";
import { expectedInBandErrorCode, numberAt, objectAt, parseRecordingPayloads, stringAt, type RecordedObject } from "./parse-recording-payloads.js";
import { parseToolArguments, type StreamContent, type StreamEnding, type ToolCallContent } from "./stream-content.js";

/**
 * The content of a recorded Anthropic Messages stream, read straight from the wire events (independent of the
 * codec). Usage: `input_tokens` excludes cache reads and writes; `message_delta.usage` is cumulative and overrides
 * `message_start.usage` field by field; thinking tokens, where reported, are in `output_tokens_details.thinking_tokens`
 * (already part of `output_tokens`).
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
export function reassembleAnthropicMessagesRecording(messages: readonly SseMessage[]): StreamContent {
  let text = "";
  let reasoningText = "";
  const artefacts: string[] = [];
  const toolCalls: ToolCallContent[] = [];
  const toolBlocks = new Map<number, { start: RecordedObject; json: string }>();
  const nativeBlocks = new Set<number>();
  let usage: RecordedObject = {};
  let sawUsage = false;
  let stopReason: string | undefined;
  let ending: StreamEnding = { kind: "none" };

  for (const payload of parseRecordingPayloads(messages)) {
    if (ending.kind !== "none") break;
    const index = numberAt(payload, "index") ?? -1;
    switch (payload["type"]) {
      case "message_start":
        usage = { ...objectAt(objectAt(payload, "message"), "usage") };
        sawUsage = true;
        break;
      case "content_block_start": {
        const block = objectAt(payload, "content_block");
        const blockType = stringAt(block, "type");
        if (blockType === "text") text += stringAt(block, "text") ?? "";
        else if (blockType === "thinking") reasoningText += stringAt(block, "thinking") ?? "";
        else if (blockType === "redacted_thinking") artefacts.push(`redacted:${stringAt(block, "data") ?? ""}`);
        else if (blockType === "tool_use") toolBlocks.set(index, { start: block, json: "" });
        else nativeBlocks.add(index);
        break;
      }
      case "content_block_delta": {
        const delta = objectAt(payload, "delta");
        const deltaType = stringAt(delta, "type");
        if (deltaType === "text_delta") text += stringAt(delta, "text") ?? "";
        else if (deltaType === "thinking_delta") reasoningText += stringAt(delta, "thinking") ?? "";
        else if (deltaType === "signature_delta") artefacts.push(`signature:${stringAt(delta, "signature") ?? ""}`);
        else if (deltaType === "input_json_delta") {
          const tool = toolBlocks.get(index);
          if (tool !== undefined) tool.json += stringAt(delta, "partial_json") ?? "";
        }
        break;
      }
      case "content_block_stop": {
        const tool = toolBlocks.get(index);
        if (tool !== undefined) {
          // A call without argument deltas carries its (empty) input on content_block_start.
          const argumentsText = tool.json === "" ? JSON.stringify(tool.start["input"] ?? {}) : tool.json;
          toolCalls.push({ id: stringAt(tool.start, "id") ?? "", name: stringAt(tool.start, "name") ?? "", arguments: parseToolArguments(argumentsText) });
          toolBlocks.delete(index);
        }
        break;
      }
      case "message_delta": {
        stopReason = stringAt(objectAt(payload, "delta"), "stop_reason") ?? stopReason;
        for (const [key, value] of Object.entries(objectAt(payload, "usage"))) if (value !== null) usage[key] = value;
        sawUsage = true;
        break;
      }
      case "message_stop":
        ending = { kind: "finish", unified: anthropicFinishReason(stopReason), raw: stopReason ?? null };
        break;
      case "error":
        ending = { kind: "error", code: expectedInBandErrorCode(stringAt(objectAt(payload, "error"), "type")) };
        break;
      default:
        break;
    }
  }
  const inputTokens = numberAt(usage, "input_tokens") ?? 0;
  const cacheReadTokens = numberAt(usage, "cache_read_input_tokens") ?? 0;
  const cacheWriteTokens = numberAt(usage, "cache_creation_input_tokens") ?? 0;
  const outputTokens = numberAt(usage, "output_tokens") ?? 0;
  return {
    text,
    refusalText: "",
    reasoningText,
    artefacts,
    toolCalls,
    nativeItems: nativeBlocks.size,
    ...(sawUsage
      ? {
          usage: {
            inputTokens,
            cacheReadTokens,
            cacheWriteTokens,
            outputTokens,
            reasoningTokens: numberAt(objectAt(usage, "output_tokens_details"), "thinking_tokens") ?? 0,
            totalTokens: inputTokens + cacheReadTokens + cacheWriteTokens + outputTokens,
          },
        }
      : {}),
    ending,
  };
}

/** Anthropic `stop_reason` → unified finish reason. @see https://docs.anthropic.com/en/api/handling-stop-reasons */
export function anthropicFinishReason(stopReason: string | undefined): UnifiedFinishReason {
  switch (stopReason) {
    case "end_turn":
      return "stop";
    case "max_tokens":
      return "length";
    case "stop_sequence":
      return "stop_sequence";
    case "tool_use":
      return "tool_calls";
    case "pause_turn":
      return "pause";
    case "refusal":
      return "refusal";
    case "model_context_window_exceeded":
      return "context_length";
    default:
      return "other";
  }
}
