import { sameUsageCounts, type Usage, type UnifiedWarning } from "../../unified/index.js";
import { isWireObject } from "../common/index.js";
import type { GeminiWireUsage } from "./types.js";

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/**
 * Gemini usageMetadata → unified usage. `promptTokenCount` INCLUDES `cachedContentTokenCount`, so uncached input is
 * the difference; tool-use prompt tokens (search results fed back in) are counted apart and are input too.
 * `thoughtsTokenCount` is SEPARATE from `candidatesTokenCount`, so output is their sum and reasoning the thoughts.
 * Gemini has no cache-write count (context caches are created by a separate call).
 * @see https://ai.google.dev/api/generate-content#UsageMetadata
 */
export function convertGeminiUsage(usageMetadata: unknown): Usage | undefined {
  if (!isWireObject(usageMetadata)) return undefined;
  const prompt = count(usageMetadata["promptTokenCount"]);
  const cached = count(usageMetadata["cachedContentTokenCount"]);
  const toolUse = count(usageMetadata["toolUsePromptTokenCount"]);
  const candidates = count(usageMetadata["candidatesTokenCount"]);
  const thoughts = count(usageMetadata["thoughtsTokenCount"]);
  const inputTokens = Math.max(0, prompt - cached) + toolUse;
  const outputTokens = candidates + thoughts;
  const total = usageMetadata["totalTokenCount"];
  return {
    inputTokens,
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
    outputTokens,
    reasoningTokens: thoughts,
    totalTokens: typeof total === "number" ? total : inputTokens + cached + outputTokens,
    raw: usageMetadata,
  };
}

/** Whether a usage record carries any count (Vertex sends `{trafficType}`-only usage on early chunks). */
export function hasGeminiTokenCounts(usageMetadata: unknown): boolean {
  if (!isWireObject(usageMetadata)) return false;
  return (
    usageMetadata["promptTokenCount"] !== undefined ||
    usageMetadata["candidatesTokenCount"] !== undefined ||
    usageMetadata["totalTokenCount"] !== undefined
  );
}


/**
 * Unified usage → Gemini usageMetadata. When `raw` is a Gemini usage object that still says the same counts (the
 * response came from Gemini and nothing changed them), it goes back verbatim with its details (modalities, service
 * tier); otherwise the counts are rebuilt with Gemini's conventions. Cache writes have no Gemini field: they are
 * input the model read, so they count in promptTokenCount.
 */
export function encodeGeminiUsage(usage: Usage, warnings?: UnifiedWarning[]): GeminiWireUsage {
  if (isWireObject(usage.raw)) {
    const fromRaw = convertGeminiUsage(usage.raw);
    if (fromRaw !== undefined && sameUsageCounts(fromRaw, usage) && hasGeminiTokenCounts(usage.raw)) return usage.raw;
  }
  const wire: GeminiWireUsage = {
    promptTokenCount: usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens,
    candidatesTokenCount: Math.max(0, usage.outputTokens - usage.reasoningTokens),
    totalTokenCount: usage.totalTokens,
  };
  if (usage.cacheReadTokens > 0) wire.cachedContentTokenCount = usage.cacheReadTokens;
  if (usage.cacheWriteTokens > 0 && warnings !== undefined && !warnings.some((warning) => warning.code === "cache-write-tokens-as-input")) {
    warnings.push({ code: "cache-write-tokens-as-input", message: "Gemini has no cache-write count; cache writes were counted as prompt tokens" });
  }
  if (usage.reasoningTokens > 0) wire.thoughtsTokenCount = usage.reasoningTokens;
  return wire;
}
