import type { ReasoningEffort } from "./unified-request.js";

/**
 * How effort names map to thinking budgets and levels for one model family. There is no agreed table across
 * providers, so it is data: per family, overridable in config, and every applied mapping is reported as a warning.
 */
export interface ReasoningEffortMapping {
  /** Tokens of thinking budget per effort (Anthropic `budget_tokens`, Gemini `thinkingBudget`). 0 = off. */
  budgets: Record<ReasoningEffort, number>;
  /** Gemini 3 `thinkingLevel` per effort, for families that take levels instead of budgets. */
  levels?: Partial<Record<ReasoningEffort, string>>;
}

/** Model-family patterns (globs on the model name) to mappings; the first match wins, `*` last. */
export type ReasoningEffortTable = Array<{ pattern: string; mapping: ReasoningEffortMapping }>;

const defaultBudgets: Record<ReasoningEffort, number> = {
  none: 0,
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 16384,
  xhigh: 24576,
  max: 32768,
};

/** The built-in table; config may prepend rows. */
export const defaultReasoningEffortTable: ReasoningEffortTable = [
  {
    pattern: "gemini-3*",
    mapping: {
      budgets: { ...defaultBudgets, high: 24576, xhigh: 32768 },
      levels: { minimal: "minimal", low: "low", medium: "medium", high: "high", xhigh: "high", max: "high" },
    },
  },
  { pattern: "gemini-2.5-flash*", mapping: { budgets: { ...defaultBudgets, xhigh: 24576, max: 24576 } } },
  { pattern: "*", mapping: { budgets: defaultBudgets } },
];

/** The mapping for a model, from the first matching row. */
export function findReasoningEffortMapping(model: string, table: ReasoningEffortTable = defaultReasoningEffortTable): ReasoningEffortMapping {
  for (const row of table) {
    if (matchesGlob(row.pattern, model)) return row.mapping;
  }
  return { budgets: defaultBudgets };
}

/** The effort whose budget is closest to `budgetTokens` without exceeding it (none for 0). */
export function mapBudgetToEffort(budgetTokens: number, mapping: ReasoningEffortMapping): ReasoningEffort {
  let best: ReasoningEffort = "minimal";
  let bestBudget = -1;
  for (const [effort, budget] of Object.entries(mapping.budgets) as Array<[ReasoningEffort, number]>) {
    if (budgetTokens === 0 && effort === "none") return "none";
    if (budget > 0 && budget <= budgetTokens && budget > bestBudget) {
      best = effort;
      bestBudget = budget;
    }
  }
  return best;
}

/** Glob match with `*` only, case-insensitive. */
export function matchesGlob(pattern: string, value: string): boolean {
  const escaped = pattern.toLowerCase().replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`).test(value.toLowerCase());
}
