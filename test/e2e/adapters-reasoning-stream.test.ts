import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sseReply } from "../support/mock-upstream.js";
import { mockTargets, startTestGateway, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A gateway whose OpenAI-protocol provider has reasoning-normalize configured (target from options). */
async function startGateway(options: Record<string, unknown> = {}): Promise<TestGateway> {
  const directory = await mkdtemp(join(tmpdir(), "switchyard-reasoning-"));
  const configFile = join(directory, "switchyard.json");
  await writeFile(configFile, JSON.stringify({ adapters: { providers: { openai: [{ name: "reasoning-normalize", options }] } } }));
  const gateway = await startTestGateway({ env: { SWITCHYARD_CONFIG: configFile, SWITCHYARD_MAX_RETRIES: "0" } });
  cleanups.push(async () => {
    await gateway.close();
    await rm(directory, { recursive: true, force: true });
  });
  return gateway;
}

/** An OpenRouter-style Chat stream: reasoning under `reasoning`, then the answer. */
const openRouterStyleStream = sseReply([
  { data: { id: "gen-1", object: "chat.completion.chunk", created: 1, model: "gpt-mock-large", choices: [{ index: 0, delta: { role: "assistant", content: "", reasoning: "Let me think." }, finish_reason: null }] } },
  { data: { id: "gen-1", object: "chat.completion.chunk", created: 1, model: "gpt-mock-large", choices: [{ index: 0, delta: { content: "Forty-two." }, finish_reason: null }] } },
  { data: { id: "gen-1", object: "chat.completion.chunk", created: 1, model: "gpt-mock-large", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] } },
  "data: [DONE]\n\n",
]);

async function streamChat(gateway: TestGateway): Promise<Array<Record<string, unknown>>> {
  const response = await fetch(`${gateway.baseUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${testProxyKey}`, "content-type": "application/json" },
    body: JSON.stringify({ model: mockTargets["openai-chat"].model, stream: true, messages: [{ role: "user", content: "?" }] }),
  });
  expect(response.status).toBe(200);
  const text = await response.text();
  expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
  return text
    .split("\n\n")
    .filter((frame) => frame.startsWith("data: {"))
    .map((frame) => JSON.parse(frame.slice(6)) as Record<string, unknown>);
}

describe("reasoning-normalize on a passthrough stream (Chat client → Chat provider)", () => {
  it("renames the provider's reasoning field to reasoning_content in the client's stream", async () => {
    const gateway = await startGateway();
    gateway.mock.script(openRouterStyleStream);
    const chunks = await streamChat(gateway);
    const deltas = chunks.map((chunk) => (chunk["choices"] as Array<{ delta: Record<string, unknown> }>)[0]?.delta);
    expect(deltas[0]).toEqual({ role: "assistant", content: "", reasoning_content: "Let me think." });
    expect(deltas[1]).toEqual({ content: "Forty-two." });
    // Everything else is the provider's chunk as it was.
    expect(chunks[0]).toMatchObject({ id: "gen-1", object: "chat.completion.chunk", model: "gpt-mock-large" });
  });

  it("renames to the configured target", async () => {
    const gateway = await startGateway({ target: "thinking" });
    gateway.mock.script(openRouterStyleStream);
    const chunks = await streamChat(gateway);
    expect((chunks[0]?.["choices"] as Array<{ delta: Record<string, unknown> }>)[0]?.delta).toEqual({ role: "assistant", content: "", thinking: "Let me think." });
  });
});
