import { z } from "zod";
import { findReasoningEffortMapping, mapBudgetToEffort, reasoningEfforts, type ReasoningEffort, type UnifiedWarning } from "../unified/index.js";
import { unchanged, type AdapterChange, type WireBody } from "./adapter.js";
import { defineAdapterFactory } from "./adapter-registry.js";
import { formatWirePath, parseWirePath, readWirePath, removeWirePath, writeWirePath, type ConcretePath } from "./wire-path.js";

/** The names OpenAI-compatible servers give the reasoning text of a message. */
const aliases = ["reasoning_content", "reasoning", "thinking"] as const;

const options = z.strictObject({
  /** The one field reasoning text ends up in, on request messages and response messages. */
  target: z.enum(aliases).default("reasoning_content"),
  /**
   * Effort ↔ budget: `budget` turns an effort into a thinking budget, `effort` a budget into an effort, `auto`
   * converts only where the model family takes the other kind (Gemini 3 takes levels, Gemini 2.5 budgets), `keep`
   * leaves both alone.
   */
  effort: z.enum(["auto", "budget", "effort", "keep"]).default("auto"),
  /** Where an OpenAI Chat target takes a thinking budget (OpenRouter's `reasoning.max_tokens` by default). */
  budgetPath: z.string().min(1).default("reasoning.max_tokens"),
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isEffort(value: unknown): value is ReasoningEffort {
  return typeof value === "string" && (reasoningEfforts as readonly string[]).includes(value);
}

/** Each message's reasoning text under any alias moved to `target` (an existing `target` value wins). */
function normalizeMessages(body: WireBody, listKey: string, inner: ConcretePath, target: string, changes: AdapterChange[]): WireBody {
  const list = body[listKey];
  if (!Array.isArray(list)) return body;
  let value = body;
  list.forEach((item: unknown, position) => {
    const message = readWirePath(item, inner);
    if (!isRecord(message)) return;
    const path: ConcretePath = [listKey, position, ...inner];
    for (const alias of aliases) {
      if (alias === target || typeof message[alias] !== "string") continue;
      // A value already under the target name wins; the alias is dropped either way so one field remains.
      if (typeof message[target] !== "string") value = writeWirePath(value, [...path, target], message[alias]);
      value = removeWirePath(value, [...path, alias]);
      changes.push({ path: formatWirePath([...path, target]), action: "moved", detail: `from ${alias}` });
    }
  });
  return value;
}

function without(record: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _removed, ...rest } = record;
  return rest;
}

/** The budget for an effort in a model's family, and a warning saying so. */
function budgetFor(model: string, effort: ReasoningEffort, warnings: UnifiedWarning[], path: string): number {
  const budget = findReasoningEffortMapping(model).budgets[effort];
  warnings.push({ code: "reasoning-effort-mapped", message: `reasoning effort "${effort}" sent as a thinking budget of ${budget} tokens for ${model}`, path });
  return budget;
}

function effortFor(model: string, budget: number, warnings: UnifiedWarning[], path: string): ReasoningEffort {
  const effort = mapBudgetToEffort(budget, findReasoningEffortMapping(model));
  warnings.push({ code: "reasoning-effort-mapped", message: `thinking budget of ${budget} tokens sent as reasoning effort "${effort}" for ${model}`, path });
  return effort;
}

/** Gemini `thinkingConfig`: a level where the family takes levels, a budget where it takes budgets. */
function convertGemini(body: WireBody, model: string, mode: string, changes: AdapterChange[], warnings: UnifiedWarning[]): WireBody {
  const configKey = isRecord(body["generation_config"]) ? "generation_config" : "generationConfig";
  const thinkingKey = configKey === "generation_config" ? "thinking_config" : "thinkingConfig";
  const [budgetKey, levelKey] = configKey === "generation_config" ? ["thinking_budget", "thinking_level"] : ["thinkingBudget", "thinkingLevel"];
  const thinking = readWirePath(body, [configKey, thinkingKey]);
  if (!isRecord(thinking)) return body;
  const mapping = findReasoningEffortMapping(model);
  const takesLevels = mapping.levels !== undefined;
  const budget = thinking[budgetKey];
  const level = thinking[levelKey];
  const path = `${configKey}.${thinkingKey}`;
  // -1 is Gemini's "dynamic" budget: no effort means that, so it is left alone.
  if (typeof budget === "number" && budget >= 0 && level === undefined && (mode === "effort" || (mode === "auto" && takesLevels))) {
    const effort = effortFor(model, budget, warnings, `${path}.${budgetKey}`);
    const next = { ...without(thinking, budgetKey), [levelKey]: mapping.levels?.[effort] ?? effort };
    changes.push({ path: `${path}.${levelKey}`, action: "set", detail: `from ${budgetKey} ${budget}` });
    return writeWirePath(body, [configKey, thinkingKey], next);
  }
  if (isEffort(level) && budget === undefined && (mode === "budget" || (mode === "auto" && !takesLevels))) {
    const next = { ...without(thinking, levelKey), [budgetKey]: budgetFor(model, level, warnings, `${path}.${levelKey}`) };
    changes.push({ path: `${path}.${budgetKey}`, action: "set", detail: `from ${levelKey} ${level}` });
    return writeWirePath(body, [configKey, thinkingKey], next);
  }
  return body;
}

/** OpenAI Chat `reasoning_effort` ↔ a budget field; Anthropic `output_config.effort` ↔ `thinking.budget_tokens`. */
function convertEffortField(body: WireBody, protocol: string, model: string, mode: string, budgetPath: ConcretePath, changes: AdapterChange[], warnings: UnifiedWarning[]): WireBody {
  const effortPath: ConcretePath = protocol === "anthropic-messages" ? ["output_config", "effort"] : ["reasoning_effort"];
  const budgetAt: ConcretePath = protocol === "anthropic-messages" ? ["thinking", "budget_tokens"] : budgetPath;
  const effort = readWirePath(body, effortPath);
  const budget = readWirePath(body, budgetAt);
  if (mode === "budget" && isEffort(effort) && budget === undefined) {
    let value = removeWirePath(body, effortPath);
    const tokens = budgetFor(model, effort, warnings, effortPath.join("."));
    if (isRecord(value["output_config"]) && Object.keys(value["output_config"]).length === 0) value = removeWirePath(value, ["output_config"]);
    value = protocol === "anthropic-messages" ? { ...value, thinking: tokens === 0 ? { type: "disabled" } : { type: "enabled", budget_tokens: tokens } } : writeWirePath(value, budgetAt, tokens);
    changes.push({ path: budgetAt.join("."), action: "set", detail: `from ${effortPath.join(".")} ${effort}` });
    return value;
  }
  if (mode === "effort" && typeof budget === "number" && effort === undefined) {
    const next = removeWirePath(body, protocol === "anthropic-messages" ? ["thinking"] : budgetAt);
    changes.push({ path: effortPath.join("."), action: "set", detail: `from ${budgetAt.join(".")} ${budget}` });
    return writeWirePath(next, effortPath, effortFor(model, budget, warnings, budgetAt.join(".")));
  }
  return body;
}

/**
 * `reasoning-normalize`: one name for reasoning text and one kind of reasoning control per target. Request and
 * response messages of OpenAI Chat bodies carry their reasoning as `reasoning_content` (DeepSeek, Kimi),
 * `reasoning` (OpenRouter, vLLM) or `thinking`; this moves every alias to the configured `target`. Effort and
 * thinking budget are converted by the model family's row of the effort table (src/unified), each conversion
 * reported as a warning. Streams: on the passthrough path each chunk's `choices[].delta` aliases are renamed the same
 * way (the client reads the provider's bytes); translated streams need no pass, because the decoders read every
 * alias into reasoning events and the client's encoder writes its own protocol's name.
 */
export const reasoningNormalizeAdapter = defineAdapterFactory({
  name: "reasoning-normalize",
  description: "Move reasoning_content / reasoning / thinking to one field; convert reasoning effort ↔ thinking budget per model family.",
  options,
  create: ({ target, effort, budgetPath }) => {
    const budgetAt = parseWirePath(budgetPath).map((segment) => segment.key) as ConcretePath;
    return {
      name: "reasoning-normalize",
      phase: "normal",
      // Every field it reads starts like one of these (`"reasoning_effort`, `"thinkingConfig`, `"thinking_config`…).
      passthroughTriggers: ['"reasoning', '"thinking', '"output_config"', `"${String(budgetAt.at(-1) ?? "")}"`],
      request(body, context) {
        const changes: AdapterChange[] = [];
        const warnings: UnifiedWarning[] = [];
        let value = body;
        if (context.protocol === "openai-chat") value = normalizeMessages(body, "messages", [], target, changes);
        if (effort !== "keep") {
          if (context.protocol === "gemini") value = convertGemini(value, context.model, effort, changes, warnings);
          else if (context.protocol === "openai-chat" || context.protocol === "anthropic-messages") value = convertEffortField(value, context.protocol, context.model, effort, budgetAt, changes, warnings);
        }
        return changes.length === 0 ? unchanged(body) : { value, changes, warnings };
      },
      response(body, context) {
        if (context.protocol !== "openai-chat") return unchanged(body);
        const changes: AdapterChange[] = [];
        const value = normalizeMessages(body, "choices", ["message"], target, changes);
        return changes.length === 0 ? unchanged(body) : { value, changes, warnings: [] };
      },
      streamDataTriggers: aliases.filter((alias) => alias !== target).map((alias) => `"${alias}"`),
      streamData(data, context) {
        if (context.protocol !== "openai-chat") return unchanged(data);
        const changes: AdapterChange[] = [];
        const value = normalizeMessages(data, "choices", ["delta"], target, changes);
        return changes.length === 0 ? unchanged(data) : { value, changes, warnings: [] };
      },
    };
  },
});
