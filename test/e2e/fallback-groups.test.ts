import { mkdtempSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createEngineFromConfig } from "../../src/library/index.js";
import { buildServer } from "../../src/server/index.js";
import { answerReply, errorReply, matching, rateLimitReply, startMockUpstream, textReply, type MockUpstream } from "../support/mock-upstream.js";
import { mockProviderEnvironment, testConfigDirectory, testProxyKey } from "../support/start-test-gateway.js";

/** openai first, anthropic second: the client speaks OpenAI Chat, so the second target is always a translation. */
const coding = "coding=openai/gpt-mock-large|anthropic/claude-mock-sonnet";
const first = { model: "gpt-mock-large" };
const second = { model: "claude-mock-sonnet" };

interface FallbackGateway {
  baseUrl: string;
  mock: MockUpstream;
  /** Every `request.completed` log line. */
  completed: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

let running: FallbackGateway | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

/** Mock upstream + real config, engine (with a captured logger) and server, on loopback. */
async function start(env: Record<string, string>): Promise<FallbackGateway> {
  const mock = await startMockUpstream();
  const { RESPONSESMOCK_API_KEY: _key, RESPONSESMOCK_API_BASE: _base, RESPONSESMOCK_PROTOCOL: _protocol, ...providers } = mockProviderEnvironment(mock.baseUrl);
  const config = loadConfig({
    env: { ...providers, SWITCHYARD_PROXY_KEYS: testProxyKey, SWITCHYARD_MAX_RETRIES: "0", ...env },
    cwd: testConfigDirectory,
    dotenv: false,
  });
  const completed: Array<Record<string, unknown>> = [];
  const logger = pino({ level: "info" }, {
    write(line: string) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry["event"] === "request.completed") completed.push(entry);
    },
  });
  const engine = createEngineFromConfig(config, logger);
  const app = buildServer({ gateway: engine, proxyKeys: config.proxyKeys.map((key) => key.secret), bodyLimitBytes: config.limits.bodyBytes, jsonDepthLimit: config.limits.jsonDepth, logger: false });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as AddressInfo;
  running = {
    baseUrl: `http://127.0.0.1:${port}`,
    mock,
    completed,
    async close() {
      app.server.closeAllConnections();
      await app.close();
      await mock.close();
    },
  };
  return running;
}

function chat(gateway: FallbackGateway, model: string, stream = false): Promise<Response> {
  return fetch(`${gateway.baseUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${testProxyKey}`, "content-type": "application/json" },
    body: JSON.stringify({ model, stream, messages: [{ role: "user", content: "hi" }] }),
  });
}

async function answerOf(response: Response): Promise<string | undefined> {
  const body = (await response.json()) as { choices?: Array<{ message: { content: string } }> };
  return body.choices?.[0]?.message.content;
}

const modelsAsked = (gateway: FallbackGateway): Array<string | undefined> => gateway.mock.generateRequests().map((request) => request.route.model);

/** Waits for the log line: a stream writes it when it ends, a non-streamed request in the check phase after its answer. */
async function lastCompleted(gateway: FallbackGateway): Promise<Record<string, unknown> | undefined> {
  for (let tries = 0; tries < 50 && gateway.completed.length === 0; tries++) await new Promise((resolve) => setTimeout(resolve, 10));
  return gateway.completed.at(-1);
}

