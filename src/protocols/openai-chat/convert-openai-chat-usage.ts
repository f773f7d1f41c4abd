import { sameUsageCounts, type Usage } from "../../unified/index.js";
import { isWireObject, type WireObject } from "../common/index.js";

/**
 * Chat usage → unified usage. OpenAI's `prompt_tokens` INCLUDES `prompt_tokens_details.cached_tokens` (and, where
 * reported, `cache_write_tokens`), so the uncached input is the difference; `completion_tokens` already includes
 * `completion_tokens_details.reasoning_tokens`. DeepSeek reports `prompt_cache_hit_tokens` /
 * `prompt_cache_miss_tokens` instead (hit + miss = prompt). OpenRouter adds `cost`, read separately. The object is
 * kept in `raw`. Undefined when the value is not a usage object.
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
 * @see https://api-docs.deepseek.com/api/create-chat-completion
 */
export function convertOpenAiChatUsageToUnified(raw: unknown): Usage | undefined {
  if (!isWireObject(raw)) return undefined;
  const promptTokens = numberOr(raw["prompt_tokens"], 0);
  const completionTokens = numberOr(raw["completion_tokens"], 0);
  const promptDetails = isWireObject(raw["prompt_tokens_details"]) ? raw["prompt_tokens_details"] : undefined;
  const completionDetails = isWireObject(raw["completion_tokens_details"]) ? raw["completion_tokens_details"] : undefined;
  const cacheReadTokens = numberOr(promptDetails?.["cached_tokens"], numberOr(raw["prompt_cache_hit_tokens"], 0));
  const cacheWriteTokens = numberOr(promptDetails?.["cache_write_tokens"], 0);
  // Never negative even if an upstream reports cached > prompt (seen on compatible servers).
  const inputTokens = Math.max(0, promptTokens - cacheReadTokens - cacheWriteTokens);
  return {
    inputTokens,
    cacheReadTokens,
    cacheWriteTokens,
    outputTokens: completionTokens,
    reasoningTokens: numberOr(completionDetails?.["reasoning_tokens"], 0),
    totalTokens: numberOr(raw["total_tokens"], promptTokens + completionTokens),
    raw,
  };
}

/** OpenRouter's `usage.cost` in US dollars, when reported. */
export function readOpenAiChatUsageCost(raw: unknown): number | undefined {
  if (!isWireObject(raw)) return undefined;
  const cost = raw["cost"];
  return typeof cost === "number" && Number.isFinite(cost) ? cost : undefined;
}

/**
 * Unified usage → Chat usage. When `raw` is a Chat usage object that converts to the same counts it is written back
 * as is (keeps audio/prediction details, DeepSeek and OpenRouter fields, byte-stable replay); otherwise the object is
 * rebuilt with cached and cache-write tokens folded back into `prompt_tokens`.
 */
export function convertUnifiedUsageToOpenAiChat(usage: Usage): WireObject {
  if (isWireObject(usage.raw) && typeof usage.raw["prompt_tokens"] === "number") {
    const again = convertOpenAiChatUsageToUnified(usage.raw);
    if (again !== undefined && sameUsageCounts(again, usage)) return usage.raw;
  }
  const promptTokens = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
  const promptDetails: WireObject = { cached_tokens: usage.cacheReadTokens };
  if (usage.cacheWriteTokens > 0) promptDetails["cache_write_tokens"] = usage.cacheWriteTokens;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.totalTokens > 0 ? usage.totalTokens : promptTokens + usage.outputTokens,
    prompt_tokens_details: promptDetails,
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}


function numberOr(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}
