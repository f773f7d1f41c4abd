import type { FinishReason, UnifiedFinishReason, UnifiedWarning } from "../../unified/index.js";

/**
 * Anthropic `stop_reason` values and their unified meaning.
 * @see https://docs.claude.com/en/api/handling-stop-reasons
 */
const unifiedByStopReason: Readonly<Record<string, UnifiedFinishReason>> = {
  end_turn: "stop",
  max_tokens: "length",
  stop_sequence: "stop_sequence",
  tool_use: "tool_calls",
  pause_turn: "pause",
  refusal: "refusal",
  model_context_window_exceeded: "context_length",
};

/** Anthropic `stop_reason` (+ `stop_sequence`) → unified finish reason; unknown values become `other`, raw kept. */
export function mapAnthropicMessagesStopReason(stopReason: string | null, stopSequence?: string | null): FinishReason {
  const unified = stopReason === null ? "other" : (unifiedByStopReason[stopReason] ?? "other");
  const reason: FinishReason = { unified, raw: stopReason };
  if (typeof stopSequence === "string") reason.stopSequence = stopSequence;
  return reason;
}

/** Unified finish reason → Anthropic `stop_reason`; the raw value is reused when it is Anthropic's and agrees. */
export function mapFinishReasonToAnthropicMessages(reason: FinishReason): string {
  if (reason.raw !== null && unifiedByStopReason[reason.raw] === reason.unified) return reason.raw;
  const unified = reason.unified;
  switch (unified) {
    case "stop":
      return "end_turn";
    case "stop_sequence":
      return "stop_sequence";
    case "length":
      return "max_tokens";
    case "tool_calls":
      return "tool_use";
    // Anthropic has no content-filter stop; its safety stop is `refusal` (callers warn: see below).
    case "content_filter":
    case "refusal":
      return "refusal";
    case "pause":
      return "pause_turn";
    case "context_length":
      return "model_context_window_exceeded";
    // No Anthropic value for these: the turn simply ended.
    case "error":
    case "other":
      return "end_turn";
    default: {
      const unreachable: never = unified;
      return unreachable;
    }
  }
}

/** A warning when the finish reason has no exact Anthropic value (a content filter is sent as `refusal`). */
export function finishReasonLossWarning(reason: FinishReason): UnifiedWarning | undefined {
  if (reason.unified !== "content_filter") return undefined;
  return { code: "finish-reason-approximated", message: 'Anthropic has no content-filter stop; it was sent as stop_reason "refusal"', path: "stop_reason" };
}
