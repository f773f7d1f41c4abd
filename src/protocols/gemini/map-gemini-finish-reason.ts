import type { FinishReason, UnifiedFinishReason } from "../../unified/index.js";

/**
 * Gemini finish reasons. Gemini has no tool-call reason: a turn that ends in function calls is `STOP`, so decoders
 * pass `hasToolCalls` and report `tool_calls` then.
 * @see https://ai.google.dev/api/generate-content#FinishReason
 */
const unifiedByGeminiReason: Readonly<Record<string, UnifiedFinishReason>> = {
  STOP: "stop",
  MAX_TOKENS: "length",
  // Stopped at the per-request limit but continuable: still a length stop for the client.
  CONTINUATION: "length",
  SAFETY: "content_filter",
  RECITATION: "content_filter",
  BLOCKLIST: "content_filter",
  PROHIBITED_CONTENT: "content_filter",
  SPII: "content_filter",
  IMAGE_SAFETY: "content_filter",
  IMAGE_PROHIBITED_CONTENT: "content_filter",
  IMAGE_RECITATION: "content_filter",
  MALFORMED_FUNCTION_CALL: "error",
  UNEXPECTED_TOOL_CALL: "error",
  LANGUAGE: "other",
  OTHER: "other",
  TOO_MANY_TOOL_CALLS: "other",
  NO_IMAGE: "other",
  IMAGE_OTHER: "other",
  FINISH_REASON_UNSPECIFIED: "other",
};

/** Prompt-level block reasons (promptFeedback.blockReason) all mean the input was filtered. */
export function mapGeminiBlockReason(blockReason: string): FinishReason {
  return { unified: "content_filter", raw: blockReason };
}

/** Gemini finishReason → unified (unknown values become `other`, keeping the raw value). */
export function mapGeminiFinishReason(raw: string | undefined, hasToolCalls: boolean): FinishReason {
  if (raw === undefined) return { unified: hasToolCalls ? "tool_calls" : "other", raw: null };
  const unified = unifiedByGeminiReason[raw] ?? "other";
  return { unified: unified === "stop" && hasToolCalls ? "tool_calls" : unified, raw };
}

/** Unified → Gemini finishReason; a raw Gemini value is written back as it came. */
export function encodeGeminiFinishReason(finishReason: FinishReason): string {
  if (finishReason.raw !== null && unifiedByGeminiReason[finishReason.raw] !== undefined) return finishReason.raw;
  // A refusal arrives as visible text and a paused server-tool turn has nothing for a Gemini client to resume, so
  // both end like a normal turn.
  switch (finishReason.unified) {
    case "stop":
    case "stop_sequence":
    case "tool_calls":
    case "refusal":
    case "pause":
      return "STOP";
    case "length":
    case "context_length":
      return "MAX_TOKENS";
    case "content_filter":
      return "SAFETY";
    case "error":
    case "other":
      return "OTHER";
    default: {
      const unreachable: never = finishReason.unified;
      return String(unreachable);
    }
  }
}
