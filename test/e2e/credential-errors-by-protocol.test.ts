import { afterEach, describe, expect, it } from "vitest";
import { createCredential } from "../../src/providers/index.js";
import { errorReply, matching, rateLimitReply } from "../support/mock-upstream.js";
import { startTestGateway, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

// The final error after every credential failed, as each client protocol receives it: one body in that protocol's
// shape that lists every attempt (target, credential id, class, status) and keeps the credential problem (a 401: a
// key someone must replace) apart from the capacity problems (429s: wait).

const keys = ["sk-errors-key-aaaaaaaa", "sk-errors-key-bbbbbbbb", "sk-errors-key-cccccccc"] as const;
const [keyA, keyB, keyC] = keys;
const idOf = (key: string): string => createCredential("openai", key).id;
const model = "openai/gpt-mock-large";

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

interface ClientCall {
  path: string;
  headers: Record<string, string>;
  body: unknown;
  /** The message of the protocol's error body; fails the test when the body is not in that shape. */
  messageOf(body: unknown): string;
}

const json = { "content-type": "application/json" };
const calls: Record<string, ClientCall> = {
  "openai-chat": {
    path: "/v1/chat/completions",
    headers: { ...json, authorization: `Bearer ${testProxyKey}` },
    body: { model, messages: [{ role: "user", content: "hi" }] },
    messageOf: (body) => (body as { error: { message: string; type: string } }).error.message,
  },
  "openai-responses": {
    path: "/v1/responses",
    headers: { ...json, authorization: `Bearer ${testProxyKey}` },
    body: { model, input: "hi" },
    messageOf: (body) => (body as { error: { message: string } }).error.message,
  },
  "anthropic-messages": {
    path: "/v1/messages",
    headers: { ...json, "x-api-key": testProxyKey, "anthropic-version": "2023-06-01" },
    body: { model, max_tokens: 64, messages: [{ role: "user", content: "hi" }] },
    messageOf: (body) => {
      const typed = body as { type: string; error: { type: string; message: string } };
      expect(typed.type).toBe("error");
      return typed.error.message;
    },
  },
  gemini: {
    path: `/v1beta/models/${encodeURIComponent(model)}:generateContent`,
    headers: { ...json, "x-goog-api-key": testProxyKey },
    body: { contents: [{ role: "user", parts: [{ text: "hi" }] }] },
    messageOf: (body) => {
      const typed = body as { error: { code: number; message: string; status: string } };
      expect(typed.error.code).toBe(429);
      return typed.error.message;
    },
  },
};

describe("the final error in the client's protocol", () => {
  it.each(Object.keys(calls))("%s: lists each attempt and separates the 401 key from the rate-limited ones", async (protocol) => {
    const call = calls[protocol];
    if (call === undefined) throw new Error(`no call for ${protocol}`);
    gateway = await startTestGateway({
      env: {
        ANTHROPIC_API_KEY: undefined,
        GEMINI_API_KEY: undefined,
        RESPONSESMOCK_API_KEY: undefined,
        RESPONSESMOCK_API_BASE: undefined,
        OPENAI_API_KEY: keyA,
        OPENAI_API_KEY_1: keyB,
        OPENAI_API_KEY_2: keyC,
        SWITCHYARD_ROTATION: "sequential",
        SWITCHYARD_REQUEST_TIMEOUT_MS: "20000",
      },
    });
    gateway.mock.script(matching({ apiKey: keyA }, errorReply(401, { message: "invalid api key" })));
    gateway.mock.script(matching({ apiKey: keyB }, rateLimitReply({ seconds: 3600 })));
    gateway.mock.script(matching({ apiKey: keyC }, rateLimitReply({ seconds: 3600 })));

    const response = await fetch(`${gateway.baseUrl}${call.path}`, { method: "POST", headers: call.headers, body: JSON.stringify(call.body) });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(3590);
    const message = call.messageOf(await response.json());
    expect(message).toContain(`credential problems (upstream 401/403, now disabled): ${model} (${idOf(keyA)}) authentication 401;`);
    expect(message).toContain(`capacity problems (rate limit or quota, cooling down): ${model} (${idOf(keyB)}) rate_limited 429, ${model} (${idOf(keyC)}) rate_limited 429;`);
    for (const key of keys) expect(message).not.toContain(key);
  });
});
