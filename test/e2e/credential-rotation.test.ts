import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createEngineFromConfig, openStateStoreFromConfig } from "../../src/library/index.js";
import type { CredentialStatusView } from "../../src/pipeline/index.js";
import { createCredential } from "../../src/providers/index.js";
import { defaultMockText, emptyReply, errorReply, matching, rateLimitReply, textReply, type RecordedRequest } from "../support/mock-upstream.js";
import { startTestGateway, testConfigDirectory, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

const keys = ["sk-rotation-key-aaaaaaaa", "sk-rotation-key-bbbbbbbb", "sk-rotation-key-cccccccc"] as const;
const [keyA, keyB, keyC] = keys;
const idOf = (key: string): string => createCredential("openai", key).id;
const model = "openai/gpt-mock-large";

/** Three OpenAI keys; `sequential` so the first key is deterministically tried first. */
function threeKeys(extra: Record<string, string> = {}): Record<string, string> {
  return { OPENAI_API_KEY: keyA, OPENAI_API_KEY_1: keyB, OPENAI_API_KEY_2: keyC, SWITCHYARD_ROTATION: "sequential", ...extra };
}

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

async function start(env: Record<string, string>, fallback?: (request: RecordedRequest) => ReturnType<typeof textReply> | undefined): Promise<TestGateway> {
  gateway = await startTestGateway({ env: { ANTHROPIC_API_KEY: undefined, GEMINI_API_KEY: undefined, RESPONSESMOCK_API_KEY: undefined, RESPONSESMOCK_API_BASE: undefined, ...threeKeys(env) }, ...(fallback === undefined ? {} : { mock: { fallback } }) });
  return gateway;
}

function chat(target: TestGateway, stream = false): Promise<Response> {
  return fetch(`${target.baseUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${testProxyKey}`, "content-type": "application/json" },
    body: JSON.stringify({ model, stream, messages: [{ role: "user", content: "hi" }] }),
  });
}

async function statusOf(target: TestGateway, key: string): Promise<CredentialStatusView | undefined> {
  const response = await fetch(`${target.baseUrl}/v1/status`, { headers: { authorization: `Bearer ${testProxyKey}` } });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { providers: Array<{ provider: string; credentials: CredentialStatusView[] }> };
  return body.providers.find((provider) => provider.provider === "openai")?.credentials.find((credential) => credential.id === idOf(key));
}

const keysUsed = (target: TestGateway): Array<string | undefined> => target.mock.generateRequests().map((request) => request.apiKey);

