import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createEngineFromConfig } from "../../src/library/index.js";
import { buildServer } from "../../src/server/index.js";
import { startMockUpstream, textReply, type MockUpstream } from "../support/mock-upstream.js";
import { mockProviderEnvironment, mockTargets, testConfigDirectory, testProxyKey } from "../support/start-test-gateway.js";

// Each built-in adapter configured the way a user would: an `adapters` section in switchyard.json, a real gateway
// (config → engine → server), the mock upstream behind it; what the provider receives is the golden "after".

interface ConfiguredGateway {
  app: FastifyInstance;
  mock: MockUpstream;
  /** Every log line the gateway wrote (pino JSON). */
  logs: string[];
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function startConfiguredGateway(adapters: unknown, extraEnv: Record<string, string> = {}): Promise<ConfiguredGateway & { dataDir: string }> {
  const mock = await startMockUpstream();
  const directory = await mkdtemp(join(tmpdir(), "switchyard-builtins-"));
  const configFile = join(directory, "switchyard.json");
  await writeFile(configFile, JSON.stringify({ adapters }));
  const logs: string[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => void logs.push(line) });
  const env = { ...mockProviderEnvironment(mock.baseUrl), SWITCHYARD_PROXY_KEYS: testProxyKey, SWITCHYARD_CONFIG: configFile, SWITCHYARD_MAX_RETRIES: "0", SWITCHYARD_HEARTBEAT_MS: "0", SWITCHYARD_DATA_DIR: directory, ...extraEnv };
  const config = loadConfig({ env, cwd: testConfigDirectory, dotenv: false });
  const engine = createEngineFromConfig(config, logger);
  const app = buildServer({ gateway: engine, proxyKeys: config.proxyKeys.map((key) => key.secret), bodyLimitBytes: config.limits.bodyBytes, jsonDepthLimit: config.limits.jsonDepth, logger });
  cleanups.push(async () => {
    await app.close();
    await mock.close();
    await rm(directory, { recursive: true, force: true });
  });
  return { app, mock, logs, dataDir: directory };
}

async function postChat(gateway: ConfiguredGateway, body: Record<string, unknown>): Promise<{ status: number; body: string; contentType: string }> {
  const response = await gateway.app.inject({ method: "POST", url: "/v1/chat/completions", headers: { authorization: `Bearer ${testProxyKey}`, "content-type": "application/json" }, payload: body });
  return { status: response.statusCode, body: response.body, contentType: String(response.headers["content-type"] ?? "") };
}

async function postMessages(gateway: ConfiguredGateway, body: Record<string, unknown>): Promise<{ status: number; body: string }> {
  const response = await gateway.app.inject({
    method: "POST",
    url: "/v1/messages",
    headers: { "x-api-key": testProxyKey, "content-type": "application/json", "anthropic-version": "2023-06-01" },
    payload: body,
  });
  return { status: response.statusCode, body: response.body };
}

function lastUpstream(gateway: ConfiguredGateway): { json: unknown; stream: boolean } {
  const request = gateway.mock.generateRequests().at(-1);
  return { json: request?.json, stream: request?.route.stream ?? false };
}

/** The `translation.warning` log lines of one code, as `path: message` (a JSON answer's lines follow it by one check phase). */
async function loggedWarnings(gateway: ConfiguredGateway, code: string): Promise<string[]> {
  await new Promise((resolve) => setImmediate(resolve));
  return gateway.logs
    .map((line) => JSON.parse(line) as { event?: string; code?: string; path?: string; message?: string })
    .filter((line) => line.event === "translation.warning" && line.code === code)
    .map((line) => `${line.path ?? ""}: ${line.message ?? ""}`);
}

