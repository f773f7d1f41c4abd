/** Why generation stopped, protocol-neutral. */
export type UnifiedFinishReason =
  | "stop"
  | "stop_sequence"
  | "length"
  | "tool_calls"
  | "content_filter"
  | "refusal"
  | "pause"
  | "context_length"
  | "error"
  | "other";

/** A finish reason with the native value kept beside it. */
export interface FinishReason {
  unified: UnifiedFinishReason;
  /** The protocol's own value (`end_turn`, `MAX_TOKENS`, `tool_calls`…), or null where none was given. */
  raw: string | null;
  /** The stop sequence that matched, where the protocol says. */
  stopSequence?: string;
}
