import { GatewayError, type ProtocolId } from "../unified/index.js";
import type { ModelListShape, PathTemplateKey, PathTemplates, ProviderOperation } from "./provider-declaration.js";

/**
 * Default path templates per protocol, relative to the base URL the provider's SDK takes. Providers override single
 * entries in their declaration (`paths`).
 * @see https://platform.openai.com/docs/api-reference/chat/create
 * @see https://platform.openai.com/docs/api-reference/responses/create
 * @see https://docs.anthropic.com/en/api/messages
 * @see https://ai.google.dev/api/generate-content
 */
export const protocolPathTemplates: Readonly<Record<ProtocolId, PathTemplates>> = {
  "openai-chat": { generate: "/chat/completions", embed: "/embeddings", "list-models": "/models" },
  "openai-responses": { generate: "/responses", embed: "/embeddings", "list-models": "/models" },
  "anthropic-messages": {
    generate: "/v1/messages",
    "count-tokens": "/v1/messages/count_tokens",
    "list-models": "/v1/models",
  },
  gemini: {
    generate: "/v1beta/models/{model}:generateContent",
    // Gemini streams from a different method; `alt=sse` asks for SSE instead of a JSON array.
    "generate-stream": "/v1beta/models/{model}:streamGenerateContent?alt=sse",
    "count-tokens": "/v1beta/models/{model}:countTokens",
    embed: "/v1beta/models/{model}:embedContent",
    "list-models": "/v1beta/models",
  },
};

/** The model-list response shape each protocol's list endpoint returns. */
export const modelListShapeByProtocol: Readonly<Record<ProtocolId, ModelListShape>> = {
  "openai-chat": "openai",
  "openai-responses": "openai",
  "anthropic-messages": "anthropic",
  gemini: "gemini",
};

/** Whether a protocol (with optional overrides) has a path for an operation. */
export function supportsOperation(protocol: ProtocolId, operation: ProviderOperation, overrides?: PathTemplates): boolean {
  return (overrides?.[operation] ?? protocolPathTemplates[protocol][operation]) !== undefined;
}

/**
 * The path (with query, if the template has one) for one call; `unsupported_feature` when the protocol has no
 * endpoint for the operation.
 */
export function resolveOperationPath(options: {
  providerId: string;
  protocol: ProtocolId;
  operation: ProviderOperation;
  model: string;
  stream: boolean;
  overrides?: PathTemplates;
}): string {
  const { protocol, operation, overrides } = options;
  const key: PathTemplateKey = operation === "generate" && options.stream ? "generate-stream" : operation;
  const template =
    overrides?.[key] ?? protocolPathTemplates[protocol][key] ?? overrides?.[operation] ?? protocolPathTemplates[protocol][operation];
  if (template === undefined) {
    throw new GatewayError("unsupported_feature", `${options.providerId} (${protocol}) has no ${operation} endpoint`, {
      provider: options.providerId,
    });
  }
  return template.includes("{model}") ? template.replaceAll("{model}", encodeModelPathSegment(options.model)) : template;
}

/**
 * Encodes a model for a URL path. Gemini model resources are `models/<id>`: a leading `models/` is dropped because
 * the template already has it; the rest is percent-encoded so `provider/model`-style ids stay one segment.
 */
function encodeModelPathSegment(model: string): string {
  const bare = model.startsWith("models/") ? model.slice("models/".length) : model;
  return encodeURIComponent(bare);
}
