import type { ProtocolId } from "../../src/unified/index.js";
import { defaultMockUsage, mockCreatedAt } from "./mock-answer.js";

/** Model ids each provider family lists (Claude Code's gateway mode keeps only `claude*`/`anthropic*` ids). */
export interface MockModelCatalogue {
  openai: string[];
  anthropic: string[];
  gemini: string[];
}

/** The models the mock lists when a test gives none. */
export const defaultMockModels: MockModelCatalogue = {
  openai: ["gpt-mock-large", "gpt-mock-small"],
  anthropic: ["claude-mock-sonnet", "claude-mock-haiku"],
  gemini: ["gemini-mock-pro", "gemini-mock-flash"],
};

/** The model list body in the shape the protocol's SDK reads. */
export function encodeMockModelList(protocol: ProtocolId, models: MockModelCatalogue): unknown {
  switch (protocol) {
    case "openai-chat":
    case "openai-responses":
      return {
        object: "list",
        data: models.openai.map((id) => ({ id, object: "model", created: mockCreatedAt(0), owned_by: "mock" })),
      };
    case "anthropic-messages":
      // @see https://docs.anthropic.com/en/api/models-list
      return {
        data: models.anthropic.map((id) => ({
          type: "model",
          id,
          display_name: id,
          created_at: "2025-01-01T00:00:00Z",
        })),
        has_more: false,
        first_id: models.anthropic[0] ?? null,
        last_id: models.anthropic[models.anthropic.length - 1] ?? null,
      };
    case "gemini":
      // @see https://ai.google.dev/api/models#method:-models.list
      return {
        models: models.gemini.map((id) => ({
          name: `models/${id}`,
          version: "001",
          displayName: id,
          inputTokenLimit: 1_048_576,
          outputTokenLimit: 65_536,
          supportedGenerationMethods: ["generateContent", "countTokens"],
        })),
      };
    default: {
      const unreachable: never = protocol;
      return unreachable;
    }
  }
}

/** The token count body: Anthropic `input_tokens`, Gemini `totalTokens`; both the default usage's input. */
export function encodeMockTokenCount(protocol: ProtocolId): unknown {
  return protocol === "gemini" ? { totalTokens: defaultMockUsage.input } : { input_tokens: defaultMockUsage.input };
}

/** A deterministic unit-ish vector: the same text always gets the same embedding. */
export function mockEmbedding(text: string, dimensions: number): number[] {
  const vector: number[] = [];
  for (let index = 0; index < dimensions; index++) {
    const code = text.length === 0 ? 0 : text.charCodeAt(index % text.length);
    vector.push(Number((((code * (index + 1)) % 97) / 97).toFixed(6)));
  }
  return vector;
}

function stringsOf(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.map((item) => (typeof item === "string" ? item : JSON.stringify(item)));
  return [JSON.stringify(value ?? "")];
}

/** The embeddings body: OpenAI `/v1/embeddings` list, or Gemini `embedContent` values. */
export function encodeMockEmbeddings(protocol: ProtocolId, body: unknown, model: string): unknown {
  const fields = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const dimensions = typeof fields["dimensions"] === "number" ? fields["dimensions"] : 8;
  if (protocol === "gemini") return { embedding: { values: mockEmbedding(JSON.stringify(fields["content"] ?? ""), 8) } };
  const inputs = stringsOf(fields["input"]);
  const tokens = inputs.reduce((sum, text) => sum + Math.max(1, Math.ceil(text.length / 4)), 0);
  return {
    object: "list",
    data: inputs.map((text, index) => ({ object: "embedding", index, embedding: mockEmbedding(text, dimensions) })),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
