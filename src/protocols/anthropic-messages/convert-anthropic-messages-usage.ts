import type { Usage } from "../../unified/index.js";
import { isWireObject, type WireObject } from "../common/index.js";

/**
 * Anthropic usage → unified. `input_tokens` already EXCLUDES `cache_read_input_tokens` and
 * `cache_creation_input_tokens`, which is the unified convention, so nothing is subtracted; `output_tokens`
 * includes thinking, and `output_tokens_details.thinking_tokens` (newer models) says how much of it.
 * @see https://docs.claude.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance
 */
export function convertAnthropicMessagesUsage(wire: WireObject): Usage {
  const inputTokens = countOf(wire["input_tokens"]);
  const cacheReadTokens = countOf(wire["cache_read_input_tokens"]);
  const cacheWriteTokens = countOf(wire["cache_creation_input_tokens"]);
  const outputTokens = countOf(wire["output_tokens"]);
  const details = wire["output_tokens_details"];
  const reasoningTokens = isWireObject(details) ? countOf(details["thinking_tokens"]) : 0;
  return {
    inputTokens,
    cacheReadTokens,
    cacheWriteTokens,
    outputTokens,
    reasoningTokens,
    totalTokens: inputTokens + cacheReadTokens + cacheWriteTokens + outputTokens,
    raw: wire,
  };
}

/**
 * Unified usage → Anthropic usage. `base` is the usage object this response arrived with (same protocol): its
 * extra fields (`cache_creation`, `service_tier`, `server_tool_use`…) and which cache fields were present are kept,
 * the counts come from `usage`. Without a base the four counters Claude Code and the SDK read are all written, plus
 * `output_tokens_details.thinking_tokens` when there was reasoning.
 */
export function convertUsageToAnthropicMessages(usage: Usage | undefined, base?: WireObject): WireObject {
  const wire: WireObject = base === undefined ? {} : { ...base };
  wire["input_tokens"] = usage?.inputTokens ?? 0;
  wire["output_tokens"] = usage?.outputTokens ?? 0;
  const cacheWrite = usage?.cacheWriteTokens ?? 0;
  const cacheRead = usage?.cacheReadTokens ?? 0;
  if (base === undefined || "cache_creation_input_tokens" in base || cacheWrite > 0) wire["cache_creation_input_tokens"] = cacheWrite;
  if (base === undefined || "cache_read_input_tokens" in base || cacheRead > 0) wire["cache_read_input_tokens"] = cacheRead;
  // Newer Anthropic models report the thinking share of output_tokens here; other protocols' reasoning counts
  // (OpenAI reasoning_tokens, Gemini thoughtsTokenCount, already folded into outputTokens) go to the same field.
  const details = base?.["output_tokens_details"];
  const reasoning = usage?.reasoningTokens ?? 0;
  if (isWireObject(details)) wire["output_tokens_details"] = { ...details, thinking_tokens: reasoning };
  else if (reasoning > 0) wire["output_tokens_details"] = { thinking_tokens: reasoning };
  return wire;
}

/** Merges a later usage object over an earlier one: Anthropic's later counters are cumulative totals, never deltas. */
export function mergeAnthropicMessagesUsage(earlier: WireObject | undefined, later: WireObject): WireObject {
  if (earlier === undefined) return later;
  const merged: WireObject = { ...earlier };
  for (const key in later) {
    const value = later[key];
    if (value !== null && value !== undefined) merged[key] = value;
  }
  return merged;
}

function countOf(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}
