import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { CredentialStatusView } from "../../src/pipeline/index.js";
import { createCredential } from "../../src/providers/index.js";
import { emptyReply, errorReply, matching, overloadedReply, rateLimitReply, resetReply, textReply, type MockReply, type RecordedRequest } from "../support/mock-upstream.js";
import { startTestGateway, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

// Fault injection through the whole gateway: the mock upstream misbehaves per key, and each case asserts what the
// client sees, which key served, the cooldown recorded (scope and duration) and that no healthy key went unused.

const keys = ["sk-faults-key-aaaaaaaa", "sk-faults-key-bbbbbbbb", "sk-faults-key-cccccccc"] as const;
const [keyA, keyB, keyC] = keys;
const idOf = (key: string): string => createCredential("openai", key).id;

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

interface StartOptions {
  env?: Record<string, string>;
  /** switchyard.json `rotation.providers.openai`. */
  pool?: Record<string, unknown>;
  /** Answers every request nobody scripted (persistent per-key behaviour). */
  fallback?: (request: RecordedRequest) => MockReply | undefined;
}

async function start(options: StartOptions = {}): Promise<TestGateway> {
  const env: Record<string, string | undefined> = {
    ANTHROPIC_API_KEY: undefined,
    GEMINI_API_KEY: undefined,
    RESPONSESMOCK_API_KEY: undefined,
    RESPONSESMOCK_API_BASE: undefined,
    OPENAI_API_KEY: keyA,
    OPENAI_API_KEY_1: keyB,
    OPENAI_API_KEY_2: keyC,
    SWITCHYARD_ROTATION: "sequential",
    ...options.env,
  };
  if (options.pool !== undefined) {
    const path = join(mkdtempSync(join(tmpdir(), "switchyard-faults-")), "switchyard.json");
    writeFileSync(path, JSON.stringify({ rotation: { providers: { openai: options.pool } } }));
    env["SWITCHYARD_CONFIG"] = path;
  }
  gateway = await startTestGateway({ env, ...(options.fallback === undefined ? {} : { mock: { fallback: options.fallback } }) });
  return gateway;
}

function chat(target: TestGateway, model = "openai/gpt-mock-large", messages: unknown[] = [{ role: "user", content: "hi" }]): Promise<Response> {
  return fetch(`${target.baseUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${testProxyKey}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages }),
  });
}

async function statusOf(target: TestGateway, key: string): Promise<CredentialStatusView> {
  const response = await fetch(`${target.baseUrl}/v1/status`, { headers: { authorization: `Bearer ${testProxyKey}` } });
  const body = (await response.json()) as { providers: Array<{ provider: string; credentials: CredentialStatusView[] }> };
  const found = body.providers.find((provider) => provider.provider === "openai")?.credentials.find((credential) => credential.id === idOf(key));
  if (found === undefined) throw new Error(`no status for ${idOf(key)}`);
  return found;
}

const keysUsed = (target: TestGateway): Array<string | undefined> => target.mock.generateRequests().map((request) => request.apiKey);

/** Milliseconds from `before` until the only cooldown of `key` ends. */
async function cooldownMs(target: TestGateway, key: string, before: number): Promise<number> {
  const status = await statusOf(target, key);
  expect(status.cooldowns).toHaveLength(1);
  return Date.parse(status.cooldowns[0]?.until ?? "") - before;
}

describe("429 on one key of three: served by the next, cooled for the provider's wait", () => {
  const cases: Array<{ name: string; reply: () => MockReply; min: number; max: number }> = [
    { name: "retry-after seconds", reply: () => rateLimitReply({ seconds: 40 }), min: 40_000, max: 41_000 },
    { name: "retry-after-ms", reply: () => rateLimitReply({ ms: 25_000 }), min: 25_000, max: 26_000 },
    { name: "retry-after HTTP date", reply: () => rateLimitReply({ date: new Date(Date.now() + 120_000) }), min: 117_000, max: 121_000 },
    {
      name: "OpenAI reset header of the exhausted window",
      reply: () => rateLimitReply(undefined, { headers: { "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1m30s", "x-ratelimit-remaining-tokens": "5000", "x-ratelimit-reset-tokens": "2s" } }),
      min: 90_000,
      max: 91_000,
    },
    {
      name: "Anthropic reset header of the exhausted window",
      reply: () => rateLimitReply(undefined, { headers: { "anthropic-ratelimit-requests-remaining": "0", "anthropic-ratelimit-requests-reset": new Date(Date.now() + 75_000).toISOString() } }),
      min: 72_000,
      max: 76_000,
    },
    {
      name: "Gemini RetryInfo.retryDelay in the body",
      reply: () => errorReply(429, { body: { error: { code: 429, message: "Resource exhausted", status: "RESOURCE_EXHAUSTED", details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "33s" }] } } }),
      min: 33_000,
      max: 34_000,
    },
    { name: "a phrase in the message (try again in 20s)", reply: () => errorReply(429, { message: "Rate limit reached. Please try again in 20s." }), min: 20_000, max: 21_000 },
    // No wait given: bounded exponential backoff (1 s base, equal jitter: 0.5–1 s on the first failure).
    { name: "no retry-after: backoff", reply: () => rateLimitReply(), min: 500, max: 1_500 },
  ];
  it.each(cases)("$name", async ({ reply, min, max }) => {
    const target = await start();
    target.mock.script(matching({ apiKey: keyA }, reply()));
    const before = Date.now();
    const response = await chat(target);
    expect(response.status).toBe(200);
    expect(keysUsed(target)).toEqual([keyA, keyB]);
    const status = await statusOf(target, keyA);
    expect(status.cooldowns[0]).toMatchObject({ scope: "credential-model", model: "gpt-mock-large", code: "rate_limited" });
    const cooled = await cooldownMs(target, keyA, before);
    expect(cooled).toBeGreaterThanOrEqual(min - 1_000);
    expect(cooled).toBeLessThanOrEqual(max);
    expect(status.recentErrors).toEqual([{ code: "rate_limited", status: 429, at: expect.any(String) as string }]);
  });
});

describe("server errors and resets: retried once on the key, then one other key; never cooled", () => {
  const cases: Array<{ name: string; reply: () => MockReply; code: string }> = [
    { name: "500", reply: () => errorReply(500, { message: "internal failure" }), code: "upstream_server" },
    { name: "502", reply: () => errorReply(502, { message: "bad gateway" }), code: "upstream_server" },
    { name: "503", reply: () => errorReply(503, { message: "unavailable" }), code: "overloaded" },
    { name: "529 overloaded", reply: () => overloadedReply(), code: "overloaded" },
    { name: "connection reset before headers", reply: () => resetReply(), code: "upstream_server" },
  ];
  it.each(cases)("$name persistently on one key: the next key serves", async ({ reply, code }) => {
    const target = await start({ fallback: (request) => (request.apiKey === keyA && request.route.operation === "generate" ? reply() : undefined) });
    const response = await chat(target);
    expect(response.status).toBe(200);
    expect(keysUsed(target)).toEqual([keyA, keyA, keyB]);
    const status = await statusOf(target, keyA);
    // One generic failure says nothing about the key's quota: no cooldown, still ready.
    expect([status.state, status.cooldowns]).toEqual(["ready", []]);
    expect(status.recentErrors.map((error) => error.code)).toEqual([code, code]);
  });

  it("the same error on two keys is the provider's: the client gets it after two keys, the third is not burnt", async () => {
    const target = await start({ fallback: (request) => (request.route.operation === "generate" ? errorReply(502, { message: "bad gateway" }) : undefined) });
    const response = await chat(target);
    expect(response.status).toBe(503);
    expect(keysUsed(target)).toEqual([keyA, keyA, keyB, keyB]);
    for (const key of keys) expect((await statusOf(target, key)).cooldowns).toEqual([]);
  });
});

describe("empty answers", () => {
  it("an empty 200 is retried once and the retry's answer is served", async () => {
    const target = await start();
    target.mock.script(emptyReply());
    const response = await chat(target);
    expect(((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content).not.toBe("");
    expect(keysUsed(target)).toHaveLength(2);
  });

  it("is not retried when the finish reason is length", async () => {
    const target = await start();
    target.mock.script({ ...emptyReply(), answer: { text: "", finish: "length" } });
    const response = await chat(target);
    expect(((await response.json()) as { choices: Array<{ finish_reason: string }> }).choices[0]?.finish_reason).toBe("length");
    expect(keysUsed(target)).toHaveLength(1);
  });

  it("is not retried when the conversation ends with an assistant turn (prefill)", async () => {
    const target = await start();
    target.mock.script(emptyReply());
    const response = await chat(target, "openai/gpt-mock-large", [
      { role: "user", content: "answer in JSON" },
      { role: "assistant", content: "{" },
    ]);
    expect(response.status).toBe(200);
    expect(keysUsed(target)).toHaveLength(1);
  });
});

describe("quota groups", () => {
  it("quota exhausted on one model of a group: the group's other models avoid that key, a model outside still uses it", async () => {
    const target = await start({
      env: { SWITCHYARD_ROTATION: "balanced" },
      pool: { tolerance: 0, quotaGroups: { big: ["big-*"] } },
      fallback: (request) => {
        const model = (request.json as { model?: string } | undefined)?.model;
        if (request.apiKey === keyA && model === "big-a") {
          return errorReply(429, { retryAfter: { seconds: 3600 }, body: { error: { message: "You exceeded your current quota", type: "insufficient_quota", code: "insufficient_quota" } } });
        }
        return request.route.operation === "generate" ? textReply(`${model ?? "?"} ok`) : undefined;
      },
    });
    const before = Date.now();
    expect((await chat(target, "openai/big-a")).status).toBe(200);
    // Balanced, tolerance 0: A (first) → 429 → B (least used) serves.
    expect(keysUsed(target)).toEqual([keyA, keyB]);
    const status = await statusOf(target, keyA);
    expect(status.cooldowns).toEqual([{ scope: "credential-group", group: "big", code: "quota_exhausted", until: expect.any(String) as string }]);
    expect(await cooldownMs(target, keyA, before)).toBeGreaterThanOrEqual(3_599_000);
    expect(status.reason).toBe("quota_exhausted for quota group big");
    // Usage now A 1, B 1, C 0: without the group cooldown A would be next after C. It never is for big-*. (Each
    // request is its own conversation, so content affinity does not pin them.)
    for (let index = 0; index < 4; index++) expect((await chat(target, "openai/big-b", [{ role: "user", content: `question ${index}` }])).status).toBe(200);
    expect(keysUsed(target).slice(2)).toEqual([keyC, keyB, keyC, keyB]);
    // A model outside the group is served by A (least used) at once.
    expect((await chat(target, "openai/small", [{ role: "user", content: "another question" }])).status).toBe(200);
    expect(keysUsed(target).at(-1)).toBe(keyA);
  });
});

describe("quota exhausted without a reset time", () => {
  const exhausted = (request: RecordedRequest): MockReply | undefined =>
    request.apiKey === keyA && request.route.operation === "generate"
      ? errorReply(429, { body: { error: { message: "You exceeded your current quota", type: "insufficient_quota", code: "insufficient_quota" } } })
      : undefined;

  it("policy warn: served by the next key, nothing cooled, the key is not retried within the request", async () => {
    const target = await start({ pool: { exhaustedWithoutReset: "warn" }, fallback: exhausted });
    expect((await chat(target)).status).toBe(200);
    expect(keysUsed(target)).toEqual([keyA, keyB]);
    expect(await statusOf(target, keyA)).toMatchObject({ state: "ready", cooldowns: [] });
  });

  it("policy disable: served by the next key, the key disabled with the reason", async () => {
    const target = await start({ pool: { exhaustedWithoutReset: "disable" }, fallback: exhausted });
    expect((await chat(target)).status).toBe(200);
    expect(keysUsed(target)).toEqual([keyA, keyB]);
    expect(await statusOf(target, keyA)).toMatchObject({ state: "disabled", reason: "quota_exhausted: disabled until reset" });
  });

  it("policy fixed cooldown: cooled for exactly that long", async () => {
    const target = await start({ pool: { exhaustedWithoutReset: { cooldownMs: 7_200_000 } }, fallback: exhausted });
    const before = Date.now();
    expect((await chat(target)).status).toBe(200);
    const cooled = await cooldownMs(target, keyA, before);
    expect(cooled).toBeGreaterThanOrEqual(7_199_000);
    expect(cooled).toBeLessThanOrEqual(7_201_000);
    expect((await statusOf(target, keyA)).cooldowns[0]?.scope).toBe("credential");
  });
});

describe("all keys cooling", () => {
  it("with a short cooldown: waits for the earliest, then one probe serves", async () => {
    const target = await start();
    for (const key of keys) target.mock.script(matching({ apiKey: key }, rateLimitReply({ ms: 1_500 })));
    const started = Date.now();
    expect((await chat(target)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    // A's cooldown ends first; under load the wake-up may come after B's and C's ended too, and sequential then
    // stays on C. Either way the fourth attempt is one of the recovered keys.
    expect(keysUsed(target).slice(0, 3)).toEqual([keyA, keyB, keyC]);
    expect(keysUsed(target)).toHaveLength(4);
    expect([keyA, keyC]).toContain(keysUsed(target)[3]);
  });

  it("with a long cooldown: fails fast with every key's attempt and a retry-after", async () => {
    const target = await start({ env: { SWITCHYARD_REQUEST_TIMEOUT_MS: "20000" } });
    for (const key of keys) target.mock.script(matching({ apiKey: key }, rateLimitReply({ seconds: 3600 })));
    const started = Date.now();
    const response = await chat(target);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(response.status).toBe(429);
    expect(keysUsed(target)).toEqual([keyA, keyB, keyC]);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(3590);
  });
});

describe("one slow key", () => {
  it("requests flow to the other keys while the slow one is busy; nothing times out", async () => {
    const served = new Map<string, number>();
    const target = await start({
      env: { SWITCHYARD_ROTATION: "balanced", SWITCHYARD_MAX_CONCURRENCY: "2", SWITCHYARD_REQUEST_TIMEOUT_MS: "30000" },
      fallback: (request) => {
        if (request.route.operation !== "generate") return undefined;
        const key = request.apiKey ?? "";
        served.set(key, (served.get(key) ?? 0) + 1);
        return textReply("ok", { delayMs: key === keyA ? 3_000 : 20 });
      },
    });
    const started = Date.now();
    const responses = await Promise.all(Array.from({ length: 40 }, () => chat(target)));
    expect(responses.map((response) => response.status)).toEqual(Array.from({ length: 40 }, () => 200));
    // A holds at most its two slots; B and C take everything else, and all of it ends once A's two answers are in.
    expect(served.get(keyA)).toBeLessThanOrEqual(2);
    expect((served.get(keyB) ?? 0) + (served.get(keyC) ?? 0)).toBeGreaterThanOrEqual(38);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 20_000);
});

describe("401 on one key of three", () => {
  it("disables that key, the others serve, status says which and why, the admin route brings it back", async () => {
    const target = await start({ fallback: (request) => (request.apiKey === keyA && request.route.operation === "generate" ? errorReply(401, { message: "invalid x-api-key" }) : undefined) });
    for (let index = 0; index < 3; index++) expect((await chat(target)).status).toBe(200);
    expect(keysUsed(target)).toEqual([keyA, keyB, keyB, keyB]);
    expect(await statusOf(target, keyA)).toMatchObject({ state: "disabled", reason: "authentication (upstream 401/403): disabled until reset" });
    expect((await statusOf(target, keyA)).recentErrors).toEqual([{ code: "authentication", status: 401, at: expect.any(String) as string }]);

    const url = `${target.baseUrl}/v1/admin/credentials/${encodeURIComponent(idOf(keyA))}/reset`;
    expect((await fetch(url, { method: "POST" })).status).toBe(401);
    const reset = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${testProxyKey}` } });
    expect(reset.status).toBe(200);
    expect(await reset.json()).toEqual({ id: idOf(keyA), cleared: 1 });
    expect((await statusOf(target, keyA)).state).toBe("ready");
    const unknown = await fetch(`${target.baseUrl}/v1/admin/credentials/openai%3Anope/reset`, { method: "POST", headers: { authorization: `Bearer ${testProxyKey}` } });
    expect(unknown.status).toBe(404);
  });

  it("the admin route clears every credential's cooldowns at once", async () => {
    const target = await start();
    target.mock.script(matching({ apiKey: keyA }, rateLimitReply({ seconds: 3600 })));
    expect((await chat(target)).status).toBe(200);
    expect((await statusOf(target, keyA)).state).toBe("cooling");
    const all = await fetch(`${target.baseUrl}/v1/admin/credentials/reset`, { method: "POST", headers: { authorization: `Bearer ${testProxyKey}` } });
    expect(await all.json()).toEqual({ all: true, cleared: 1 });
    expect(await statusOf(target, keyA)).toMatchObject({ state: "ready", cooldowns: [] });
  });
});

