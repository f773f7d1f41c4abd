import {
  findReasoningEffortMapping,
  matchesGlob,
  type EncodeRequestOptions,
  type UnifiedRequest,
  type UnifiedWarning,
} from "../../unified/index.js";
import { isWireObject, type WireObject } from "../common/index.js";
import { spreadExtraFields } from "./convert-anthropic-messages-extensions.js";
import { anthropicMessagesProtocol, shapeKeys } from "./types.js";

/** What the request encoder needs from the reasoning settings. */
export interface AnthropicMessagesThinkingPlan {
  thinking?: WireObject;
  /** Thinking is on (enabled or adaptive): forced tool choice and sampling tweaks are not allowed. */
  thinkingOn: boolean;
  maxTokens: number;
  /** `output_config.effort` (only for requests that came as Anthropic: others map effort to a budget). */
  effort?: string;
}

/** Anthropic's smallest thinking budget. @see https://docs.claude.com/en/docs/build-with-claude/extended-thinking */
const minimumBudgetTokens = 1024;

/**
 * `max_tokens` is REQUIRED by Anthropic; when the client gave no limit this codec chooses one per model family:
 * 4096 for Claude 3 (their ceiling) and for non-Claude models behind Anthropic-compatible endpoints (whose limits
 * are unknown and often 8k), 8192 for Claude 3.5, 32000 for Claude 3.7 / 4.x and later (the lowest ceiling among
 * them, Opus 4's). With a thinking budget the limit is raised to budget + 4096 so an answer still fits. A warning
 * `max-tokens-defaulted` reports the value.
 * @see https://docs.claude.com/en/docs/about-claude/models/overview#model-comparison-table
 */
export function chooseAnthropicMessagesMaxTokens(model: string, budgetTokens: number | undefined): number {
  let base = 4096;
  if (matchesGlob("*claude-3-5*", model) || matchesGlob("*claude-3.5*", model)) base = 8192;
  else if (matchesGlob("*claude-3-7*", model) || matchesGlob("*claude-3.7*", model)) base = 32000;
  else if (matchesGlob("*claude-3-*", model)) base = 4096;
  else if (matchesGlob("*claude*", model)) base = 32000;
  return budgetTokens !== undefined && budgetTokens >= base ? budgetTokens + 4096 : base;
}

/**
 * Unified reasoning → `thinking` (+ `output_config.effort`) and the `max_tokens` to send. Requests that came as
 * Anthropic are rebuilt exactly; others are mapped: an effort becomes a `budget_tokens` from the model family's
 * effort table (reported as `reasoning-effort-mapped`), a disabled or zero budget sends no thinking at all.
 */
export function planAnthropicMessagesThinking(
  request: UnifiedRequest,
  own: Record<string, unknown> | undefined,
  options: EncodeRequestOptions,
  warnings: UnifiedWarning[],
): AnthropicMessagesThinkingPlan {
  const reasoning = request.reasoning;
  const given = request.generation.maxOutputTokens;
  const raw = own?.[shapeKeys.thinkingRaw];
  if (isWireObject(raw)) return { thinking: raw, thinkingOn: raw["type"] !== "disabled", maxTokens: given ?? defaulted(request.model, undefined, warnings) };

  const extra = own?.[shapeKeys.thinkingExtra];
  const thinkingExtra = isWireObject(extra) ? extra : undefined;
  let type: "enabled" | "disabled" | "adaptive" | undefined;
  let budget: number | undefined;
  let mapped = false;
  let effort: string | undefined;
  if (reasoning !== undefined && request.sourceProtocol === anthropicMessagesProtocol) {
    if (reasoning.enabled === false) type = "disabled";
    else if (reasoning.adaptive === true) type = "adaptive";
    else if (reasoning.enabled === true) type = "enabled";
    budget = reasoning.budgetTokens;
    effort = reasoning.effort;
  } else if (reasoning !== undefined && reasoning.enabled !== false) {
    if (reasoning.adaptive === true) type = "adaptive";
    else if (reasoning.budgetTokens !== undefined && reasoning.budgetTokens > 0) {
      type = "enabled";
      budget = reasoning.budgetTokens;
    } else if (reasoning.budgetTokens === 0 || reasoning.effort === "none") {
      type = undefined;
    } else if (reasoning.effort !== undefined || reasoning.enabled === true || reasoning.budgetTokens !== undefined) {
      // A negative budget is Gemini's "dynamic"; with no effort either, the table's medium row stands in.
      const effortName = reasoning.effort ?? "medium";
      const mappedBudget = findReasoningEffortMapping(request.model, options.reasoningEffortTable).budgets[effortName];
      warnings.push({
        code: "reasoning-effort-mapped",
        message: `reasoning effort "${effortName}" was sent as thinking.budget_tokens ${mappedBudget} for ${request.model}`,
        path: "thinking",
      });
      if (mappedBudget > 0) {
        type = "enabled";
        budget = mappedBudget;
        mapped = true;
      }
    }
  }

  const maxTokens = given ?? defaulted(request.model, type === "enabled" ? budget : undefined, warnings);
  if (mapped && budget !== undefined && budget >= maxTokens) {
    // Anthropic needs budget_tokens < max_tokens (max_tokens covers thinking and answer, as OpenAI's
    // max_completion_tokens does), so a mapped budget shrinks to fit the client's limit.
    if (maxTokens - 1 < minimumBudgetTokens) {
      warnings.push({ code: "reasoning-dropped", message: `max_tokens ${maxTokens} leaves no room for a thinking budget; thinking was not enabled`, path: "thinking" });
      type = undefined;
      budget = undefined;
    } else {
      warnings.push({ code: "reasoning-budget-adjusted", message: `thinking.budget_tokens lowered to ${maxTokens - 1} to stay below max_tokens`, path: "thinking.budget_tokens" });
      budget = maxTokens - 1;
    }
  }

  const plan: AnthropicMessagesThinkingPlan = { thinkingOn: type === "enabled" || type === "adaptive", maxTokens };
  if (effort !== undefined) plan.effort = effort;
  if (type === undefined) return plan;
  const thinking: WireObject = {};
  spreadExtraFields(thinking, thinkingExtra);
  thinking["type"] = type;
  if (type === "enabled" && budget !== undefined) thinking["budget_tokens"] = budget;
  if (type === "adaptive" && thinkingExtra === undefined && reasoning?.includeThoughts !== undefined) {
    thinking["display"] = reasoning.includeThoughts ? "summarized" : "omitted";
  }
  plan.thinking = thinking;
  return plan;
}

function defaulted(model: string, budget: number | undefined, warnings: UnifiedWarning[]): number {
  const value = chooseAnthropicMessagesMaxTokens(model, budget);
  warnings.push({ code: "max-tokens-defaulted", message: `the request had no output token limit; max_tokens ${value} was sent (Anthropic requires one)`, path: "max_tokens" });
  return value;
}
