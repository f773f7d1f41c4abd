import type { ProtocolId } from "../unified/index.js";
import type { GatewayOperation } from "../pipeline/index.js";

/** What a request path means, independent of any prefix the client puts before the known suffix. */
export type RouteMatch =
  | { kind: "call"; protocol: ProtocolId; operation: GatewayOperation; model?: string; stream?: boolean }
  | { kind: "list-models"; shape: "openai" | "anthropic" | "gemini" }
  | { kind: "get-model"; shape: "openai" | "anthropic" | "gemini"; model: string }
  | { kind: "responses-store"; responseId: string; action: ResponsesStoreAction }
  | { kind: "health" }
  | { kind: "credential-status" }
  | { kind: "hello" };

/** What a stored-response route does: `GET` / `DELETE /responses/{id}`, `GET …/input_items`, `POST …/cancel`. */
export type ResponsesStoreAction = "retrieve" | "delete" | "input-items" | "cancel";

const responsesStorePath = /\/responses\/([^/]+?)(\/input_items|\/cancel)?$/;

const geminiCall = /\/models\/([^/:]+(?:\/[^/:]+)*):(generateContent|streamGenerateContent|countTokens|embedContent)$/;
const geminiOperation: Record<string, { operation: GatewayOperation; stream: boolean }> = {
  generateContent: { operation: "generate", stream: false },
  streamGenerateContent: { operation: "generate", stream: true },
  countTokens: { operation: "count-tokens", stream: false },
  embedContent: { operation: "embed", stream: false },
};

/*
 * The fixed answers, made once: every request of a route gets the same object, frozen so that no caller can change
 * what later requests get.
 */
const hello: RouteMatch = Object.freeze({ kind: "hello" });
const health: RouteMatch = Object.freeze({ kind: "health" });
const credentialStatus: RouteMatch = Object.freeze({ kind: "credential-status" });
const chatCompletions: RouteMatch = Object.freeze({ kind: "call", protocol: "openai-chat", operation: "generate" });
const embeddings: RouteMatch = Object.freeze({ kind: "call", protocol: "openai-chat", operation: "embed" });
const responses: RouteMatch = Object.freeze({ kind: "call", protocol: "openai-responses", operation: "generate" });
const countTokens: RouteMatch = Object.freeze({ kind: "call", protocol: "anthropic-messages", operation: "count-tokens" });
const messages: RouteMatch = Object.freeze({ kind: "call", protocol: "anthropic-messages", operation: "generate" });

/**
 * Routes by path suffix so that any prefix works (`/v1/messages?beta=true`, `/anthropic/v1/messages`,
 * `/v1beta/models/x:generateContent`): clients and SDKs disagree on prefixes, never on suffixes.
 * @see ../shared/CLIENTS.md "What follows for the gateway"
 */
export function matchRoute(method: string, rawPath: string, headers: Record<string, string | string[] | undefined>): RouteMatch | undefined {
  const path = stripTrailingSlash(rawPath);
  if (method === "HEAD" || method === "GET") {
    if (path === "" || path === "/api/hello") return hello;
    if (path === "/health" || path.endsWith("/health")) return health;
    if (path === "/v1/status") return credentialStatus;
  }
  const stored = matchResponsesStore(method, path);
  if (stored !== undefined) return stored;
  if (method === "POST") {
    if (path.endsWith("/chat/completions")) return chatCompletions;
    if (path.endsWith("/embeddings")) return embeddings;
    if (path.endsWith("/responses")) return responses;
    if (path.endsWith("/messages/count_tokens")) return countTokens;
    if (path.endsWith("/messages")) return messages;
    const gemini = geminiCall.exec(path);
    if (gemini !== null) {
      const action = geminiOperation[gemini[2] ?? ""];
      if (action !== undefined) {
        return { kind: "call", protocol: "gemini", operation: action.operation, model: decodeURIComponent(gemini[1] ?? ""), stream: action.stream };
      }
    }
  }
  if (method === "GET") {
    if (path.endsWith("/models")) return { kind: "list-models", shape: modelListShape(path, headers) };
    const model = /\/models\/(.+)$/.exec(path);
    if (model !== null) return { kind: "get-model", shape: modelListShape(path, headers), model: decodeURIComponent(model[1] ?? "") };
  }
  return undefined;
}

/** The stored-response routes; a method a path does not take falls through to "no route". */
function matchResponsesStore(method: string, path: string): RouteMatch | undefined {
  // Every call route is checked here first: a substring test spares them the regular expression.
  if (!path.includes("/responses/")) return undefined;
  const match = responsesStorePath.exec(path);
  if (match === null) return undefined;
  const responseId = decodeURIComponent(match[1] ?? "");
  const suffix = match[2];
  let action: ResponsesStoreAction | undefined;
  if (suffix === "/input_items") action = method === "GET" ? "input-items" : undefined;
  else if (suffix === "/cancel") action = method === "POST" ? "cancel" : undefined;
  else if (method === "GET") action = "retrieve";
  else if (method === "DELETE") action = "delete";
  return action === undefined ? undefined : { kind: "responses-store", responseId, action };
}

/** Gemini clients list under /v1beta (or send a Google key); Anthropic clients send `anthropic-version`. */
function modelListShape(path: string, headers: Record<string, string | string[] | undefined>): "openai" | "anthropic" | "gemini" {
  if (path.includes("/v1beta/") || headers["x-goog-api-key"] !== undefined) return "gemini";
  if (headers["anthropic-version"] !== undefined) return "anthropic";
  return "openai";
}

function stripTrailingSlash(path: string): string {
  return path.length > 0 && path.endsWith("/") ? path.slice(0, -1) : path;
}
