import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createCredential } from "../../src/providers/index.js";
import { matching, rateLimitReply } from "../support/mock-upstream.js";
import { startTestGateway, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

// Selection strategies through the whole gateway: many requests over HTTP, distributions read from which key the
// mock upstream saw. Each request is its own conversation unless a test says otherwise.

const keys = ["sk-strategy-key-aaaaaaa", "sk-strategy-key-bbbbbbb", "sk-strategy-key-ccccccc"] as const;
const [keyA, keyB, keyC] = keys;

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

async function start(strategy: string, pool?: Record<string, unknown>): Promise<TestGateway> {
  const env: Record<string, string | undefined> = {
    ANTHROPIC_API_KEY: undefined,
    GEMINI_API_KEY: undefined,
    RESPONSESMOCK_API_KEY: undefined,
    RESPONSESMOCK_API_BASE: undefined,
    OPENAI_API_KEY: keyA,
    OPENAI_API_KEY_1: keyB,
    OPENAI_API_KEY_2: keyC,
    SWITCHYARD_ROTATION: strategy,
  };
  if (pool !== undefined) {
    const path = join(mkdtempSync(join(tmpdir(), "switchyard-strategies-")), "switchyard.json");
    writeFileSync(path, JSON.stringify({ rotation: { providers: { openai: pool } } }));
    env["SWITCHYARD_CONFIG"] = path;
  }
  gateway = await startTestGateway({ env });
  return gateway;
}

let counter = 0;
function chat(target: TestGateway, options: { messages?: unknown[]; headers?: Record<string, string>; model?: string } = {}): Promise<Response> {
  counter++;
  return fetch(`${target.baseUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${testProxyKey}`, "content-type": "application/json", ...options.headers },
    body: JSON.stringify({ model: options.model ?? "openai/gpt-mock-large", messages: options.messages ?? [{ role: "user", content: `request ${counter}` }] }),
  });
}

async function sendMany(target: TestGateway, count: number, options: Parameters<typeof chat>[1] = {}): Promise<void> {
  for (let index = 0; index < count; index++) expect((await chat(target, options)).status).toBe(200);
}

const keysUsed = (target: TestGateway): Array<string | undefined> => target.mock.generateRequests().map((request) => request.apiKey);

function tally(used: Array<string | undefined>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of used) counts[key ?? "?"] = (counts[key ?? "?"] ?? 0) + 1;
  return counts;
}

