import { GatewayError } from "../unified/index.js";
import type { ModelCapabilities, ModelInfo, ModelListShape } from "./provider-declaration.js";

/** One page of a model list and, when there is more, the query parameter that fetches the next page. */
export interface ModelListPage {
  models: ModelInfo[];
  nextPage?: { param: string; value: string };
}

type WireObject = Record<string, unknown>;

/**
 * Parses one page of a provider's model-list response. Tolerant of unknown fields and of entries it cannot read
 * (skipped); `upstream_server` when the page is not the expected shape at all.
 */
export function parseModelListPage(shape: ModelListShape, body: unknown): ModelListPage {
  switch (shape) {
    case "openai":
      return { models: readEntries(body, "data").map(readOpenAiModel).filter(isDefined) };
    case "anthropic": {
      const models = readEntries(body, "data").map(readAnthropicModel).filter(isDefined);
      const object = body as WireObject;
      return object.has_more === true && typeof object.last_id === "string"
        ? { models, nextPage: { param: "after_id", value: object.last_id } }
        : { models };
    }
    case "gemini": {
      const models = readEntries(body, "models", true).map(readGeminiModel).filter(isDefined);
      const { nextPageToken } = body as WireObject;
      return typeof nextPageToken === "string" && nextPageToken !== "" ? { models, nextPage: { param: "pageToken", value: nextPageToken } } : { models };
    }
    default: {
      const unreachable: never = shape;
      throw new GatewayError("internal", `unknown model list shape ${String(unreachable)}`);
    }
  }
}

/**
 * OpenAI-shaped entries: `id` only on OpenAI itself; OpenRouter adds `supported_parameters`, `architecture` and
 * `top_provider`, which say what the model can do.
 * @see https://platform.openai.com/docs/api-reference/models/list
 * @see https://openrouter.ai/docs/api-reference/list-available-models
 */
function readOpenAiModel(entry: unknown): ModelInfo | undefined {
  if (!isWireObject(entry) || typeof entry.id !== "string" || entry.id === "") return undefined;
  const model: ModelInfo = { id: entry.id };
  if (typeof entry.name === "string") model.displayName = entry.name;
  const capabilities: Partial<ModelCapabilities> = {};
  if (Array.isArray(entry.supported_parameters)) {
    capabilities.tools = entry.supported_parameters.includes("tools");
    capabilities.reasoning = entry.supported_parameters.includes("reasoning");
  }
  if (isWireObject(entry.architecture) && Array.isArray(entry.architecture.input_modalities)) {
    capabilities.vision = entry.architecture.input_modalities.includes("image");
  }
  if (isWireObject(entry.top_provider) && isPositiveInteger(entry.top_provider.max_completion_tokens)) {
    capabilities.maxOutputTokens = entry.top_provider.max_completion_tokens;
  }
  if (Object.keys(capabilities).length > 0) model.capabilities = capabilities;
  return model;
}

/** @see https://docs.anthropic.com/en/api/models-list */
function readAnthropicModel(entry: unknown): ModelInfo | undefined {
  if (!isWireObject(entry) || typeof entry.id !== "string" || entry.id === "") return undefined;
  return typeof entry.display_name === "string" ? { id: entry.id, displayName: entry.display_name } : { id: entry.id };
}

/**
 * Gemini names models `models/<id>`; `thinking` and `outputTokenLimit` say what the model can do.
 * @see https://ai.google.dev/api/models#Model
 */
function readGeminiModel(entry: unknown): ModelInfo | undefined {
  if (!isWireObject(entry) || typeof entry.name !== "string" || entry.name === "") return undefined;
  const model: ModelInfo = { id: entry.name.startsWith("models/") ? entry.name.slice("models/".length) : entry.name };
  if (typeof entry.displayName === "string") model.displayName = entry.displayName;
  const capabilities: Partial<ModelCapabilities> = {};
  if (typeof entry.thinking === "boolean") capabilities.reasoning = entry.thinking;
  if (isPositiveInteger(entry.outputTokenLimit)) capabilities.maxOutputTokens = entry.outputTokenLimit;
  if (Object.keys(capabilities).length > 0) model.capabilities = capabilities;
  return model;
}

function readEntries(body: unknown, field: string, optional = false): unknown[] {
  if (isWireObject(body)) {
    const entries = body[field];
    if (Array.isArray(entries)) return entries;
    // Gemini omits `models` on an empty last page.
    if (entries === undefined && optional) return [];
  }
  throw new GatewayError("upstream_server", `model list: expected an object with a "${field}" array`);
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0;
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

function isWireObject(value: unknown): value is WireObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
