import { describe, expect, it } from "vitest";
import { createCredential } from "../providers/index.js";
import { createMemoryStateStore, type StateStore } from "../state/index.js";
import { createCredentialPools, type AcquireResult, type CredentialLease, type CredentialPoolSettings, type PooledCredentialSettings } from "./index.js";

/** A seeded generator (mulberry32): distributions are asserted exactly, run after run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const keys = ["sk-test-aaaaaaaaaaaaaaaa", "sk-test-bbbbbbbbbbbbbbbb", "sk-test-cccccccccccccccc", "sk-test-dddddddddddddddd"].map((secret) =>
  createCredential("openai", secret),
);
const [a, b, c, d] = keys.map((key) => key.id) as [string, string, string, string];

const clock = { current: 0, now: (): number => clock.current };

/** Pools over a store sharing one hand-moved clock (absolute expiries must agree between the two). */
function setup(pool: Partial<CredentialPoolSettings> & { credentials?: PooledCredentialSettings[] }, given?: StateStore) {
  clock.current = Date.parse("2026-11-02T10:00:00Z");
  const store = given ?? createMemoryStateStore({ clock });
  const now = (): number => clock.current;
  const pools = createCredentialPools({
    pools: [{ provider: "openai", credentials: keys.slice(0, 3).map((credential) => ({ credential })), ...pool }],
    store,
    environment: { now, random: seededRandom(7) },
  });
  return { pools, store, advance: (ms: number) => void (clock.current += ms), now };
}

function leaseOf(result: AcquireResult): CredentialLease {
  if (result.kind !== "lease") throw new Error(`expected a lease, got ${JSON.stringify(result)}`);
  return result.lease;
}

async function pickMany(pools: ReturnType<typeof setup>["pools"], count: number, sessionKey?: string): Promise<string[]> {
  const picked: string[] = [];
  for (let index = 0; index < count; index++) {
    const lease = leaseOf(await pools.acquire({ provider: "openai", model: "gpt-x", ...(sessionKey === undefined ? {} : { sessionKey }) }));
    picked.push(lease.credential.id);
    await lease.release({ kind: "success" });
  }
  return picked;
}

function tally(ids: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const id of ids) counts[id] = (counts[id] ?? 0) + 1;
  return counts;
}

describe("selection strategies", () => {
  it("balanced with tolerance 0 is deterministic least-used: a strict rotation", async () => {
    const { pools } = setup({ strategy: "balanced", tolerance: 0 });
    expect(await pickMany(pools, 6)).toEqual([a, b, c, a, b, c]);
  });

  it("balanced with a tolerance spreads at random but never further apart than the tolerance allows", async () => {
    const { pools, store } = setup({ strategy: "balanced", tolerance: 2, window: { kind: "daily" } });
    const picked = await pickMany(pools, 300);
    const counts = Object.values(tally(picked));
    expect(counts.length).toBe(3);
    // Weights are zero beyond the tolerance, so the spread is at most tolerance + 1.
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(3);
    // Not a fixed rotation: the order varies.
    expect(picked.slice(0, 9)).not.toEqual([a, b, c, a, b, c, a, b, c]);
    const usage = (await pools.pool("openai").status("gpt-x")).map((entry) => entry.windowUsage);
    expect(usage.reduce((sum, value) => sum + value, 0)).toBe(300);
    expect((await store.list("usage:openai:")).length).toBe(3);
  });

  it("balanced keeps off a heavily used credential until the others are within the tolerance", async () => {
    const { pools } = setup({ strategy: "balanced", tolerance: 3, window: { kind: "daily" } });
    // A session pins ten requests to one credential.
    const pinned = await pickMany(pools, 10, "heavy");
    const heavy = pinned[0];
    expect(new Set(pinned).size).toBe(1);
    const after = await pickMany(pools, 14);
    // The others start at 0 (one of them at most at 0 after the first pick); heavy has 10: it stays outside the
    // tolerance until the least used reaches 7, i.e. for at least 14 picks shared by the other two.
    expect(after.includes(heavy ?? "")).toBe(false);
    expect(Object.values(tally(after))).toEqual([7, 7]);
  });

  it("sequential stays on one credential until it fails, then moves on and stays there", async () => {
    const { pools } = setup({ strategy: "sequential" });
    expect(await pickMany(pools, 5)).toEqual([a, a, a, a, a]);
    const failing = leaseOf(await pools.acquire({ provider: "openai", model: "gpt-x" }));
    await failing.release({ kind: "failure", scope: "credential", code: "rate_limited", cooldownMs: 60_000 });
    expect(await pickMany(pools, 5)).toEqual([b, b, b, b, b]);
  });

  it("sequential moves on when its credential reaches the window cap", async () => {
    const { pools } = setup({ strategy: "sequential", credentials: keys.slice(0, 2).map((credential) => ({ credential, windowCap: 3 })), window: { kind: "daily" } });
    expect(await pickMany(pools, 6)).toEqual([a, a, a, b, b, b]);
    expect(await pools.acquire({ provider: "openai", model: "gpt-x" })).toEqual({ kind: "wait", waitMs: 14 * 3_600_000, reason: "capped" });
  });

  // fair-cycle: src/credentials/track-fair-cycle.test.ts.

  it("always uses the highest tier with capacity, and a lower tier only while it has none", async () => {
    const { pools } = setup({
      strategy: "balanced",
      tolerance: 0,
      credentials: [
        { credential: keys[0]!, tier: 2 },
        { credential: keys[1]!, tier: 1, maxConcurrency: 1 },
        { credential: keys[2]!, tier: 1, maxConcurrency: 1 },
      ],
    });
    expect(new Set(await pickMany(pools, 20))).toEqual(new Set([b, c]));
    const held = [leaseOf(await pools.acquire({ provider: "openai", model: "gpt-x" })), leaseOf(await pools.acquire({ provider: "openai", model: "gpt-x" }))];
    expect(leaseOf(await pools.acquire({ provider: "openai", model: "gpt-x" })).credential.id).toBe(a);
    await held[0]!.release({ kind: "success" });
    expect(leaseOf(await pools.acquire({ provider: "openai", model: "gpt-x" })).tier).toBe(1);
  });

  it("prefers credentials under their optimal concurrency, then any under their max", async () => {
    const { pools } = setup({
      strategy: "sequential",
      credentials: [
        { credential: keys[0]!, maxConcurrency: 3, optimalConcurrency: 1 },
        { credential: keys[1]!, maxConcurrency: 3, optimalConcurrency: 1 },
      ],
    });
    const first = leaseOf(await pools.acquire({ provider: "openai", model: "gpt-x" }));
    expect(first.credential.id).toBe(a);
    // Sequential keeps its credential even above optimal (cache warmth); balanced would spread.
    expect(leaseOf(await pools.acquire({ provider: "openai", model: "gpt-x" })).credential.id).toBe(a);
    const balanced = setup({
      strategy: "balanced",
      tolerance: 0,
      window: { kind: "daily" },
      credentials: [
        { credential: keys[0]!, maxConcurrency: 3, optimalConcurrency: 1 },
        { credential: keys[1]!, maxConcurrency: 3, optimalConcurrency: 1 },
      ],
    });
    const ids: string[] = [];
    for (let index = 0; index < 6; index++) ids.push(leaseOf(await balanced.pools.acquire({ provider: "openai", model: "gpt-x" })).credential.id);
    expect(tally(ids)).toEqual({ [a]: 3, [b]: 3 });
    expect(await balanced.pools.acquire({ provider: "openai", model: "gpt-x" })).toEqual({ kind: "wait", waitMs: 50, reason: "busy" });
  });
});

