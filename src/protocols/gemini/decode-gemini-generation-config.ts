import {
  invalidRequest,
  reasoningEfforts,
  type GenerationParameters,
  type ReasoningConfig,
  type ReasoningEffort,
  type ResponseFormat,
} from "../../unified/index.js";
import {
  collectUnknownFields,
  expectArray,
  expectObject,
  expectString,
  joinPath,
  optionalBoolean,
  optionalNumber,
  optionalString,
  type WireObject,
} from "../common/index.js";
import { convertGeminiSchemaToJsonSchema } from "./convert-gemini-schema.js";
import { bothSpellings, type GeminiFieldReader } from "./map-gemini-field-name.js";
import { geminiMarkers as marker } from "./types.js";

const generationConfigKeys = bothSpellings([
  "maxOutputTokens",
  "temperature",
  "topP",
  "topK",
  "stopSequences",
  "seed",
  "presencePenalty",
  "frequencyPenalty",
  "candidateCount",
  "responseLogprobs",
  "logprobs",
  "responseMimeType",
  "responseSchema",
  "responseJsonSchema",
  "thinkingConfig",
]);
const thinkingConfigKeys = bothSpellings(["thinkingBudget", "thinkingLevel", "includeThoughts"]);

/** What generationConfig says, in unified terms, plus markers for what only Gemini understands. */
export interface DecodedGeminiGenerationConfig {
  generation: GenerationParameters;
  responseFormat?: ResponseFormat;
  reasoning?: ReasoningConfig;
  markers: Record<string, unknown>;
}

/**
 * generationConfig → generation parameters, response format and reasoning config. Fields without a neutral home
 * (responseModalities, speechConfig, mediaResolution…) are kept verbatim for the same protocol.
 * @see https://ai.google.dev/api/generate-content#v1beta.GenerationConfig
 */
export function decodeGeminiGenerationConfig(value: unknown, reader: GeminiFieldReader): DecodedGeminiGenerationConfig {
  const path = "generationConfig";
  const config = expectObject(value, path);
  const kept: Record<string, unknown> = collectUnknownFields(config, generationConfigKeys) ?? {};
  const markers: Record<string, unknown> = { [marker.generationConfig]: kept };
  const number = (camel: string): number | undefined => optionalNumber({ [camel]: reader.read(config, camel) }, camel, path);
  const generation: GenerationParameters = {};

  const maxOutputTokens = number("maxOutputTokens");
  if (maxOutputTokens !== undefined) generation.maxOutputTokens = maxOutputTokens;
  const temperature = number("temperature");
  if (temperature !== undefined) generation.temperature = temperature;
  const topP = number("topP");
  if (topP !== undefined) generation.topP = topP;
  const topK = number("topK");
  if (topK !== undefined) generation.topK = topK;
  const seed = number("seed");
  if (seed !== undefined) generation.seed = seed;
  const presencePenalty = number("presencePenalty");
  if (presencePenalty !== undefined) generation.presencePenalty = presencePenalty;
  const frequencyPenalty = number("frequencyPenalty");
  if (frequencyPenalty !== undefined) generation.frequencyPenalty = frequencyPenalty;
  const candidateCount = number("candidateCount");
  if (candidateCount !== undefined) generation.n = candidateCount;
  const logprobs = number("logprobs");
  if (logprobs !== undefined) generation.topLogprobs = logprobs;
  const responseLogprobs = optionalBoolean({ responseLogprobs: reader.read(config, "responseLogprobs") }, "responseLogprobs", path);
  if (responseLogprobs !== undefined) generation.logprobs = responseLogprobs;

  const stopValue = reader.read(config, "stopSequences");
  if (stopValue !== undefined && stopValue !== null) {
    const stopPath = joinPath(path, reader.wireKey(config, "stopSequences"));
    generation.stop = expectArray(stopValue, stopPath).map((stop, at) => expectString(stop, joinPath(stopPath, at)));
  }

  const decoded: DecodedGeminiGenerationConfig = { generation, markers };
  const responseFormat = decodeResponseFormat(config, path, reader, kept, markers);
  if (responseFormat !== undefined) decoded.responseFormat = responseFormat;
  const thinking = reader.read(config, "thinkingConfig");
  if (thinking !== undefined && thinking !== null) {
    const reasoning = decodeThinkingConfig(thinking, joinPath(path, reader.wireKey(config, "thinkingConfig")), reader, markers);
    if (reasoning !== undefined) decoded.reasoning = reasoning;
  }
  return decoded;
}