describe("credential rotation against the mock upstream", () => {
  it("a 429 on one key of three is served by another key, and that key cools for the retry-after", async () => {
    const target = await start({});
    target.mock.script(matching({ apiKey: keyA }, rateLimitReply({ seconds: 30 })));
    const before = Date.now();
    const response = await chat(target);
    expect(response.status).toBe(200);
    expect(keysUsed(target)).toEqual([keyA, keyB]);
    const status = await statusOf(target, keyA);
    expect([status?.state, status?.reason]).toEqual(["cooling", "rate_limited for gpt-mock-large"]);
    const until = Date.parse(status?.until ?? "");
    expect(until).toBeGreaterThanOrEqual(before + 30_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 30_000);
    expect(status?.cooldowns).toEqual([{ scope: "credential-model", model: "gpt-mock-large", code: "rate_limited", until: status?.until }]);
    // The cooling key is skipped by later requests.
    await chat(target);
    expect(keysUsed(target).at(-1)).toBe(keyB);
  });

  it("a 401 on one key of three disables it, the others serve, and status says why", async () => {
    const target = await start({});
    target.mock.script(matching({ apiKey: keyA }, errorReply(401, { message: "invalid x-api-key" })));
    expect((await chat(target)).status).toBe(200);
    for (let index = 0; index < 4; index++) expect((await chat(target)).status).toBe(200);
    expect(keysUsed(target).filter((key) => key === keyA)).toHaveLength(1);
    expect(await statusOf(target, keyA)).toMatchObject({ state: "disabled", reason: "authentication (upstream 401/403): disabled until reset" });
    expect(await statusOf(target, keyB)).toMatchObject({ state: "ready" });
    expect(JSON.stringify(await (await fetch(`${target.baseUrl}/v1/status`, { headers: { authorization: `Bearer ${testProxyKey}` } })).json())).not.toContain("sk-rotation");
    // Reset by hand brings it back.
    expect(await target.engine.credentials?.reset(idOf(keyA))).toBe(1);
    expect(await statusOf(target, keyA)).toMatchObject({ state: "ready" });
  });

  it("requires the proxy key for /v1/status", async () => {
    const target = await start({});
    expect((await fetch(`${target.baseUrl}/v1/status`)).status).toBe(401);
  });

  it("all keys cooling with a short retry-after: waits for the earliest and succeeds", async () => {
    const target = await start({});
    for (const key of keys) target.mock.script(matching({ apiKey: key }, rateLimitReply({ ms: 1_500 })));
    const started = Date.now();
    const response = await chat(target);
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    // A's cooldown ends first; a wake-up delayed by load may find C's over too, and sequential then stays on C.
    expect(keysUsed(target).slice(0, 3)).toEqual([keyA, keyB, keyC]);
    expect([keyA, keyC]).toContain(keysUsed(target)[3]);
    expect(keysUsed(target)).toHaveLength(4);
  });

  it("all keys cooling past the deadline: fails fast with all_targets_failed listing every attempt", async () => {
    const target = await start({ SWITCHYARD_REQUEST_TIMEOUT_MS: "20000" });
    for (const key of keys) target.mock.script(matching({ apiKey: key }, rateLimitReply({ seconds: 3600 })));
    const started = Date.now();
    const response = await chat(target);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(response.status).toBe(429);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/^all 3 attempts failed; capacity problems \(rate limit or quota, cooling down\): openai\/gpt-mock-large \(openai:\w+\) rate_limited 429, openai\/gpt-mock-large \(openai:\w+\) rate_limited 429, openai\/gpt-mock-large \(openai:\w+\) rate_limited 429; openai\/gpt-mock-large: every credential is cooling down for 360\d s more, past the request deadline; last error: openai: /);
    for (const key of keys) expect(body.error.message).toContain(idOf(key));
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(3590);
  });

  it("a 500 is retried on the same key and succeeds", async () => {
    const target = await start({});
    target.mock.script(errorReply(500, { message: "internal failure" }));
    expect((await chat(target)).status).toBe(200);
    expect(keysUsed(target)).toEqual([keyA, keyA]);
    expect(await statusOf(target, keyA)).toMatchObject({ state: "ready", cooldowns: [] });
  });

  it("a stream answered 429 before its first byte is rotated to another key transparently", async () => {
    const target = await start({});
    target.mock.script(matching({ apiKey: keyA }, rateLimitReply({ seconds: 30 })));
    const response = await chat(target, true);
    expect(response.status).toBe(200);
    const text = await response.text();
    const content = text
      .split("\n")
      .filter((line) => line.startsWith("data: {"))
      .map((line) => (JSON.parse(line.slice(6)) as { choices: Array<{ delta?: { content?: string } }> }).choices[0]?.delta?.content ?? "")
      .join("");
    expect(content).toBe(defaultMockText("openai-chat"));
    expect(keysUsed(target)).toEqual([keyA, keyB]);
  });

  it("an empty answer is retried once after a short pause", async () => {
    const target = await start({});
    target.mock.script(emptyReply());
    const response = await chat(target);
    const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    expect(body.choices[0]?.message.content).toBe(defaultMockText("openai-chat"));
    expect(target.mock.generateRequests()).toHaveLength(2);
  });

  it("hundreds of parallel requests over three keys never exceed max concurrency 2 per key", async () => {
    const inFlight = new Map<string, number>();
    const peak = new Map<string, number>();
    const target = await start({ SWITCHYARD_MAX_CONCURRENCY: "2", SWITCHYARD_ROTATION: "balanced" }, (request) => {
      if (request.route.operation !== "generate") return undefined;
      const key = request.apiKey ?? "";
      const now = (inFlight.get(key) ?? 0) + 1;
      inFlight.set(key, now);
      peak.set(key, Math.max(peak.get(key) ?? 0, now));
      // Registered before the mock's own delay timer, so it fires before the reply is written: never undercounts.
      setTimeout(() => inFlight.set(key, (inFlight.get(key) ?? 1) - 1), 10);
      return textReply("ok", { delayMs: 10 });
    });
    const responses = await Promise.all(Array.from({ length: 240 }, () => chat(target)));
    expect(responses.map((response) => response.status)).toEqual(Array.from({ length: 240 }, () => 200));
    expect(Object.fromEntries(peak)).toEqual({ [keyA]: 2, [keyB]: 2, [keyC]: 2 });
  }, 30_000);
});