describe("fallback groups against the mock upstream", () => {
  it("first target 503: the second serves, and the log names it and the failed attempt", async () => {
    const gateway = await start({ SWITCHYARD_FALLBACK_GROUPS: coding });
    gateway.mock.script(matching(first, errorReply(503, { message: "unavailable" })), matching(second, textReply("served by the second target")));
    const response = await chat(gateway, "group/coding");
    expect(response.status).toBe(200);
    expect(await answerOf(response)).toBe("served by the second target");
    expect(modelsAsked(gateway)).toEqual(["gpt-mock-large", "claude-mock-sonnet"]);
    const line = await lastCompleted(gateway);
    expect(line).toMatchObject({ model: "group/coding", group: "coding", provider: "anthropic", upstreamModel: "claude-mock-sonnet", upstreamProtocol: "anthropic-messages", status: 200, attempts: 2 });
    expect((line?.["failedAttempts"] as Array<Record<string, unknown>>).map(({ provider, model, code, status }) => ({ provider, model, code, status }))).toEqual([
      { provider: "openai", model: "gpt-mock-large", code: "overloaded", status: 503 },
    ]);
  });

  it("an alias to the group and a member request (promoted to first) use it too", async () => {
    const gateway = await start({ SWITCHYARD_FALLBACK_GROUPS: coding, SWITCHYARD_ALIASES: "claude-*=group/coding" });
    expect(await answerOf(await chat(gateway, "claude-anything"))).toBe("hello from openai-chat mock");
    gateway.mock.script(matching(second, errorReply(503)));
    expect(await answerOf(await chat(gateway, "anthropic/claude-mock-sonnet"))).toBe("hello from openai-chat mock");
    expect(modelsAsked(gateway)).toEqual(["gpt-mock-large", "claude-mock-sonnet", "gpt-mock-large"]);
  });

  it("first target 400: stops, no fallback", async () => {
    const gateway = await start({ SWITCHYARD_FALLBACK_GROUPS: coding });
    gateway.mock.script(matching(first, errorReply(400, { message: "bad field" })));
    const response = await chat(gateway, "group/coding");
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code?: string; type?: string } }).error).toBeDefined();
    expect(modelsAsked(gateway)).toEqual(["gpt-mock-large"]);
    expect(await lastCompleted(gateway)).toMatchObject({ group: "coding", provider: "openai", status: 400, error: "invalid_request" });
  });

  it("a group with stopOn rate_limited answers the 429; without it the 429 falls back", async () => {
    const directory = mkdtempSync(join(tmpdir(), "switchyard-groups-"));
    const path = join(directory, "switchyard.json");
    const targets = ["openai/gpt-mock-large", "anthropic/claude-mock-sonnet"];
    writeFileSync(path, JSON.stringify({ fallbackGroups: { strict: { targets, stopOn: ["rate_limited"] }, loose: { targets } } }));
    const gateway = await start({ SWITCHYARD_CONFIG: path });
    gateway.mock.script(matching(first, rateLimitReply({ seconds: 30 })));
    const response = await chat(gateway, "group/strict");
    expect(response.status).toBe(429);
    expect(modelsAsked(gateway)).toEqual(["gpt-mock-large"]);
    // The 429 cooled openai's only key for that model, so the loose group goes straight to the second target.
    const loose = await chat(gateway, "group/loose");
    expect(loose.status).toBe(200);
    expect(modelsAsked(gateway)).toEqual(["gpt-mock-large", "claude-mock-sonnet"]);
    expect(gateway.completed.at(-1)).toMatchObject({ group: "loose", provider: "anthropic", status: 200 });
  });

  it("failoverOn cannot override a hard stop: a group asking for it is refused at start, naming the field", () => {
    const path = join(mkdtempSync(join(tmpdir(), "switchyard-groups-")), "switchyard.json");
    const targets = ["openai/gpt-mock-large", "anthropic/claude-mock-sonnet"];
    writeFileSync(path, JSON.stringify({ fallbackGroups: { eager: { targets, failoverOn: ["overloaded", "content_filter"] } } }));
    const env = { ...mockProviderEnvironment("http://127.0.0.1:9"), SWITCHYARD_CONFIG: path };
    expect(() => loadConfig({ env, cwd: testConfigDirectory, dotenv: false })).toThrow(/fallbackGroups\.eager\.failoverOn\[1\]: is a hard stop: no group setting makes it fall back/);
  });

  it("usage is recorded for the target that served a stream, not for the one that failed", async () => {
    const gateway = await start({ SWITCHYARD_FALLBACK_GROUPS: coding });
    gateway.mock.script(matching(first, errorReply(503)), matching(second, answerReply({ text: "served", usage: { input: 31, output: 7 } })));
    const response = await chat(gateway, "group/coding", true);
    expect(response.status).toBe(200);
    await response.text();
    const line = await lastCompleted(gateway);
    expect(line).toMatchObject({ provider: "anthropic", upstreamModel: "claude-mock-sonnet", usage: { outputTokens: 7 } });
  });

  it("a stream whose first target fails before the first byte is served by the second", async () => {
    const gateway = await start({ SWITCHYARD_FALLBACK_GROUPS: coding });
    gateway.mock.script(matching(first, errorReply(503)), matching(second, textReply("streamed by the second target")));
    const response = await chat(gateway, "group/coding", true);
    expect(response.status).toBe(200);
    const content = (await response.text())
      .split("\n")
      .filter((line) => line.startsWith("data: {"))
      .map((line) => (JSON.parse(line.slice(6)) as { choices: Array<{ delta?: { content?: string } }> }).choices[0]?.delta?.content ?? "")
      .join("");
    expect(content).toBe("streamed by the second target");
    expect(modelsAsked(gateway)).toEqual(["gpt-mock-large", "claude-mock-sonnet"]);
    expect(await lastCompleted(gateway)).toMatchObject({ group: "coding", provider: "anthropic", stream: true, status: 200, attempts: 2 });
  });
});
