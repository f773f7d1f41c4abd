import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createCredential } from "../../src/providers/index.js";
import { rateLimitReply } from "../support/mock-upstream.js";
import { startTestGateway, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

// Every operation goes through the same classification table and rotation: a 429 on the first key is served by the
// second and cools the first, whether the client counts tokens, embeds, or talks Responses over HTTP or WebSocket.

const keyA = "sk-paths-key-aaaaaaaa";
const keyB = "sk-paths-key-bbbbbbbb";

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

async function start(): Promise<TestGateway> {
  gateway = await startTestGateway({
    env: {
      GEMINI_API_KEY: undefined,
      RESPONSESMOCK_API_KEY: undefined,
      RESPONSESMOCK_API_BASE: undefined,
      OPENAI_API_KEY: keyA,
      OPENAI_API_KEY_1: keyB,
      ANTHROPIC_API_KEY: keyA,
      ANTHROPIC_API_KEY_1: keyB,
      SWITCHYARD_ROTATION: "sequential",
    },
    // The first key is rate limited for a minute on every route; the second answers normally.
    mock: { fallback: (request) => (request.apiKey === keyA ? rateLimitReply({ seconds: 60 }) : undefined) },
  });
  return gateway;
}

/** Which keys reached the mock for `operation`, in order. */
const keysFor = (target: TestGateway, operation: string): Array<string | undefined> =>
  target.mock.received.filter((request) => request.route.operation === operation).map((request) => request.apiKey);

async function expectCooling(target: TestGateway, provider: string): Promise<void> {
  const status = (await target.engine.credentials?.status())?.find((entry) => entry.provider === provider)?.credentials ?? [];
  expect(status.map((entry) => [entry.id, entry.state, entry.reason?.startsWith("rate_limited") === true])).toEqual([
    [createCredential(provider, keyA).id, "cooling", true],
    [createCredential(provider, keyB).id, "ready", false],
  ]);
}

const post = (target: TestGateway, path: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${testProxyKey}` }) =>
  fetch(`${target.baseUrl}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

describe("a 429 on the first key is rotated on every path", () => {
  it("count_tokens (forwarded to the provider's count endpoint)", async () => {
    const target = await start();
    const response = await post(target, "/v1/messages/count_tokens", { model: "anthropic/claude-mock-sonnet", messages: [{ role: "user", content: "hi" }] }, { "x-api-key": testProxyKey, "anthropic-version": "2023-06-01" });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { input_tokens: number }).input_tokens).toBeGreaterThan(0);
    expect(keysFor(target, "count-tokens")).toEqual([keyA, keyB]);
    await expectCooling(target, "anthropic");
  });

  it("embeddings", async () => {
    const target = await start();
    const response = await post(target, "/v1/embeddings", { model: "openai/text-embedding-mock", input: "hi" });
    expect(response.status).toBe(200);
    expect(keysFor(target, "embeddings")).toEqual([keyA, keyB]);
    await expectCooling(target, "openai");
  });

  it("Responses over HTTP, streamed (before its first byte)", async () => {
    const target = await start();
    const response = await post(target, "/v1/responses", { model: "openai/gpt-mock-large", input: "hi", stream: true });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("response.completed");
    expect(keysFor(target, "generate")).toEqual([keyA, keyB]);
    await expectCooling(target, "openai");
  });

  it("Responses over WebSocket", async () => {
    const target = await start();
    const socket = new WebSocket(`${target.baseUrl.replace("http", "ws")}/v1/responses`, { headers: { authorization: `Bearer ${testProxyKey}` } });
    const events: Array<{ type: string }> = [];
    const done = new Promise<void>((resolve, reject) => {
      socket.on("message", (data: Buffer) => {
        const event = JSON.parse(data.toString("utf8")) as { type: string };
        events.push(event);
        if (["response.completed", "response.failed", "error"].includes(event.type)) resolve();
      });
      socket.once("error", reject);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    socket.send(JSON.stringify({ type: "response.create", model: "openai/gpt-mock-large", input: "hi" }));
    await done;
    socket.close();
    expect(events.at(-1)?.type).toBe("response.completed");
    expect(keysFor(target, "generate")).toEqual([keyA, keyB]);
    await expectCooling(target, "openai");
  });
});