describe("state across a restart", () => {
  it("a cooldown survives with the file store", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "switchyard-rotation-"));
    const mockGateway = await start({});
    const env = { ...threeKeys(), OPENAI_API_BASE: `${mockGateway.mock.baseUrl}/v1`, SWITCHYARD_DATA_DIR: dataDir };
    const config = loadConfig({ env, cwd: testConfigDirectory, dotenv: false });
    const call = { protocol: "openai-chat", operation: "generate", headers: {}, signal: new AbortController().signal, body: { model, messages: [{ role: "user", content: "hi" }] } } as const;

    const firstStore = await openStateStoreFromConfig(config);
    const first = createEngineFromConfig(config, undefined, { credentialState: firstStore });
    mockGateway.mock.script(matching({ apiKey: keyA }, rateLimitReply({ seconds: 3600 })));
    await first.handle(call);
    const before = (await first.credentials?.status())?.[0]?.credentials[0];
    expect(before?.state).toBe("cooling");
    await first.close();
    await firstStore.close();

    const secondStore = await openStateStoreFromConfig(config);
    const second = createEngineFromConfig(config, undefined, { credentialState: secondStore });
    const after = (await second.credentials?.status())?.[0]?.credentials[0];
    expect(after).toMatchObject({ id: idOf(keyA), state: "cooling", until: before?.until });
    await second.close();
    await secondStore.close();
  });

  it("usage, recent errors, the fair-cycle state and session affinity survive too", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "switchyard-rotation-"));
    const mockGateway = await start({});
    // Cooldowns are cut to 150 ms: after the restart A has recovered, and only the stored cycle keeps it out.
    const configFile = join(dataDir, "switchyard.json");
    writeFileSync(configFile, JSON.stringify({ rotation: { providers: { openai: { maxCooldownMs: 150 } } } }));
    const env = { ...threeKeys(), SWITCHYARD_ROTATION: "fair-cycle", SWITCHYARD_CONFIG: configFile, OPENAI_API_BASE: `${mockGateway.mock.baseUrl}/v1`, SWITCHYARD_DATA_DIR: dataDir };
    const config = loadConfig({ env, cwd: testConfigDirectory, dotenv: false });
    const call = (headers: Record<string, string> = {}) =>
      ({ protocol: "openai-chat", operation: "generate", headers, signal: new AbortController().signal, body: { model, messages: [{ role: "user", content: "hi" }] } }) as const;
    const session = { "x-claude-code-session-id": "restart-session" };

    const firstStore = await openStateStoreFromConfig(config);
    const first = createEngineFromConfig(config, undefined, { credentialState: firstStore });
    // The session lands on A. A runs out (429): B takes the cycle over, and answers one 500 (retried on B).
    await first.handle(call(session));
    mockGateway.mock.script(matching({ apiKey: keyA }, rateLimitReply({ seconds: 60 })), matching({ apiKey: keyB }, errorReply(500, { message: "boom" })));
    await first.handle(call());
    expect(keysUsed(mockGateway)).toEqual([keyA, keyA, keyB, keyB]);
    await first.close();
    await firstStore.close();
    // Ids, counters and hashes only: no key and no session id in the state file.
    const stateText = readFileSync(join(dataDir, "state.json"), "utf8");
    expect(stateText).toContain(idOf(keyB));
    for (const secret of [...keys, "restart-session"]) expect(stateText).not.toContain(secret);

    const secondStore = await openStateStoreFromConfig(config);
    const second = createEngineFromConfig(config, undefined, { credentialState: secondStore });
    const status = (await second.credentials?.status())?.[0]?.credentials ?? [];
    expect(status.map((entry) => [entry.id, entry.windowUsage, entry.recentErrors.map((error) => `${error.code} ${error.status ?? ""}`)])).toEqual([
      [idOf(keyA), 2, ["rate_limited 429"]],
      [idOf(keyB), 1, ["upstream_server 500"]],
      [idOf(keyC), 0, []],
    ]);
    mockGateway.mock.reset();
    await new Promise((resolve) => setTimeout(resolve, 400));
    // The session stays on A (the cycle is B's); B serves on; when B runs out, C serves, not A: A was exhausted in
    // this cycle before the restart, though it has long recovered.
    await second.handle(call(session));
    await second.handle(call());
    mockGateway.mock.script(matching({ apiKey: keyB }, rateLimitReply({ seconds: 60 })));
    await second.handle(call());
    expect(keysUsed(mockGateway)).toEqual([keyA, keyB, keyB, keyC]);
    await second.close();
    await secondStore.close();
  });
});
