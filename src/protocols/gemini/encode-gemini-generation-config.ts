import {
  findReasoningEffortMapping,
  type EncodeRequestOptions,
  type ReasoningConfig,
  type UnifiedRequest,
} from "../../unified/index.js";
import type { WireObject } from "../common/index.js";
import { prepareJsonSchemaForGemini } from "./convert-gemini-schema.js";
import { warnOnce, writeGeminiWireFields, type GeminiPartEncoding } from "./encode-gemini-parts.js";
import { geminiMarkers as marker, geminiProtocol } from "./types.js";

/**
 * Gemini documents at most 5 stop sequences and 0–20 top logprobs (older Vertex models took 1–5). Values beyond
 * are sent as they are (never silently cut) with a warning, so the provider's own error names the limit.
 * @see https://ai.google.dev/api/generate-content#v1beta.GenerationConfig
 */
const maxStopSequences = 5;
const maxTopLogprobs = 20;

/** Unified generation parameters, response format and reasoning → generationConfig (undefined when empty). */
export function encodeGeminiGenerationConfig(
  request: UnifiedRequest,
  record: Record<string, unknown> | undefined,
  options: EncodeRequestOptions | undefined,
  encoding: GeminiPartEncoding,
): WireObject | undefined {
  const kept = record?.[marker.generationConfig] as Record<string, unknown> | undefined;
  const config: WireObject = {};
  writeGeminiWireFields(config, kept);
  const { writer } = encoding;
  const put = (camel: string, value: unknown): void => {
    if (value !== undefined) config[writer.name(camel)] = value;
  };
  const generation = request.generation;
  put("maxOutputTokens", generation.maxOutputTokens);
  put("temperature", generation.temperature);
  put("topP", generation.topP);
  put("topK", generation.topK);
  put("seed", generation.seed);
  put("presencePenalty", generation.presencePenalty);
  put("frequencyPenalty", generation.frequencyPenalty);
  // Gemini fans out itself: n ↔ candidateCount.
  put("candidateCount", generation.n);
  if (generation.stop !== undefined) {
    if (generation.stop.length > maxStopSequences) {
      const message = `Gemini accepts at most ${maxStopSequences} stop sequences; ${generation.stop.length} were sent`;
      warnOnce(encoding, "stop-sequences-over-limit", message);
    }
    put("stopSequences", generation.stop);
  }
  put("responseLogprobs", generation.logprobs);
  if (generation.topLogprobs !== undefined && generation.topLogprobs > maxTopLogprobs) {
    const message = `Gemini returns at most ${maxTopLogprobs} top logprobs; ${generation.topLogprobs} were asked for`;
    warnOnce(encoding, "logprobs-over-limit", message);
  }
  put("logprobs", generation.topLogprobs);
  encodeResponseFormat(request, record, config, encoding);
  const thinking = encodeThinkingConfig(request, record, options, encoding);
  if (thinking !== undefined) config[writer.name("thinkingConfig")] = thinking;
  return kept !== undefined || Object.keys(config).length > 0 ? config : undefined;
}

/**
 * Response format → responseMimeType (+ responseJsonSchema, which takes JSON Schema as other protocols write it).
 * The json_schema `name` is only an identifier and `strict` is Gemini's default behaviour; a `description` guides
 * the model and is lost, with a warning.
 * @see https://ai.google.dev/gemini-api/docs/structured-output
 */
