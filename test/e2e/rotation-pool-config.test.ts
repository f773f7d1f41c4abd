import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createCredential } from "../../src/providers/index.js";
import { textReply, type MockReply, type RecordedRequest } from "../support/mock-upstream.js";
import { startTestGateway, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

// Pools from switchyard.json: each credential's tier and concurrency, named by the variable that holds its key or by
// its id (the key itself never appears in the file), through the whole gateway.

const keys = ["sk-poolcfg-key-aaaaaaaa", "sk-poolcfg-key-bbbbbbbb", "sk-poolcfg-key-cccccccc"] as const;
const [keyA, keyB, keyC] = keys;
const idOf = (key: string): string => createCredential("openai", key).id;

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

async function start(pool: Record<string, unknown>, fallback: (request: RecordedRequest) => MockReply | undefined): Promise<TestGateway> {
  const path = join(mkdtempSync(join(tmpdir(), "switchyard-poolcfg-")), "switchyard.json");
  writeFileSync(path, JSON.stringify({ rotation: { providers: { openai: pool } } }));
  gateway = await startTestGateway({
    env: {
      ANTHROPIC_API_KEY: undefined,
      GEMINI_API_KEY: undefined,
      RESPONSESMOCK_API_KEY: undefined,
      RESPONSESMOCK_API_BASE: undefined,
      OPENAI_API_KEY: keyA,
      OPENAI_API_KEY_1: keyB,
      OPENAI_API_KEY_2: keyC,
      SWITCHYARD_ROTATION: "balanced",
      SWITCHYARD_REQUEST_TIMEOUT_MS: "30000",
      SWITCHYARD_CONFIG: path,
    },
    mock: { fallback },
  });
  return gateway;
}

function chat(target: TestGateway): Promise<Response> {
  return fetch(`${target.baseUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${testProxyKey}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "openai/gpt-mock-large", messages: [{ role: "user", content: "hi" }] }),
  });
}

describe("credential settings from switchyard.json", () => {
  it("tier and max concurrency per credential, by variable name or id: the tier-2 key serves only the overflow", async () => {
    const inFlight = new Map<string, number>();
    const peak = new Map<string, number>();
    const target = await start(
      { credentials: { OPENAI_API_KEY: { tier: 2 }, [idOf(keyB)]: { maxConcurrency: 1 }, OPENAI_API_KEY_2: { maxConcurrency: 2 } } },
      (request) => {
        if (request.route.operation !== "generate") return undefined;
        const key = request.apiKey ?? "";
        const now = (inFlight.get(key) ?? 0) + 1;
        inFlight.set(key, now);
        peak.set(key, Math.max(peak.get(key) ?? 0, now));
        // Registered before the mock's own delay timer, so it fires before the reply is written: never undercounts.
        setTimeout(() => inFlight.set(key, (inFlight.get(key) ?? 1) - 1), 300);
        return textReply("ok", { delayMs: 300 });
      },
    );
    expect(target.config.warnings.filter((warning) => warning.includes("credentials"))).toEqual([]);

    // Alone, a request goes to tier 1 (B or C), never to A.
    for (let index = 0; index < 4; index++) expect((await chat(target)).status).toBe(200);
    expect(target.mock.generateRequests().map((request) => request.apiKey)).not.toContain(keyA);

    // Twelve at once: B holds one, C two, and A (tier 2, the global max of 64) takes what tier 1 cannot.
    const responses = await Promise.all(Array.from({ length: 12 }, () => chat(target)));
    expect(responses.map((response) => response.status)).toEqual(Array.from({ length: 12 }, () => 200));
    expect(Object.fromEntries(peak)).toMatchObject({ [keyB]: 1, [keyC]: 2 });
    expect(peak.get(keyA)).toBeGreaterThanOrEqual(1);
    expect(peak.get(keyA)).toBeLessThanOrEqual(9);
  }, 30_000);

  it("a per-provider max concurrency applies to every key without its own", async () => {
    const inFlight = new Map<string, number>();
    const peak = new Map<string, number>();
    const target = await start({ maxConcurrency: 1, busyWaitMs: 20 }, (request) => {
      if (request.route.operation !== "generate") return undefined;
      const key = request.apiKey ?? "";
      const now = (inFlight.get(key) ?? 0) + 1;
      inFlight.set(key, now);
      peak.set(key, Math.max(peak.get(key) ?? 0, now));
      setTimeout(() => inFlight.set(key, (inFlight.get(key) ?? 1) - 1), 50);
      return textReply("ok", { delayMs: 50 });
    });
    const responses = await Promise.all(Array.from({ length: 15 }, () => chat(target)));
    expect(responses.map((response) => response.status)).toEqual(Array.from({ length: 15 }, () => 200));
    expect(Object.fromEntries(peak)).toEqual({ [keyA]: 1, [keyB]: 1, [keyC]: 1 });
  }, 30_000);
});
