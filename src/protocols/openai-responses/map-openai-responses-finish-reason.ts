import type { FinishReason, UnifiedFinishReason } from "../../unified/index.js";

/**
 * Responses has no finish reason field: it is `status` plus `incomplete_details.reason`. `raw` keeps the
 * incomplete reason when there is one, else the status.
 * @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-status
 */
export function decodeResponsesFinishReason(status: unknown, incompleteReason: unknown, hasToolCalls: boolean): FinishReason {
  if (status === "incomplete") {
    const reason = typeof incompleteReason === "string" ? incompleteReason : null;
    return { unified: mapIncompleteReason(reason), raw: reason ?? "incomplete" };
  }
  if (typeof status !== "string") return { unified: hasToolCalls ? "tool_calls" : "stop", raw: null };
  return { unified: mapStatus(status, hasToolCalls), raw: status };
}

/** The wire `status` and, for `incomplete`, the `incomplete_details.reason` for a unified finish reason. */
export function encodeResponsesFinishReason(finishReason: FinishReason): { status: string; incompleteReason?: string } {
  const raw = finishReason.raw;
  // The provider's own value is kept whenever it still means the same thing (cancelled, queued…).
  if (raw !== null) {
    if (incompleteReasons.has(raw) && mapIncompleteReason(raw) === finishReason.unified) return { status: "incomplete", incompleteReason: raw };
    if (statuses.has(raw) && (mapStatus(raw, true) === finishReason.unified || mapStatus(raw, false) === finishReason.unified)) return { status: raw };
  }
  switch (finishReason.unified) {
    case "length":
    case "context_length":
      return { status: "incomplete", incompleteReason: "max_output_tokens" };
    case "content_filter":
      return { status: "incomplete", incompleteReason: "content_filter" };
    case "error":
      return { status: "failed" };
    case "stop":
    case "stop_sequence":
    case "tool_calls":
    case "refusal":
    case "pause":
    case "other":
      return { status: "completed" };
    default: {
      const unreachable: never = finishReason.unified;
      return { status: String(unreachable) };
    }
  }
}

const statuses = new Set(["completed", "failed", "in_progress", "cancelled", "queued", "incomplete"]);
const incompleteReasons = new Set(["max_output_tokens", "content_filter"]);

function mapStatus(status: string, hasToolCalls: boolean): UnifiedFinishReason {
  switch (status) {
    case "completed":
      return hasToolCalls ? "tool_calls" : "stop";
    case "failed":
      return "error";
    case "incomplete":
      return "length";
    default:
      return "other";
  }
}

function mapIncompleteReason(reason: string | null): UnifiedFinishReason {
  if (reason === "max_output_tokens") return "length";
  if (reason === "content_filter") return "content_filter";
  return "other";
}
