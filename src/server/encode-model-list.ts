import type { ModelListing } from "../pipeline/index.js";

/** The model list in the shape each client family expects. */
export function encodeModelList(models: readonly ModelListing[], shape: "openai" | "anthropic" | "gemini"): unknown {
  switch (shape) {
    case "openai":
      return { object: "list", data: models.map((model) => encodeOpenAiModel(model)) };
    case "anthropic":
      return {
        data: models.map((model) => encodeAnthropicModel(model)),
        has_more: false,
        first_id: models[0]?.id ?? null,
        last_id: models.at(-1)?.id ?? null,
      };
    case "gemini":
      return { models: models.map((model) => encodeGeminiModel(model)) };
    default: {
      const unreachable: never = shape;
      return unreachable;
    }
  }
}

/** One model in the shape of a single-model lookup. */
export function encodeSingleModel(model: ModelListing, shape: "openai" | "anthropic" | "gemini"): unknown {
  if (shape === "openai") return encodeOpenAiModel(model);
  if (shape === "anthropic") return encodeAnthropicModel(model);
  return encodeGeminiModel(model);
}

function encodeOpenAiModel(model: ModelListing): Record<string, unknown> {
  return { id: model.id, object: "model", created: 0, owned_by: model.provider };
}

function encodeAnthropicModel(model: ModelListing): Record<string, unknown> {
  return { type: "model", id: model.id, display_name: model.displayName ?? model.id, created_at: "1970-01-01T00:00:00Z" };
}

function encodeGeminiModel(model: ModelListing): Record<string, unknown> {
  return {
    name: `models/${model.id}`,
    displayName: model.displayName ?? model.id,
    supportedGenerationMethods: ["generateContent", "streamGenerateContent", "countTokens"],
  };
}
