import type { FinishReason, UnifiedFinishReason } from "../../unified/index.js";
import { chatFinishReasons, type ChatFinishReason } from "./types.js";

const chatFinishReasonSet: ReadonlySet<string> = new Set(chatFinishReasons);

/**
 * Chat `finish_reason` → unified. `function_call` is the legacy tool-call stop; `error` is OpenRouter's mid-stream
 * failure; anything else a compatible upstream invents (DeepSeek `insufficient_system_resource`) becomes `other`
 * with the raw value kept.
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-choices
 */
export function mapOpenAiChatFinishReason(raw: string | null | undefined): FinishReason {
  if (raw === null || raw === undefined) return { unified: "other", raw: null };
  return { unified: unifiedFinishReasonOf(raw), raw };
}

function unifiedFinishReasonOf(raw: string): UnifiedFinishReason {
  switch (raw) {
    case "stop":
      return "stop";
    case "length":
      return "length";
    case "tool_calls":
    case "function_call":
      return "tool_calls";
    case "content_filter":
      return "content_filter";
    case "error":
      return "error";
    default:
      return "other";
  }
}

/**
 * Unified → Chat `finish_reason`. The raw value is reused when it is a Chat value meaning the same thing (keeps
 * `function_call` for legacy clients); otherwise the closest Chat value. Chat has no distinct stop-sequence,
 * refusal, pause or context-length stop: those become `stop` / `length`, which is what OpenAI itself reports.
 */
export function mapUnifiedFinishReasonToOpenAiChat(finishReason: FinishReason): ChatFinishReason {
  const raw = finishReason.raw;
  if (raw !== null && chatFinishReasonSet.has(raw) && unifiedFinishReasonOf(raw) === finishReason.unified) {
    return raw as ChatFinishReason;
  }
  const unified = finishReason.unified;
  switch (unified) {
    case "stop":
    case "stop_sequence":
    case "refusal":
    case "pause":
    case "other":
      return "stop";
    case "length":
    case "context_length":
      return "length";
    case "tool_calls":
      return "tool_calls";
    case "content_filter":
      return "content_filter";
    case "error":
      return "error";
    default: {
      const unreachable: never = unified;
      return unreachable;
    }
  }
}