describe("proactive steering from remaining-quota headers", () => {
  it("a key whose answers say no requests are left is avoided until its reset, before any 429", async () => {
    const target = await start({
      fallback: (request) => {
        if (request.route.operation !== "generate") return undefined;
        const exhausted = request.apiKey === keyA;
        return textReply("ok", { headers: { "x-ratelimit-limit-requests": "60", "x-ratelimit-remaining-requests": exhausted ? "0" : "59", "x-ratelimit-reset-requests": "1.5s" } });
      },
    });
    // Sequential: A serves (successfully) and says it has nothing left; the next requests go to B at once.
    for (let index = 0; index < 3; index++) expect((await chat(target, "openai/gpt-mock-large", [{ role: "user", content: `q${index}` }])).status).toBe(200);
    expect(keysUsed(target)).toEqual([keyA, keyB, keyB]);
    expect(target.mock.generateRequests().every((request) => request.route.operation === "generate")).toBe(true);
    // Nothing was cooled: steering is not a failure.
    expect((await statusOf(target, keyA)).cooldowns).toEqual([]);
  });

  it("anthropic-style headers steer the same way", async () => {
    const target = await start({
      env: { SWITCHYARD_ROTATION: "balanced" },
      pool: { tolerance: 0 },
      fallback: (request) => {
        if (request.route.operation !== "generate") return undefined;
        const remaining = request.apiKey === keyA ? "0" : "1000";
        return textReply("ok", { headers: { "anthropic-ratelimit-tokens-remaining": remaining, "anthropic-ratelimit-tokens-reset": new Date(Date.now() + 60_000).toISOString() } });
      },
    });
    for (let index = 0; index < 6; index++) expect((await chat(target, "openai/gpt-mock-large", [{ role: "user", content: `q${index}` }])).status).toBe(200);
    // Balanced tolerance 0 would give A every third request; after its first answer it gets none.
    expect(keysUsed(target).filter((key) => key === keyA)).toHaveLength(1);
  });
});

