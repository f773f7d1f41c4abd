import { expect } from "vitest";
import type { ProtocolId } from "../../src/unified/index.js";
import { testProxyKey } from "./start-test-gateway.js";

/** One client protocol's generate route as a raw HTTP client sees it. */
export interface ClientRoute {
  path(model: string, stream: boolean): string;
  body(model: string, stream: boolean): Record<string, unknown>;
  /** A body whose fields have the wrong types, and the field the error must name. */
  wrongTypes(model: string): { body: Record<string, unknown>; field: string };
  /** How this protocol's clients send their key. */
  keyHeader(key: string): Record<string, string>;
}

/** Every client protocol's generate route. */
export const clientRoutes: Readonly<Record<ProtocolId, ClientRoute>> = {
  "openai-chat": {
    path: () => "/v1/chat/completions",
    body: (model, stream) => ({ model, messages: [{ role: "user", content: "hi" }], ...(stream ? { stream } : {}) }),
    wrongTypes: (model) => ({ body: { model, messages: "hi" }, field: "messages" }),
    keyHeader: (key) => ({ authorization: `Bearer ${key}` }),
  },
  "openai-responses": {
    path: () => "/v1/responses",
    body: (model, stream) => ({ model, input: "hi", ...(stream ? { stream } : {}) }),
    wrongTypes: (model) => ({ body: { model, input: 42 }, field: "input" }),
    keyHeader: (key) => ({ authorization: `Bearer ${key}` }),
  },
  "anthropic-messages": {
    path: () => "/v1/messages",
    body: (model, stream) => ({ model, max_tokens: 16, messages: [{ role: "user", content: "hi" }], ...(stream ? { stream } : {}) }),
    wrongTypes: (model) => ({ body: { model, max_tokens: "sixteen", messages: [{ role: "user", content: "hi" }] }, field: "max_tokens" }),
    keyHeader: (key) => ({ "x-api-key": key, "anthropic-version": "2023-06-01" }),
  },
  gemini: {
    path: (model, stream) => `/v1beta/models/${model}:${stream ? "streamGenerateContent?alt=sse" : "generateContent"}`,
    body: () => ({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }),
    wrongTypes: () => ({ body: { contents: { role: "user" } }, field: "contents" }),
    keyHeader: (key) => ({ "x-goog-api-key": key }),
  },
};

/** The client protocols, for `describe.each`. */
export const clientProtocols = Object.keys(clientRoutes) as ProtocolId[];

/** How each protocol names one error: OpenAI `type` + `code`, Anthropic `error.type`, Gemini RPC `status`. */
export interface ErrorKind {
  openai: [string, string | null];
  /** Where the Responses codec names it differently from Chat. */
  responses?: [string, string | null];
  anthropic: string;
  gemini: string;
}

/** Posts a raw body to a client route with the proxy key (or the given headers); the reply as status and parsed JSON. */
export async function postRaw(
  baseUrl: string,
  protocol: ProtocolId,
  model: string,
  body: string,
  headers: Record<string, string> = clientRoutes[protocol].keyHeader(testProxyKey),
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const response = await fetch(`${baseUrl}${clientRoutes[protocol].path(model, false)}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  return { status: response.status, headers: response.headers, body: JSON.parse(await response.text()) as unknown };
}

/** Checks an error body against the protocol's own shape and the expected kind; returns the message. */
export function expectErrorBody(protocol: ProtocolId, status: number, kind: ErrorKind, body: unknown): string {
  const envelope = body as Record<string, unknown>;
  const error = envelope["error"] as Record<string, unknown>;
  switch (protocol) {
    case "openai-chat":
    case "openai-responses":
      expect(Object.keys(error).sort()).toEqual(["code", "message", "param", "type"]);
      expect([error["type"], error["code"]]).toEqual(protocol === "openai-responses" ? (kind.responses ?? kind.openai) : kind.openai);
      break;
    case "anthropic-messages":
      expect([envelope["type"], error["type"]]).toEqual(["error", kind.anthropic]);
      break;
    case "gemini":
      expect([error["code"], error["status"]]).toEqual([status, kind.gemini]);
      break;
    default: {
      const unreachable: never = protocol;
      throw new Error(`unknown protocol ${String(unreachable)}`);
    }
  }
  expect(typeof error["message"]).toBe("string");
  return error["message"] as string;
}

/** Checks status and error shape of a raw reply; returns the message. */
export function expectProtocolError(protocol: ProtocolId, status: number, kind: ErrorKind, response: { status: number; body: unknown }): string {
  expect(response.status).toBe(status);
  return expectErrorBody(protocol, status, kind, response.body);
}
