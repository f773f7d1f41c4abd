import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Gateway, GatewayCall } from "../pipeline/index.js";
import { buildServer } from "./build-server.js";

// The body parser keeps the text as received and parses it as JSON whatever the content type says (clients and SDKs
// send `application/json` with and without parameters, `text/plain`, or nothing): the same parser answers all of them.

const calls: GatewayCall[] = [];
const gateway: Gateway = {
  handle: (call) => {
    calls.push(call);
    return Promise.resolve({ kind: "json", status: 200, headers: { "content-type": "application/json" }, body: { ok: true } });
  },
  listModels: () => Promise.resolve([]),
  health: () => Promise.resolve({ status: "ok" }),
  close: () => Promise.resolve(),
};
let app: ReturnType<typeof buildServer>;

beforeAll(() => {
  app = buildServer({ gateway, jsonDepthLimit: 4 });
});
afterAll(async () => {
  await app.close();
});
beforeEach(() => {
  calls.length = 0;
});

const text = '{ "model": "openai/gpt-4o-mini",  "messages": [] }';

describe("the request body", () => {
  it.each([["application/json"], ["application/json; charset=utf-8"], ["Application/JSON"], ["text/plain"], ["application/x-www-form-urlencoded"]])(
    "is kept as text and parsed as JSON under content type %s",
    async (contentType) => {
      for (let round = 0; round < 2; round++) {
        const response = await app.inject({ method: "POST", url: "/v1/chat/completions", headers: { "content-type": contentType }, payload: text });
        expect(response.statusCode).toBe(200);
      }
      expect(calls).toHaveLength(2);
      for (const call of calls) {
        expect(call.rawBody).toBe(text);
        expect(call.body).toEqual({ model: "openai/gpt-4o-mini", messages: [] });
        expect(call).toMatchObject({ protocol: "openai-chat", operation: "generate" });
      }
    },
  );

  it.each([["application/json"], ["text/plain"]])("answers invalid JSON under %s with the route's protocol error", async (contentType) => {
    const response = await app.inject({ method: "POST", url: "/v1/messages", headers: { "content-type": contentType }, payload: "{ nope" });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    expect(response.json<{ error: { message: string } }>().error.message).toMatch(/^body is not valid JSON/);
    expect(calls).toHaveLength(0);
  });

  it.each([["application/json"], ["text/plain"]])("refuses nesting deeper than the limit under %s", async (contentType) => {
    const response = await app.inject({ method: "POST", url: "/v1/chat/completions", headers: { "content-type": contentType }, payload: '{"a":{"b":{"c":{"d":{"e":1}}}}}' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain("JSON nesting deeper than 4 levels");
  });

  it.each([["application/json"], ["text/plain"]])("answers an empty body under %s as a missing body", async (contentType) => {
    const response = await app.inject({ method: "POST", url: "/v1/chat/completions", headers: { "content-type": contentType }, payload: "" });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain("request body is required");
    expect(calls).toHaveLength(0);
  });
});