describe("strategy distributions through the gateway", () => {
  it("balanced: every key used, spread within the tolerance, not a fixed rotation", async () => {
    const target = await start("balanced", { tolerance: 2 });
    await sendMany(target, 90);
    const counts = Object.values(tally(keysUsed(target)));
    expect(counts).toHaveLength(3);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(90);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(3);
    const rotation = Array.from({ length: 90 }, (_, index) => keys[index % 3]);
    expect(keysUsed(target)).not.toEqual(rotation);
  });

  it("balanced with tolerance 0: a strict least-used rotation", async () => {
    const target = await start("balanced", { tolerance: 0 });
    await sendMany(target, 9);
    expect(keysUsed(target)).toEqual([keyA, keyB, keyC, keyA, keyB, keyC, keyA, keyB, keyC]);
  });

  it("sequential: sticks to one key, moves on only when it fails, and sticks again", async () => {
    const target = await start("sequential");
    await sendMany(target, 10);
    expect(new Set(keysUsed(target))).toEqual(new Set([keyA]));
    target.mock.script(matching({ apiKey: keyA }, rateLimitReply({ seconds: 600 })));
    await sendMany(target, 10);
    expect(keysUsed(target).slice(10)).toEqual([keyA, ...Array.from({ length: 10 }, () => keyB)]);
  });

  it("fair-cycle: a key serves until it is exhausted; a recovered key waits until every key was exhausted once", async () => {
    // Every cooldown is cut to 150 ms, so a key recovers long before the test goes on: only the cycle keeps it out.
    const target = await start("fair-cycle", { maxCooldownMs: 150 });
    const recover = () => new Promise((resolve) => setTimeout(resolve, 400));
    const exhaust = (key: string) => target.mock.script(matching({ apiKey: key }, rateLimitReply({ seconds: 60 })));
    await sendMany(target, 3);
    exhaust(keyA);
    await sendMany(target, 3);
    await recover();
    await sendMany(target, 2);
    exhaust(keyB);
    await sendMany(target, 2);
    await recover();
    exhaust(keyC);
    await sendMany(target, 2);
    expect(keysUsed(target)).toEqual([
      ...[keyA, keyA, keyA],
      // A answers 429: B takes over and keeps serving after A recovered.
      ...[keyA, keyB, keyB, keyB],
      ...[keyB, keyB],
      // B runs out: C (fresh), not A (recovered, but exhausted in this cycle).
      ...[keyB, keyC, keyC],
      // C runs out: every key was exhausted once, a new cycle starts at A.
      ...[keyC, keyA, keyA],
    ]);
  });

  it("fair-cycle scope: a key that ran out on one model keeps serving another, unless the cycle is per provider", async () => {
    const run = async (pool: Record<string, unknown>): Promise<Array<string | undefined>> => {
      const target = await start("fair-cycle", pool);
      // A 429 on the large model cools key A for that model only.
      target.mock.script(matching({ apiKey: keyA }, rateLimitReply({ seconds: 600 })));
      await sendMany(target, 1);
      await sendMany(target, 2, { model: "openai/gpt-mock-small" });
      const used = keysUsed(target);
      await target.close();
      gateway = undefined;
      return used;
    };
    expect(await run({})).toEqual([keyA, keyB, keyA, keyA]);
    expect(await run({ cycleScope: "credential" })).toEqual([keyA, keyB, keyB, keyB]);
  });

  it("tiers: the lower tier serves only while the higher tier has no capacity", async () => {
    const target = await start("balanced", { tolerance: 0, tiers: { [createCredential("openai", keyA).id]: 2 } });
    await sendMany(target, 12);
    expect(tally(keysUsed(target))).toEqual({ [keyB]: 6, [keyC]: 6 });
    // Both tier-1 keys cool down: A takes over at once instead of the request waiting or failing.
    target.mock.script(matching({ apiKey: keyB }, rateLimitReply({ seconds: 600 })), matching({ apiKey: keyC }, rateLimitReply({ seconds: 600 })));
    await sendMany(target, 4);
    expect(keysUsed(target).slice(12)).toEqual([keyB, keyC, keyA, keyA, keyA, keyA]);
  });

  it("affinity: a client session stays on its key while healthy, under balanced", async () => {
    const target = await start("balanced", { tolerance: 0 });
    await sendMany(target, 8, { headers: { "x-claude-code-session-id": "session-one" } });
    await sendMany(target, 8, { headers: { "x-claude-code-session-id": "session-two" } });
    const used = keysUsed(target);
    expect(new Set(used.slice(0, 8)).size).toBe(1);
    expect(new Set(used.slice(8)).size).toBe(1);
    expect(used[0]).not.toBe(used[8]);
  });

  it("content affinity: a conversation without a session key stays on its key turn after turn, also after compaction", async () => {
    const target = await start("balanced", { tolerance: 0 });
    const toolTurn = (id: string) => [
      { role: "assistant", content: null, tool_calls: [{ id, type: "function", function: { name: "read_file", arguments: "{}" } }] },
      { role: "tool", tool_call_id: id, content: "file contents" },
    ];
    const history: unknown[] = [{ role: "user", content: "refactor the parser" }];
    expect((await chat(target, { messages: history })).status).toBe(200);
    const first = keysUsed(target)[0];
    // Other traffic in between moves the least-used pointer on.
    await sendMany(target, 2);
    for (const id of ["call_1", "call_2", "call_3"]) {
      history.push(...toolTurn(id));
      expect((await chat(target, { messages: history })).status).toBe(200);
    }
    // Compacted: a summary replaces the first turn; the newest tool pair survives.
    expect((await chat(target, { messages: [{ role: "user", content: "summary: refactoring the parser" }, ...toolTurn("call_3")] })).status).toBe(200);
    const used = keysUsed(target);
    expect([used[3], used[4], used[5], used[6]]).toEqual([first, first, first, first]);
    expect(used.slice(1, 3)).not.toContain(first);
  });
});