describe("recovery after a cooldown", () => {
  it("exactly one probe request uses the key when its cooldown ends; the others wait for its answer", async () => {
    const arrivals: Array<{ at: number; sequence: number }> = [];
    let probeAnsweredAt = 0;
    const target = await start({
      env: { OPENAI_API_KEY_1: "", OPENAI_API_KEY_2: "", SWITCHYARD_REQUEST_TIMEOUT_MS: "30000" },
      fallback: (request) => {
        if (request.route.operation !== "generate") return undefined;
        arrivals.push({ at: Date.now(), sequence: request.sequence });
        // The first request after the 429 is the probe: answered slowly so a stampede would show.
        if (arrivals.length === 1) {
          setTimeout(() => (probeAnsweredAt = Date.now()), 600);
          return textReply("probe ok", { delayMs: 600 });
        }
        return textReply("ok");
      },
    });
    target.mock.script(rateLimitReply({ ms: 1_500 }));
    const first = chat(target, "openai/gpt-mock-large", [{ role: "user", content: "first" }]);
    // Wait until the 429 has been answered and recorded, then queue twenty more behind the cooldown.
    while (target.mock.generateRequests().length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const queued = Array.from({ length: 20 }, (_, index) => chat(target, "openai/gpt-mock-large", [{ role: "user", content: `queued ${index}` }]));
    const responses = await Promise.all([first, ...queued]);
    expect(responses.map((response) => response.status)).toEqual(Array.from({ length: 21 }, () => 200));
    expect(arrivals).toHaveLength(21);
    // Nothing else reached the key while the probe was out.
    const [probe, ...rest] = arrivals;
    for (const arrival of rest) expect(arrival.at).toBeGreaterThanOrEqual(probeAnsweredAt);
    expect(probe?.at).toBeLessThan(probeAnsweredAt);
    expect((await statusOf(target, keyA)).state).toBe("ready");
  }, 20_000);
});
