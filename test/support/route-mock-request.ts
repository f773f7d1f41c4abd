import type { IncomingHttpHeaders } from "node:http";
import type { ProtocolId } from "../../src/unified/index.js";

/** What a request to the mock asks for. */
export type MockOperation = "generate" | "count-tokens" | "list-models" | "embeddings" | "probe" | "unknown";

/** Where a request landed: protocol, operation, model, and whether it wants a stream. */
export interface MockRoute {
  /** Undefined for probes and unknown paths. */
  protocol: ProtocolId | undefined;
  operation: MockOperation;
  model: string | undefined;
  /** From the body's `stream: true` or the `:streamGenerateContent` URL, never from `Accept` (SDKs lie). */
  stream: boolean;
}

/** Gemini's `models/{model}:{method}` with any prefix (`/v1beta`, `/v1`, a test base path). */
const geminiMethodPath = /\/models\/([^/:]+):([A-Za-z]+)$/;

function bodyField(json: unknown, key: string): unknown {
  return typeof json === "object" && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>)[key] : undefined;
}

function bodyModel(json: unknown): string | undefined {
  const model = bodyField(json, "model");
  return typeof model === "string" ? model : undefined;
}

function geminiOperation(method: string): { operation: MockOperation; stream: boolean } {
  switch (method) {
    case "generateContent":
      return { operation: "generate", stream: false };
    case "streamGenerateContent":
      return { operation: "generate", stream: true };
    case "countTokens":
      return { operation: "count-tokens", stream: false };
    case "embedContent":
    case "batchEmbedContents":
      return { operation: "embeddings", stream: false };
    default:
      return { operation: "unknown", stream: false };
  }
}

/** Which protocol's model list a `GET …/models` wants: Anthropic by its version header, Gemini by its key style or path. */
function modelListProtocol(pathname: string, query: URLSearchParams, headers: IncomingHttpHeaders): ProtocolId {
  if (headers["anthropic-version"] !== undefined) return "anthropic-messages";
  if (headers["x-goog-api-key"] !== undefined || query.has("key") || pathname.includes("/v1beta/")) return "gemini";
  return "openai-chat";
}

/**
 * Routes on path suffixes so any base prefix works (`${baseUrl}/v1` for OpenAI SDKs, `${baseUrl}` for
 * Anthropic and Gemini, or a test's own prefix).
 */
export function routeMockRequest(
  method: string,
  pathname: string,
  query: URLSearchParams,
  headers: IncomingHttpHeaders,
  json: unknown,
): MockRoute {
  const none: MockRoute = { protocol: undefined, operation: "unknown", model: undefined, stream: false };
  // Claude Code probes `HEAD /` and `HEAD /api/hello` before its first call.
  if (method === "HEAD") return { ...none, operation: "probe" };
  const stream = bodyField(json, "stream") === true;
  if (method === "GET") {
    if (pathname.endsWith("/models")) {
      return { protocol: modelListProtocol(pathname, query, headers), operation: "list-models", model: undefined, stream: false };
    }
    return none;
  }
  if (method !== "POST") return none;
  if (pathname.endsWith("/chat/completions")) {
    return { protocol: "openai-chat", operation: "generate", model: bodyModel(json), stream };
  }
  if (pathname.endsWith("/responses")) {
    return { protocol: "openai-responses", operation: "generate", model: bodyModel(json), stream };
  }
  if (pathname.endsWith("/messages/count_tokens")) {
    return { protocol: "anthropic-messages", operation: "count-tokens", model: bodyModel(json), stream: false };
  }
  if (pathname.endsWith("/messages")) {
    return { protocol: "anthropic-messages", operation: "generate", model: bodyModel(json), stream };
  }
  if (pathname.endsWith("/embeddings")) {
    return { protocol: "openai-chat", operation: "embeddings", model: bodyModel(json), stream: false };
  }
  const gemini = geminiMethodPath.exec(pathname);
  if (gemini !== null) {
    const [, model = "", method = ""] = gemini;
    return { protocol: "gemini", model: decodeURIComponent(model), ...geminiOperation(method) };
  }
  return none;
}

/** The API key a request carries, in any of the four protocols' styles. */
export function readMockApiKey(headers: IncomingHttpHeaders, query: URLSearchParams): string | undefined {
  const authorization = headers.authorization;
  if (authorization !== undefined && /^bearer /i.test(authorization)) return authorization.slice(7).trim();
  const anthropicKey = headers["x-api-key"];
  if (typeof anthropicKey === "string") return anthropicKey;
  const googleKey = headers["x-goog-api-key"];
  if (typeof googleKey === "string") return googleKey;
  return query.get("key") ?? undefined;
}