function encodeResponseFormat(
  request: UnifiedRequest,
  record: Record<string, unknown> | undefined,
  config: WireObject,
  encoding: GeminiPartEncoding,
): void {
  const format = request.responseFormat;
  if (format === undefined) return;
  const { writer } = encoding;
  switch (format.type) {
    case "text":
      config[writer.name("responseMimeType")] = "text/plain";
      return;
    case "json_object":
      config[writer.name("responseMimeType")] = "application/json";
      return;
    case "json_schema": {
      config[writer.name("responseMimeType")] = "application/json";
      const field = record?.[marker.responseSchemaField] === "responseSchema" ? "responseSchema" : "responseJsonSchema";
      const original = record?.[marker.responseSchema];
      const sameProtocol = request.sourceProtocol === geminiProtocol;
      config[writer.name(field)] = original ?? (sameProtocol ? format.schema : prepareJsonSchemaForGemini(format.schema, false));
      if (format.description !== undefined && !sameProtocol) {
        warnOnce(encoding, "response-format-description-dropped", "Gemini has no description for a response schema; it was dropped");
      }
      return;
    }
    default: {
      const unreachable: never = format;
      throw new Error(`unknown response format ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * Reasoning → thinkingConfig. A budget goes out as thinkingBudget (Gemini 3 still accepts it); an effort becomes
 * thinkingLevel for families with levels (Gemini 3) or a thinkingBudget from the effort table otherwise, each
 * mapping reported as `reasoning-effort-mapped`. Thinking off is budget 0, except on Gemini 3, which cannot turn it
 * off: the lowest level is used with a warning. Adaptive thinking is Gemini's dynamic budget (-1). A Responses
 * summary request asks for thought summaries, which is what includeThoughts returns.
 * @see https://ai.google.dev/gemini-api/docs/thinking
 */
function encodeThinkingConfig(
  request: UnifiedRequest,
  record: Record<string, unknown> | undefined,
  options: EncodeRequestOptions | undefined,
  encoding: GeminiPartEncoding,
): WireObject | undefined {
  const kept = record?.[marker.thinkingConfig] as Record<string, unknown> | undefined;
  const reasoning: ReasoningConfig | undefined = request.reasoning;
  if (reasoning === undefined && kept === undefined) return undefined;
  const thinking: WireObject = {};
  writeGeminiWireFields(thinking, kept);
  if (reasoning === undefined) return thinking;
  const { writer } = encoding;
  const mapping = findReasoningEffortMapping(request.model, options?.reasoningEffortTable);
  const levelKey = writer.name("thinkingLevel");
  const budgetKey = writer.name("thinkingBudget");
  const lowestLevel = (): string => mapping.levels?.minimal ?? mapping.levels?.low ?? "low";
  if (reasoning.budgetTokens !== undefined) {
    thinking[budgetKey] = reasoning.budgetTokens;
  } else if (reasoning.effort !== undefined) {
    const effort = reasoning.effort;
    const keptLevel = record?.[marker.thinkingLevel];
    if (typeof keptLevel === "string" && keptLevel.toLowerCase() === effort) {
      thinking[levelKey] = keptLevel;
    } else if (mapping.levels !== undefined) {
      const level = mapping.levels[effort];
      if (level === undefined) {
        thinking[levelKey] = lowestLevel();
        const message = `${request.model} always thinks; effort "${effort}" was sent as thinkingLevel "${lowestLevel()}"`;
        encoding.warnings.push({ code: "reasoning-cannot-disable", message });
      } else {
        thinking[levelKey] = level;
        encoding.warnings.push({ code: "reasoning-effort-mapped", message: `reasoning effort "${effort}" → thinkingLevel "${level}"` });
      }
    } else {
      const budget = mapping.budgets[effort];
      thinking[budgetKey] = budget;
      encoding.warnings.push({ code: "reasoning-effort-mapped", message: `reasoning effort "${effort}" → thinkingBudget ${budget}` });
    }
  } else if (reasoning.enabled === false) {
    if (mapping.levels !== undefined) {
      thinking[levelKey] = lowestLevel();
      const message = `${request.model} always thinks; thinking off was sent as thinkingLevel "${lowestLevel()}"`;
      encoding.warnings.push({ code: "reasoning-cannot-disable", message });
    } else {
      thinking[budgetKey] = 0;
    }
  } else if (reasoning.adaptive === true && mapping.levels === undefined) {
    thinking[budgetKey] = -1;
  }
  const includeThoughts = reasoning.includeThoughts ?? (reasoning.summary !== undefined && reasoning.summary !== "none" ? true : undefined);
  if (includeThoughts !== undefined) thinking[writer.name("includeThoughts")] = includeThoughts;
  return Object.keys(thinking).length > 0 || kept !== undefined ? thinking : undefined;
}