/**
 * responseMimeType "application/json" with responseJsonSchema / responseSchema ↔ json_schema, without a schema ↔
 * json_object, "text/plain" ↔ text. Other MIME types (text/x.enum) have no neutral meaning and stay verbatim.
 * @see https://ai.google.dev/gemini-api/docs/structured-output
 */
function decodeResponseFormat(
  config: WireObject,
  path: string,
  reader: GeminiFieldReader,
  kept: Record<string, unknown>,
  markers: Record<string, unknown>,
): ResponseFormat | undefined {
  const mimeKey = reader.wireKey(config, "responseMimeType");
  const mimeType = optionalString({ [mimeKey]: reader.read(config, "responseMimeType") }, mimeKey, path);
  const jsonSchema = reader.read(config, "responseJsonSchema");
  const openApiSchema = reader.read(config, "responseSchema");
  const schema = jsonSchema ?? openApiSchema;
  const keepVerbatim = (): undefined => {
    if (mimeType !== undefined) kept[mimeKey] = mimeType;
    if (jsonSchema !== undefined) kept[reader.wireKey(config, "responseJsonSchema")] = jsonSchema;
    if (openApiSchema !== undefined) kept[reader.wireKey(config, "responseSchema")] = openApiSchema;
    return undefined;
  };
  if (mimeType === "text/plain" && schema === undefined) return { type: "text" };
  if (mimeType !== "application/json") return keepVerbatim();
  if (schema === undefined || schema === null) return { type: "json_object" };
  if (jsonSchema !== undefined && openApiSchema !== undefined) return keepVerbatim();
  const schemaKey = jsonSchema !== undefined ? "responseJsonSchema" : "responseSchema";
  const source = expectObject(schema, joinPath(path, reader.wireKey(config, schemaKey)));
  if (schemaKey === "responseSchema") markers[marker.responseSchemaField] = "responseSchema";
  const converted = convertGeminiSchemaToJsonSchema(source) as Record<string, unknown>;
  if (converted !== source) markers[marker.responseSchema] = source;
  return { type: "json_schema", schema: converted };
}

/**
 * thinkingConfig: thinkingBudget ↔ budgetTokens (0 = off, -1 = dynamic), thinkingLevel (Gemini 3) ↔ effort,
 * includeThoughts ↔ includeThoughts. Levels are effort names; the level as written is kept for the same protocol.
 * @see https://ai.google.dev/gemini-api/docs/thinking
 */
function decodeThinkingConfig(
  value: unknown,
  path: string,
  reader: GeminiFieldReader,
  markers: Record<string, unknown>,
): ReasoningConfig | undefined {
  const thinking = expectObject(value, path);
  const kept: Record<string, unknown> = collectUnknownFields(thinking, thinkingConfigKeys) ?? {};
  markers[marker.thinkingConfig] = kept;
  const reasoning: ReasoningConfig = {};
  const budget = optionalNumber({ thinkingBudget: reader.read(thinking, "thinkingBudget") }, "thinkingBudget", path);
  if (budget !== undefined) {
    if (!Number.isInteger(budget) || budget < -1) throw invalidRequest(joinPath(path, "thinkingBudget"), "expected -1, 0 or a positive integer");
    reasoning.budgetTokens = budget;
    if (budget === 0) reasoning.enabled = false;
  }
  const levelKey = reader.wireKey(thinking, "thinkingLevel");
  const level = optionalString({ [levelKey]: reader.read(thinking, "thinkingLevel") }, levelKey, path);
  if (level !== undefined) {
    const effort = level.toLowerCase();
    if ((reasoningEfforts as readonly string[]).includes(effort)) {
      reasoning.effort = effort as ReasoningEffort;
      markers[marker.thinkingLevel] = level;
    } else {
      kept[levelKey] = level;
    }
  }
  const includeThoughts = optionalBoolean({ includeThoughts: reader.read(thinking, "includeThoughts") }, "includeThoughts", path);
  if (includeThoughts !== undefined) reasoning.includeThoughts = includeThoughts;
  return Object.keys(reasoning).length > 0 ? reasoning : undefined;
}
