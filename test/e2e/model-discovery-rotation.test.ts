import { afterEach, describe, expect, it } from "vitest";
import type { CredentialStatusView } from "../../src/pipeline/index.js";
import { createCredential } from "../../src/providers/index.js";
import { errorReply, matching, rateLimitReply } from "../support/mock-upstream.js";
import { startTestGateway, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

// Model discovery (`GET /v1/models` → each provider's list endpoint) goes through the credential pools and the one
// error table like any request: a rejected key is disabled and the list comes through the next key.

const keyA = "sk-discovery-key-aaaaaaa";
const keyB = "sk-discovery-key-bbbbbbb";
const idOf = (key: string): string => createCredential("openai", key).id;
// Not in the static list: seeing it proves the list was discovered, not the fallback.
const discovered = "gpt-discovered-only";

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

async function start(): Promise<TestGateway> {
  gateway = await startTestGateway({
    env: {
      ANTHROPIC_API_KEY: undefined,
      GEMINI_API_KEY: undefined,
      RESPONSESMOCK_API_KEY: undefined,
      RESPONSESMOCK_API_BASE: undefined,
      OPENAI_API_KEY: keyA,
      OPENAI_API_KEY_1: keyB,
      SWITCHYARD_ROTATION: "sequential",
    },
    mock: { models: { openai: [discovered] } },
  });
  return gateway;
}

async function listModels(target: TestGateway): Promise<string[]> {
  const response = await fetch(`${target.baseUrl}/v1/models`, { headers: { authorization: `Bearer ${testProxyKey}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: Array<{ id: string }> }).data.map((model) => model.id);
}

async function statusOf(target: TestGateway, key: string): Promise<CredentialStatusView | undefined> {
  const response = await fetch(`${target.baseUrl}/v1/status`, { headers: { authorization: `Bearer ${testProxyKey}` } });
  const body = (await response.json()) as { providers: Array<{ provider: string; credentials: CredentialStatusView[] }> };
  return body.providers.find((provider) => provider.provider === "openai")?.credentials.find((credential) => credential.id === idOf(key));
}

const listCalls = (target: TestGateway): Array<string | undefined> => target.mock.received.filter((request) => request.route.operation === "list-models").map((request) => request.apiKey);

describe("model discovery through the credential pools", () => {
  it("a 401 on the first key: the list still comes through the second, and status shows the first disabled and why", async () => {
    const target = await start();
    target.mock.script(matching({ operation: "list-models", apiKey: keyA }, errorReply(401, { message: "invalid api key" })));
    expect(await listModels(target)).toContain(`openai/${discovered}`);
    expect(listCalls(target)).toEqual([keyA, keyB]);
    const status = await statusOf(target, keyA);
    expect([status?.state, status?.reason]).toEqual(["disabled", "authentication (upstream 401/403): disabled until reset"]);
    expect(status?.recentErrors).toMatchObject([{ code: "authentication", status: 401 }]);
    expect((await statusOf(target, keyB))?.state).toBe("ready");
    // Disabled for everything: the next completion goes to the second key at once.
    const chat = await fetch(`${target.baseUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${testProxyKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "openai/gpt-mock-large", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(chat.status).toBe(200);
    expect(target.mock.generateRequests().map((request) => request.apiKey)).toEqual([keyB]);
  });

  it("a 429 on the first key cools it for the list call only, and the list comes through the second", async () => {
    const target = await start();
    target.mock.script(matching({ operation: "list-models", apiKey: keyA }, rateLimitReply({ seconds: 600 })));
    expect(await listModels(target)).toContain(`openai/${discovered}`);
    expect(listCalls(target)).toEqual([keyA, keyB]);
    const status = await statusOf(target, keyA);
    expect(status?.recentErrors).toMatchObject([{ code: "rate_limited", status: 429 }]);
    // Scoped to the list call: no completion model is cooling on the first key.
    expect(status?.reason).toBe("rate_limited for (model list)");
    expect(status?.cooldowns).toMatchObject([{ scope: "credential-model", model: "(model list)", code: "rate_limited" }]);
    // Within the discovery TTL the list is served from the cache: no new list call.
    expect(await listModels(target)).toContain(`openai/${discovered}`);
    expect(listCalls(target)).toHaveLength(2);
  });
});
