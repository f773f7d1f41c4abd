/**
 * Token usage, one convention for every protocol: `inputTokens` counts only uncached input, so the total input is
 * input + cacheRead + cacheWrite; `outputTokens` includes reasoning tokens. Each decoder documents how it maps its
 * protocol's convention (OpenAI `prompt_tokens` includes cached tokens, Anthropic `input_tokens` does not, Gemini
 * counts thoughts apart from candidates).
 */
export interface Usage {
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  totalTokens: number;
  /** The provider's usage object as received. */
  raw?: unknown;
}

/** Usage with every count at zero. */
export function emptyUsage(): Usage {
  return { inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0, totalTokens: 0 };
}

/** All input tokens, cached or not. */
export function totalInputTokens(usage: Usage): number {
  return usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
}

/** Whether two usages report the same counts (the raw provider objects are not compared). */
export function sameUsageCounts(a: Usage, b: Usage): boolean {
  return (
    a.inputTokens === b.inputTokens &&
    a.cacheReadTokens === b.cacheReadTokens &&
    a.cacheWriteTokens === b.cacheWriteTokens &&
    a.outputTokens === b.outputTokens &&
    a.reasoningTokens === b.reasoningTokens &&
    a.totalTokens === b.totalTokens
  );
}
