import type { SseMessage, UnifiedFinishReason } from "../../src/unified/index.js";
import { expectedInBandErrorCode, isRecordedObject, numberAt, objectAt, objectsAt, parseRecordingPayloads, stringAt, type RecordedObject } from "./parse-recording-payloads.js";
import type { StreamContent, StreamEnding, ToolCallContent, UsageContent } from "./stream-content.js";

/**
 * The content of a recorded Gemini stream, read straight from the chunks (independent of the codec). Parts with
 * `thought: true` are reasoning; a `thoughtSignature` on a function call belongs to the call, on any other part it
 * is a reasoning artefact. Vertex streamed arguments (`partialArgs` with `jsonPath`, `willContinue`, and an empty
 * `functionCall: {}` terminator) are assembled here. The last chunk's usage wins (numbers may go down). Usage:
 * `promptTokenCount` includes `cachedContentTokenCount`; tool-use prompt tokens (search results fed back) are input
 * too; thoughts are counted apart from candidates, so output = candidates + thoughts.
 * @see https://ai.google.dev/api/generate-content#v1beta.GenerateContentResponse
 */
export function reassembleGeminiRecording(messages: readonly SseMessage[]): StreamContent {
  let text = "";
  let reasoningText = "";
  const artefacts: string[] = [];
  const toolCalls: ToolCallContent[] = [];
  let streamingCall: { call: ToolCallContent; args: RecordedObject } | undefined;
  let usage: UsageContent | undefined;
  let finishReason: string | undefined;
  let errorEnding: StreamEnding | undefined;

  for (const chunk of parseRecordingPayloads(messages)) {
    if (isRecordedObject(chunk["error"])) {
      errorEnding = { kind: "error", code: expectedInBandErrorCode(stringAt(objectAt(chunk, "error"), "status")) };
      break;
    }
    const metadata = objectAt(chunk, "usageMetadata");
    if (numberAt(metadata, "promptTokenCount") !== undefined) usage = geminiUsage(metadata);
    const candidate = objectsAt(chunk, "candidates")[0];
    if (candidate === undefined) continue;
    for (const part of objectsAt(objectAt(candidate, "content"), "parts")) {
      const signature = stringAt(part, "thoughtSignature");
      if (isRecordedObject(part["functionCall"])) {
        const functionCall = objectAt(part, "functionCall");
        const name = stringAt(functionCall, "name");
        if (name !== undefined) {
          const call: ToolCallContent = {
            id: stringAt(functionCall, "id") ?? null,
            name,
            arguments: {},
            ...(signature === undefined ? {} : { signature }),
          };
          toolCalls.push(call);
          const args = isRecordedObject(functionCall["args"]) ? { ...objectAt(functionCall, "args") } : {};
          call.arguments = args;
          streamingCall = functionCall["willContinue"] === true ? { call, args } : undefined;
        } else if (streamingCall !== undefined) {
          for (const partial of objectsAt(functionCall, "partialArgs")) applyPartialArgument(streamingCall.args, partial);
          // `functionCall: {}` (no willContinue) closes the call being streamed.
          if (functionCall["willContinue"] !== true) streamingCall = undefined;
        }
        continue;
      }
      const partText = stringAt(part, "text");
      if (partText !== undefined) {
        if (part["thought"] === true) reasoningText += partText;
        else text += partText;
      }
      if (signature !== undefined) artefacts.push(`signature:${signature}`);
    }
    finishReason = stringAt(candidate, "finishReason") ?? finishReason;
  }
  const ending: StreamEnding =
    errorEnding ??
    (finishReason === undefined ? { kind: "none" } : { kind: "finish", unified: geminiFinishReason(finishReason, toolCalls.length > 0), raw: finishReason });
  return { text, refusalText: "", reasoningText, artefacts, toolCalls, nativeItems: 0, ...(usage === undefined ? {} : { usage }), ending };
}

/** Applies one Vertex `partialArgs` entry (`$.a.b[0]` paths; string values continue across chunks). */
function applyPartialArgument(args: RecordedObject, partial: RecordedObject): void {
  const path = stringAt(partial, "jsonPath") ?? "$";
  const keys = [...path.replace(/^\$\.?/, "").matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((match) => (match[2] === undefined ? match[1] ?? "" : Number(match[2])));
  let target: Record<string | number, unknown> = args;
  for (const [position, key] of keys.entries()) {
    if (position === keys.length - 1) {
      if (typeof partial["stringValue"] === "string") {
        const previous = target[key];
        target[key] = (typeof previous === "string" ? previous : "") + partial["stringValue"];
      } else if ("numberValue" in partial) target[key] = partial["numberValue"];
      else if ("boolValue" in partial) target[key] = partial["boolValue"];
      else if ("nullValue" in partial) target[key] = null;
      return;
    }
    const next = target[key];
    const container: Record<string | number, unknown> = typeof next === "object" && next !== null ? (next as Record<string | number, unknown>) : typeof keys[position + 1] === "number" ? ([] as unknown as Record<number, unknown>) : {};
    target[key] = container;
    target = container;
  }
}

/** Gemini usage → unified usage (see the convention above). */
export function geminiUsage(metadata: RecordedObject): UsageContent {
  const cacheReadTokens = numberAt(metadata, "cachedContentTokenCount") ?? 0;
  const thoughts = numberAt(metadata, "thoughtsTokenCount") ?? 0;
  return {
    inputTokens: (numberAt(metadata, "promptTokenCount") ?? 0) - cacheReadTokens + (numberAt(metadata, "toolUsePromptTokenCount") ?? 0),
    cacheReadTokens,
    cacheWriteTokens: 0,
    outputTokens: (numberAt(metadata, "candidatesTokenCount") ?? 0) + thoughts,
    reasoningTokens: thoughts,
    totalTokens: numberAt(metadata, "totalTokenCount") ?? 0,
  };
}

/**
 * Gemini `finishReason` → unified. Gemini says STOP after function calls; clients of every other protocol need to
 * hear "tool calls" then (Anthropic `tool_use`, Chat `tool_calls`), so STOP with calls is tool_calls.
 * @see https://ai.google.dev/api/generate-content#FinishReason
 */
export function geminiFinishReason(finishReason: string, hasToolCalls: boolean): UnifiedFinishReason {
  switch (finishReason) {
    case "STOP":
      return hasToolCalls ? "tool_calls" : "stop";
    case "MAX_TOKENS":
      return "length";
    case "SAFETY":
    case "RECITATION":
    case "BLOCKLIST":
    case "PROHIBITED_CONTENT":
    case "SPII":
    case "IMAGE_SAFETY":
      return "content_filter";
    default:
      return "other";
  }
}