describe("built-in adapters configured in switchyard.json (OpenAI Chat target)", () => {
  it("runs a provider chain in file order with param-policy's allow list last, and logs every dropped field", async () => {
    const gateway = await startConfiguredGateway({
      providers: {
        openai: [
          { name: "suppress-developer-role", options: { to: "user" } },
          "json-mode",
          "system-to-user",
          { name: "reasoning-normalize", options: { effort: "budget" } },
          { name: "cache-control", options: { mode: "strip" } },
          // Written before field-rename, but it runs last: it drops the field field-rename creates.
          { name: "param-policy", options: { allow: ["model", "messages", "reasoning", "stream"] } },
          {
            name: "field-rename",
            options: {
              renames: [
                { from: "metadata.speaker", to: "messages[-1].name", mode: "copy" },
                { from: "max_tokens", to: "max_completion_tokens" },
              ],
            },
          },
        ],
      },
    });
    gateway.mock.script(textReply("{}"));
    const sent = await postChat(gateway, {
      model: mockTargets["openai-chat"].model,
      temperature: 0.3,
      max_tokens: 64,
      metadata: { speaker: "alice" },
      reasoning_effort: "low",
      response_format: { type: "json_object" },
      messages: [
        { role: "system", content: "You are terse." },
        { role: "developer", content: "Answer in JSON." },
        { role: "assistant", content: "earlier", reasoning: "I thought." },
        { role: "user", content: [{ type: "text", text: "hi", cache_control: { type: "ephemeral" } }] },
      ],
    });
    expect(sent.status).toBe(200);
    expect(lastUpstream(gateway).json).toEqual({
      model: mockTargets["openai-chat"].upstreamModel,
      messages: [
        // developer → user; json_object → an instruction on the system prompt; the system prompt → the next user turn.
        { role: "user", content: "You are terse.\n\nRespond with one valid JSON object and nothing else: no prose before or after it, no code fences.\n\nAnswer in JSON." },
        { role: "assistant", content: "earlier", reasoning_content: "I thought." },
        { role: "user", content: [{ type: "text", text: "hi" }], name: "alice" },
      ],
      reasoning: { max_tokens: 2048 },
    });
    expect((await loggedWarnings(gateway, "param-dropped")).sort()).toEqual([
      "max_completion_tokens: max_completion_tokens dropped: not in the target's allow list",
      "metadata: metadata dropped: not in the target's allow list",
      "temperature: temperature dropped: not in the target's allow list",
    ]);
    expect(await loggedWarnings(gateway, "reasoning-effort-mapped")).toHaveLength(1);
  });

  it("serves a streaming client of the models a rule names with a non-streaming upstream call (stream-via-nonstream)", async () => {
    const gateway = await startConfiguredGateway({ models: [{ match: "openai/gpt-mock-large", adapters: ["stream-via-nonstream"] }] }, { SWITCHYARD_TRACE: "1" });
    gateway.mock.script(textReply("whole answer"), textReply("streamed answer"));
    const flagged = await postChat(gateway, { model: mockTargets["openai-chat"].model, stream: true, messages: [{ role: "user", content: "hi" }] });
    expect(flagged.status).toBe(200);
    expect(flagged.contentType).toMatch(/^text\/event-stream/);
    expect(lastUpstream(gateway).stream).toBe(false);
    const deltas = flagged.body
      .split("\n\n")
      .filter((message) => message.startsWith("data: {"))
      .map((message) => (JSON.parse(message.slice(6)) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? "");
    expect(deltas.join("")).toBe("whole answer");
    expect(flagged.body.trimEnd().endsWith("data: [DONE]")).toBe(true);

    // Another model of the same provider still streams.
    const other = await postChat(gateway, { model: "openai/gpt-mock-other", stream: true, messages: [{ role: "user", content: "hi" }] });
    expect(other.status).toBe(200);
    expect(lastUpstream(gateway).stream).toBe(true);

    // The trace of the flagged request says which adapter turned streaming off.
    await gateway.app.close();
    const traces = (await readdir(join(gateway.dataDir, "traces"))).sort();
    const passes = (await readFile(join(gateway.dataDir, "traces", traces[0] ?? ""), "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { kind: string; adapter?: string; changed?: boolean })
      .filter((line) => line.kind === "adapter-pass");
    expect(passes).toMatchObject([{ adapter: "stream-via-nonstream", changed: true }]);
  });
});

describe("cache-control configured in switchyard.json (Anthropic target)", () => {
  it("adds ephemeral breakpoints with the configured TTL up to 4 in all, keeping the client's own and its TTL", async () => {
    const gateway = await startConfiguredGateway({ providers: { anthropic: [{ name: "cache-control", options: { ttl: "1h" } }] } });
    gateway.mock.script(textReply("ok"));
    const target = mockTargets["anthropic-messages"];
    const sent = await postMessages(gateway, {
      model: target.model,
      max_tokens: 16,
      system: "You are terse.",
      messages: [
        { role: "user", content: [{ type: "text", text: "one", cache_control: { type: "ephemeral", ttl: "5m" } }] },
        { role: "assistant", content: "a1" },
        { role: "user", content: "two" },
        { role: "assistant", content: "a2" },
        { role: "user", content: "three" },
      ],
    });
    expect(sent.status).toBe(200);
    const hour = { type: "ephemeral", ttl: "1h" };
    expect(lastUpstream(gateway).json).toEqual({
      model: target.upstreamModel,
      max_tokens: 16,
      system: [{ type: "text", text: "You are terse.", cache_control: hour }],
      messages: [
        { role: "user", content: [{ type: "text", text: "one", cache_control: { type: "ephemeral", ttl: "5m" } }] },
        { role: "assistant", content: "a1" },
        { role: "user", content: [{ type: "text", text: "two", cache_control: hour }] },
        { role: "assistant", content: "a2" },
        { role: "user", content: [{ type: "text", text: "three", cache_control: hour }] },
      ],
    });
  });
  it("turns an OpenAI client's json_object into an instruction for Anthropic targets by default (declared json-mode)", async () => {
    const gateway = await startConfiguredGateway({});
    gateway.mock.script(textReply('{"ok":true}'));
    const sent = await postChat(gateway, {
      model: mockTargets["anthropic-messages"].model,
      response_format: { type: "json_object" },
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: "status?" },
      ],
    });
    expect(sent.status).toBe(200);
    const received = lastUpstream(gateway).json as { system?: unknown; response_format?: unknown };
    expect(received.response_format).toBeUndefined();
    expect(JSON.stringify(received.system)).toContain("Respond with one valid JSON object and nothing else");
    expect(await loggedWarnings(gateway, "json-mode-emulated")).toHaveLength(1);
  });
});