describe("session affinity", () => {
  it("keeps a session on its credential while healthy, and moves it when that credential cools", async () => {
    const { pools } = setup({ strategy: "balanced", tolerance: 0, credentials: keys.map((credential) => ({ credential })) });
    const first = await pickMany(pools, 1, "session-1");
    expect(await pickMany(pools, 10, "session-1")).toEqual(Array.from({ length: 10 }, () => first[0]));
    const lease = leaseOf(await pools.acquire({ provider: "openai", model: "gpt-x", sessionKey: "session-1" }));
    await lease.release({ kind: "failure", scope: "credential", code: "rate_limited", cooldownMs: 30_000 });
    const moved = await pickMany(pools, 5, "session-1");
    expect(moved[0]).not.toBe(first[0]);
    expect(new Set(moved).size).toBe(1);
    // Nobody is sent to the cooling credential meanwhile.
    expect((await pickMany(pools, 6)).includes(lease.credential.id)).toBe(false);
    expect([a, b, c, d]).toContain(moved[0]);
  });

  it("drops a binding after its TTL", async () => {
    const { pools, advance } = setup({ strategy: "balanced", tolerance: 0, affinity: { ttlMs: 1_000 } });
    expect(await pickMany(pools, 1, "s")).toEqual([a]);
    expect(await pickMany(pools, 1)).toEqual([b]);
    expect(await pickMany(pools, 2, "s")).toEqual([a, a]);
    advance(1_001);
    // The binding lapsed: least used decides again (a has 3 uses, b 1, c 0).
    expect(await pickMany(pools, 1, "s")).toEqual([c]);
  });
});

describe("concurrency", () => {
  it("never exceeds max concurrency under hundreds of parallel acquires", async () => {
    const { pools } = setup({ strategy: "balanced", tolerance: 2, credentials: keys.slice(0, 3).map((credential) => ({ credential, maxConcurrency: 2 })) });
    const inFlight = new Map<string, number>();
    let peak = 0;
    let served = 0;
    const request = async (index: number): Promise<void> => {
      for (;;) {
        const result = await pools.acquire({ provider: "openai", model: "gpt-x" });
        if (result.kind === "wait") {
          await new Promise((resolve) => setTimeout(resolve, 1));
          continue;
        }
        const lease = leaseOf(result);
        const id = lease.credential.id;
        inFlight.set(id, (inFlight.get(id) ?? 0) + 1);
        peak = Math.max(peak, inFlight.get(id) ?? 0);
        await new Promise((resolve) => setTimeout(resolve, index % 3));
        inFlight.set(id, (inFlight.get(id) ?? 0) - 1);
        served++;
        await lease.release({ kind: "success" });
        return;
      }
    };
    await Promise.all(Array.from({ length: 300 }, (_, index) => request(index)));
    expect(served).toBe(300);
    expect(peak).toBe(2);
    expect((await pools.pool("openai").status("gpt-x")).map((entry) => entry.inFlight)).toEqual([0, 0, 0]);
  });

  it("releases a lease once, however often release is called", async () => {
    const { pools } = setup({ credentials: [{ credential: keys[0]!, maxConcurrency: 1 }] });
    const lease = leaseOf(await pools.acquire({ provider: "openai", model: "gpt-x" }));
    await lease.release({ kind: "success" });
    await lease.release({ kind: "success" });
    const next = leaseOf(await pools.acquire({ provider: "openai", model: "gpt-x" }));
    expect(await pools.acquire({ provider: "openai", model: "gpt-x" })).toEqual({ kind: "wait", waitMs: 50, reason: "busy" });
    await next.release({ kind: "neutral" });
  });
});
