import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ProtocolId } from "../../src/unified/index.js";
import { clientProtocols, clientRoutes, expectProtocolError, postRaw, type ErrorKind } from "../support/client-protocol-routes.js";
import { errorReply } from "../support/mock-upstream.js";
import { mockTargets, startTestGateway, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

const bodyLimitBytes = 8_192;
const jsonDepthLimit = 32;

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway({ env: { SWITCHYARD_BODY_LIMIT_BYTES: String(bodyLimitBytes), SWITCHYARD_JSON_DEPTH_LIMIT: String(jsonDepthLimit) } });
});
afterAll(async () => {
  await gateway.close();
});
beforeEach(() => {
  gateway.reset();
});

/** The error kind each protocol names for a status (OpenAI: `type` and `code`, as OpenAI itself answers). */
const errorKinds: Record<number, ErrorKind> = {
  400: { openai: ["invalid_request_error", null], anthropic: "invalid_request_error", gemini: "INVALID_ARGUMENT" },
  401: { openai: ["invalid_request_error", "invalid_api_key"], anthropic: "authentication_error", gemini: "UNAUTHENTICATED" },
  404: { openai: ["invalid_request_error", "model_not_found"], anthropic: "not_found_error", gemini: "NOT_FOUND" },
  413: { openai: ["invalid_request_error", null], anthropic: "request_too_large", gemini: "INVALID_ARGUMENT" },
};

function expectError(protocol: ProtocolId, status: number, response: { status: number; body: unknown }): string {
  return expectProtocolError(protocol, status, errorKinds[status] as ErrorKind, response);
}

const post = (protocol: ProtocolId, model: string, body: string, headers?: Record<string, string>) =>
  postRaw(gateway.baseUrl, protocol, model, body, headers);

/** A good request on the same route still succeeds: the bad one broke nothing. */
async function expectStillServing(protocol: ProtocolId): Promise<void> {
  const model = mockTargets[protocol].model;
  const response = await post(protocol, model, JSON.stringify(clientRoutes[protocol].body(model, false)));
  expect(response.status).toBe(200);
}

describe.each(clientProtocols)("bad input on the %s route", (protocol) => {
  const route = clientRoutes[protocol];
  const model = mockTargets[protocol].model;

  it("malformed JSON → 400 saying so", async () => {
    const message = expectError(protocol, 400, await post(protocol, model, '{"model": "x", "messages": ['));
    expect(message).toMatch(/^body is not valid JSON/);
    await expectStillServing(protocol);
  });

  it("wrong types → 400 naming the field, before any upstream call (translated path)", async () => {
    // Across protocols the client's body is decoded, which validates it.
    const crossModel = mockTargets[protocol === "openai-chat" ? "anthropic-messages" : "openai-chat"].model;
    const { body, field } = route.wrongTypes(crossModel);
    const message = expectError(protocol, 400, await post(protocol, crossModel, JSON.stringify(body)));
    expect(message).toContain(field);
    expect(gateway.mock.received).toEqual([]);
    await expectStillServing(protocol);
  });

  it("wrong types on the passthrough path → the provider's 400, in the client's shape", async () => {
    // Passthrough forwards the body untouched (DESIGN.md): the provider validates it, and its 400 comes back.
    gateway.mock.script(errorReply(400, { message: "messages: Input should be a valid list" }));
    const { body } = route.wrongTypes(model);
    const message = expectError(protocol, 400, await post(protocol, model, JSON.stringify(body)));
    expect(message).toBe(`${mockTargets[protocol].provider}: messages: Input should be a valid list`);
    await expectStillServing(protocol);
  });

  it("unknown model → 404 naming what was tried", async () => {
    const message = expectError(protocol, 404, await post(protocol, "no-such-model", JSON.stringify(route.body("no-such-model", false))));
    expect(message).toContain('"no-such-model"');
    await expectStillServing(protocol);
  });

  it("unknown provider prefix → 404 naming the provider", async () => {
    const message = expectError(protocol, 404, await post(protocol, "nosuch/model-x", JSON.stringify(route.body("nosuch/model-x", false))));
    expect(message).toContain("nosuch");
    await expectStillServing(protocol);
  });

  it.each([
    ["missing", {}],
    ["wrong", route.keyHeader("sk-wrong-key")],
  ] as const)("%s proxy key → 401", async (_case, headers) => {
    const message = expectError(protocol, 401, await post(protocol, model, JSON.stringify(route.body(model, false)), headers));
    expect(message).toBe("missing or invalid proxy key");
    expect(gateway.mock.received).toEqual([]);
    await expectStillServing(protocol);
  });

  it("oversized body → 413", async () => {
    const body = { ...route.body(model, false), padding: "x".repeat(bodyLimitBytes) };
    const message = expectError(protocol, 413, await post(protocol, model, JSON.stringify(body)));
    expect(message).toContain("larger than the configured limit");
    await expectStillServing(protocol);
  });

  it("too deeply nested JSON → 400", async () => {
    const deep = `${"[".repeat(jsonDepthLimit + 1)}${"]".repeat(jsonDepthLimit + 1)}`;
    const text = JSON.stringify(route.body(model, false)).replace(/}$/, `,"deep":${deep}}`);
    const message = expectError(protocol, 400, await post(protocol, model, text));
    expect(message).toBe(`JSON nesting deeper than ${jsonDepthLimit} levels`);
    await expectStillServing(protocol);
  });

  it("empty body → 400", async () => {
    const message = expectError(protocol, 400, await post(protocol, model, ""));
    expect(message).toBe("request body is required");
    await expectStillServing(protocol);
  });
});

describe("the SDKs surface gateway errors as their own error types", () => {
  it("openai: 401 AuthenticationError, 404 NotFoundError", async () => {
    const bad = new OpenAI({ baseURL: `${gateway.baseUrl}/v1`, apiKey: "sk-wrong", maxRetries: 0 });
    await expect(bad.chat.completions.create({ model: mockTargets["openai-chat"].model, messages: [{ role: "user", content: "hi" }] })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const good = new OpenAI({ baseURL: `${gateway.baseUrl}/v1`, apiKey: testProxyKey, maxRetries: 0 });
    const error: unknown = await good.responses.create({ model: "nosuch/model-x", input: "hi" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).status).toBe(404);
  });

  it("anthropic: 401 AuthenticationError, 400 BadRequestError with the field", async () => {
    const bad = new Anthropic({ baseURL: gateway.baseUrl, apiKey: "sk-wrong", maxRetries: 0 });
    const params = { model: mockTargets["anthropic-messages"].model, max_tokens: 16, messages: [{ role: "user" as const, content: "hi" }] };
    await expect(bad.messages.create(params)).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    const good = new Anthropic({ baseURL: gateway.baseUrl, apiKey: testProxyKey, maxRetries: 0 });
    const translated = { ...params, model: mockTargets["openai-chat"].model, messages: "hi" as unknown as typeof params.messages };
    const error: unknown = await good.messages.create(translated).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
  });

  it("genai: ApiError with the status", async () => {
    const bad = new GoogleGenAI({ apiKey: "sk-wrong", httpOptions: { baseUrl: gateway.baseUrl } });
    await expect(bad.models.generateContent({ model: mockTargets.gemini.model, contents: "hi" })).rejects.toMatchObject({ status: 401 });
    const good = new GoogleGenAI({ apiKey: testProxyKey, httpOptions: { baseUrl: gateway.baseUrl } });
    await expect(good.models.generateContent({ model: "nosuch/model-x", contents: "hi" })).rejects.toMatchObject({ status: 404 });
  });
});
