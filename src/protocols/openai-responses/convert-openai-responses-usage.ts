import type { Usage } from "../../unified/index.js";
import { isWireObject, type WireObject } from "../common/index.js";

/**
 * Responses usage ↔ unified usage. `input_tokens` INCLUDES `input_tokens_details.cached_tokens` (and the newer
 * `cache_write_tokens`), so the unified uncached input is the difference; `output_tokens` already includes
 * `output_tokens_details.reasoning_tokens`, so reasoning is reported beside it, never added to it.
 * @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-usage
 */
export function decodeResponsesUsage(value: unknown): Usage | undefined {
  if (!isWireObject(value)) return undefined;
  const inputTotal = numberAt(value, "input_tokens");
  const outputTokens = numberAt(value, "output_tokens");
  const inputDetails = isWireObject(value["input_tokens_details"]) ? value["input_tokens_details"] : undefined;
  const outputDetails = isWireObject(value["output_tokens_details"]) ? value["output_tokens_details"] : undefined;
  const cacheReadTokens = inputDetails === undefined ? 0 : numberAt(inputDetails, "cached_tokens");
  const cacheWriteTokens = inputDetails === undefined ? 0 : numberAt(inputDetails, "cache_write_tokens");
  const total = value["total_tokens"];
  return {
    inputTokens: Math.max(0, inputTotal - cacheReadTokens - cacheWriteTokens),
    cacheReadTokens,
    cacheWriteTokens,
    outputTokens,
    reasoningTokens: outputDetails === undefined ? 0 : numberAt(outputDetails, "reasoning_tokens"),
    totalTokens: typeof total === "number" ? total : inputTotal + outputTokens,
    raw: value,
  };
}

/**
 * Unified usage as a Responses `usage` object. When the usage came from a Responses upstream and its numbers are
 * unchanged, the provider's object is returned as received (it may hold newer detail fields).
 */
export function encodeResponsesUsage(usage: Usage): WireObject {
  const inputTokens = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
  const inputDetails: WireObject = { cached_tokens: usage.cacheReadTokens };
  if (usage.cacheWriteTokens > 0) inputDetails["cache_write_tokens"] = usage.cacheWriteTokens;
  const encoded: WireObject = {
    input_tokens: inputTokens,
    input_tokens_details: inputDetails,
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: usage.totalTokens,
  };
  const raw = usage.raw;
  if (isWireObject(raw) && sameCounts(raw, encoded, usage)) return raw;
  return encoded;
}

function sameCounts(raw: WireObject, encoded: WireObject, usage: Usage): boolean {
  // total_tokens guards against other protocols' usage objects that also spell `input_tokens` (Anthropic).
  if (raw["input_tokens"] !== encoded["input_tokens"] || raw["output_tokens"] !== encoded["output_tokens"] || raw["total_tokens"] !== encoded["total_tokens"]) {
    return false;
  }
  const decoded = decodeResponsesUsage(raw);
  return decoded !== undefined && decoded.cacheReadTokens === usage.cacheReadTokens && decoded.cacheWriteTokens === usage.cacheWriteTokens && decoded.reasoningTokens === usage.reasoningTokens;
}

function numberAt(object: WireObject, key: string): number {
  const value = object[key];
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}
