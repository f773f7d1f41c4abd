import type { SseMessage, UnifiedFinishReason } from "../../src/unified/index.js";
import { expectedInBandErrorCode, numberAt, objectAt, objectsAt, parseRecordingPayloads, stringAt, type RecordedObject } from "./parse-recording-payloads.js";
import { parseToolArguments, type StreamContent, type StreamEnding, type ToolCallContent, type UsageContent } from "./stream-content.js";

/**
 * The content of a recorded Responses stream, read straight from the events (independent of the codec). Text from
 * `output_text.delta`, reasoning from summary and reasoning-text deltas, artefacts from the finished reasoning
 * items' `encrypted_content`, tool calls from finished `function_call` / `custom_tool_call` items (the unified id is
 * `call_id`), other item types are native. Responses has no finish-reason field: `completed` means stop, or
 * tool_calls when the output holds calls; `incomplete` maps its reason. Usage: `input_tokens` includes cached tokens.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */
export function reassembleOpenAiResponsesRecording(messages: readonly SseMessage[]): StreamContent {
  let text = "";
  let reasoningText = "";
  const artefacts: string[] = [];
  const toolCalls: ToolCallContent[] = [];
  let nativeItems = 0;
  let usage: UsageContent | undefined;
  let ending: StreamEnding = { kind: "none" };

  for (const event of parseRecordingPayloads(messages)) {
    if (ending.kind !== "none") break;
    switch (event["type"]) {
      case "response.output_text.delta":
        text += stringAt(event, "delta") ?? "";
        break;
      case "response.reasoning_summary_text.delta":
      case "response.reasoning_text.delta":
        reasoningText += stringAt(event, "delta") ?? "";
        break;
      case "response.output_item.done": {
        const item = objectAt(event, "item");
        const itemType = stringAt(item, "type");
        if (itemType === "reasoning") {
          const encrypted = stringAt(item, "encrypted_content");
          if (encrypted !== undefined) artefacts.push(`encrypted:${encrypted}`);
        } else if (itemType === "function_call" || itemType === "custom_tool_call") {
          const argumentsValue = itemType === "function_call" ? parseToolArguments(stringAt(item, "arguments") ?? "") : { customInput: stringAt(item, "input") ?? "" };
          toolCalls.push({ id: stringAt(item, "call_id") ?? "", name: stringAt(item, "name") ?? "", arguments: argumentsValue });
        } else if (itemType !== "message") {
          nativeItems += 1;
        }
        break;
      }
      case "response.completed":
      case "response.incomplete":
      case "response.failed": {
        const response = objectAt(event, "response");
        const usageObject = objectAt(response, "usage");
        if (Object.keys(usageObject).length > 0) usage = responsesUsage(usageObject);
        ending = responsesEnding(response);
        break;
      }
      case "error":
        ending = { kind: "error", code: expectedInBandErrorCode(stringAt(event, "code") ?? stringAt(objectAt(event, "error"), "code")) };
        break;
      default:
        break;
    }
  }
  return { text, refusalText: "", reasoningText, artefacts, toolCalls, nativeItems, ...(usage === undefined ? {} : { usage }), ending };
}

/** How a final Responses object ended. */
export function responsesEnding(response: RecordedObject): StreamEnding {
  const status = stringAt(response, "status");
  if (status === "failed") return { kind: "error", code: expectedInBandErrorCode(stringAt(objectAt(response, "error"), "code")) };
  if (status === "incomplete") {
    const reason = stringAt(objectAt(response, "incomplete_details"), "reason");
    const unified: UnifiedFinishReason = reason === "max_output_tokens" ? "length" : reason === "content_filter" ? "content_filter" : "other";
    return { kind: "finish", unified, raw: null };
  }
  const hasCalls = objectsAt(response, "output").some((item) => item["type"] === "function_call" || item["type"] === "custom_tool_call");
  return { kind: "finish", unified: hasCalls ? "tool_calls" : "stop", raw: null };
}

/** Responses usage → unified usage. */
export function responsesUsage(usage: RecordedObject): UsageContent {
  const cacheReadTokens = numberAt(objectAt(usage, "input_tokens_details"), "cached_tokens") ?? 0;
  return {
    inputTokens: (numberAt(usage, "input_tokens") ?? 0) - cacheReadTokens,
    cacheReadTokens,
    cacheWriteTokens: 0,
    outputTokens: numberAt(usage, "output_tokens") ?? 0,
    reasoningTokens: numberAt(objectAt(usage, "output_tokens_details"), "reasoning_tokens") ?? 0,
    totalTokens: numberAt(usage, "total_tokens") ?? 0,
  };
}

/**
 * A recording may hold several HTTP responses back to back (vercel/ai's multi-step chunk logs start each step with
 * `response.created`); each is its own stream for a decoder. Other protocols' recordings are one stream each.
 */
export function splitResponsesRecording(messages: readonly SseMessage[]): SseMessage[][] {
  const streams: SseMessage[][] = [];
  for (const message of messages) {
    const startsStream = /"type"\s*:\s*"response\.created"/.test(message.data);
    if (startsStream || streams.length === 0) streams.push([]);
    streams[streams.length - 1]?.push(message);
  }
  return streams;
}
