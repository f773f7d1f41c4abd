import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createCredential } from "../providers/index.js";
import { createMemoryStateStore, openFileStateStore, type StateStore } from "../state/index.js";
import { computeBackoffDelay, createCredentialPools, type AcquireResult, type CredentialLease, type CredentialPools } from "./index.js";

const keys = ["sk-cool-aaaaaaaaaaaaaaaa", "sk-cool-bbbbbbbbbbbbbbbb"].map((secret) => createCredential("anthropic", secret));
const [a, b] = keys.map((key) => key.id) as [string, string];
const start = Date.parse("2026-11-02T10:00:00Z");

/** A store as a remote backend (Redis) would be: the same contract, without the in-process synchronous reads. */
function withoutSynchronousReads(store: StateStore): StateStore {
  return {
    get: (key) => store.get(key),
    set: (key, value, options) => store.set(key, value, options),
    delete: (key) => store.delete(key),
    increment: (key, delta, options) => store.increment(key, delta, options),
    compareAndSet: (key, expected, next, options) => store.compareAndSet(key, expected, next, options),
    list: (prefix) => store.list(prefix),
    close: () => store.close(),
  };
}

type StoreFactory = (now: () => number) => StateStore;
const storeKinds: Array<[string, StoreFactory]> = [
  ["in process (synchronous reads)", (now) => createMemoryStateStore({ clock: { now } })],
  ["without synchronous reads (as a remote one)", (now) => withoutSynchronousReads(createMemoryStateStore({ clock: { now } }))],
];

function setup(store?: StateStore | StoreFactory, clock = { current: start }) {
  const now = (): number => clock.current;
  const used = typeof store === "function" ? store(now) : (store ?? createMemoryStateStore({ clock: { now } }));
  const pools = createCredentialPools({
    pools: [{ provider: "anthropic", strategy: "sequential", credentials: keys.map((credential) => ({ credential })), backoff: { baseMs: 1_000, maxMs: 8_000 } }],
    store: used,
    environment: { now, random: () => 0.5 },
  });
  return { pools, store: used, clock };
}

async function lease(pools: CredentialPools, model = "claude-x"): Promise<CredentialLease> {
  const result: AcquireResult = await pools.acquire({ provider: "anthropic", model });
  if (result.kind !== "lease") throw new Error(`expected a lease, got ${JSON.stringify(result)}`);
  return result.lease;
}

describe.each(storeKinds)("cooldowns, store %s", (_kind, makeStore) => {
  it("only extend: a shorter cooldown never replaces a longer one", async () => {
    const { pools } = setup(makeStore);
    const first = await lease(pools);
    const second = await lease(pools);
    expect((await first.release({ kind: "failure", scope: "credential", code: "rate_limited", cooldownMs: 60_000 })).cooldown).toMatchObject({ until: start + 60_000 });
    expect((await second.release({ kind: "failure", scope: "credential", code: "rate_limited", cooldownMs: 5_000 })).cooldown).toMatchObject({ until: start + 60_000 });
    expect(await pools.pool("anthropic").listCooldowns()).toEqual([
      { provider: "anthropic", scope: "credential", credentialId: a, since: start, until: start + 60_000, code: "rate_limited" },
    ]);
  });

  it("apply to their scope only", async () => {
    const { pools, clock } = setup(makeStore);
    await (await lease(pools)).release({ kind: "failure", scope: "credential-model", code: "quota_exhausted", cooldownMs: 10_000 });
    expect((await lease(pools, "claude-x")).credential.id).toBe(b);
    expect((await pools.pool("anthropic").status("claude-x"))[0]?.state).toEqual({ kind: "cooling", until: start + 10_000, scope: "credential-model", code: "quota_exhausted" });
    expect((await pools.pool("anthropic").status("claude-y"))[0]?.state).toEqual({ kind: "ready" });

    await (await lease(pools, "claude-z")).release({ kind: "failure", scope: "model", code: "overloaded", cooldownMs: 20_000 });
    expect(await pools.acquire({ provider: "anthropic", model: "claude-z" })).toEqual({ kind: "wait", waitMs: 20_000, reason: "cooling" });

    await (await lease(pools, "claude-y")).release({ kind: "failure", scope: "provider", code: "upstream_server", cooldownMs: 3_000 });
    // Every credential is cooling: wait for the earliest end (a: max of provider 3 s and a-on-claude-x 10 s; b: 3 s).
    expect(await pools.acquire({ provider: "anthropic", model: "claude-x" })).toEqual({ kind: "wait", waitMs: 3_000, reason: "cooling" });
    clock.current += 3_000;
    expect((await lease(pools, "claude-x")).credential.id).toBe(b);
  });

  it("back off exponentially with jitter, bounded, when no duration is given; success clears the history", async () => {
    const { pools, clock } = setup(makeStore);
    const durations: number[] = [];
    const failOnce = async (): Promise<number> => {
      const held = await lease(pools, "claude-x");
      const { cooldown } = await held.release({ kind: "failure", scope: "model", code: "overloaded" });
      const duration = (cooldown?.until ?? 0) - clock.current;
      clock.current += duration;
      return duration;
    };
    for (let index = 0; index < 6; index++) durations.push(await failOnce());
    // random 0.5 → 75 % of nominal: 1, 2, 4, 8 s, then capped at 8 s.
    expect(durations).toEqual([750, 1_500, 3_000, 6_000, 6_000, 6_000]);
    await (await lease(pools, "claude-x")).release({ kind: "success" });
    expect(await failOnce()).toBe(750);
    expect(computeBackoffDelay(3, { baseMs: 1_000, maxMs: 8_000 }, () => 0)).toBe(2_000);
    expect(computeBackoffDelay(40, { baseMs: 1_000, maxMs: 8_000 }, () => 0.999_999)).toBe(8_000);
  });

  it("survive a success on a lease acquired before the failure (older evidence)", async () => {
    const { pools, clock } = setup(makeStore);
    const early = await lease(pools, "claude-x");
    clock.current += 10;
    const failing = await lease(pools, "claude-x");
    await failing.release({ kind: "failure", scope: "model", code: "overloaded", cooldownMs: 60_000 });
    await early.release({ kind: "success" });
    expect(await pools.pool("anthropic").listCooldowns()).toEqual([
      { provider: "anthropic", scope: "model", model: "claude-x", since: start + 10, until: start + 60_010, code: "overloaded" },
    ]);
    expect(await pools.acquire({ provider: "anthropic", model: "claude-x" })).toEqual({ kind: "wait", waitMs: 60_000, reason: "cooling" });
  });

  it("are listable and resettable by hand, per credential; a disabled credential stays out until reset", async () => {
    const { pools } = setup(makeStore);
    await (await lease(pools)).release({ kind: "disable", code: "authentication" });
    await (await lease(pools)).release({ kind: "failure", scope: "credential", code: "rate_limited", cooldownMs: 60_000 });
    expect(await pools.acquire({ provider: "anthropic", model: "claude-x" })).toEqual({ kind: "wait", waitMs: 60_000, reason: "cooling" });
    const status = await pools.pool("anthropic").status("claude-x");
    expect(status.map((entry) => entry.state)).toEqual([
      { kind: "disabled", code: "authentication" },
      { kind: "cooling", until: start + 60_000, scope: "credential", code: "rate_limited" },
    ]);
    expect(await pools.pool("anthropic").reset(b)).toBe(1);
    expect((await lease(pools)).credential.id).toBe(b);
    await pools.pool("anthropic").reset(a);
    expect((await pools.pool("anthropic").status("claude-x")).map((entry) => entry.state.kind)).toEqual(["ready", "ready"]);
  });

  it("report unavailable (not wait) when every credential is disabled", async () => {
    const { pools } = setup(makeStore);
    await (await lease(pools)).release({ kind: "disable", code: "authentication" });
    await (await lease(pools)).release({ kind: "disable", code: "permission" });
    expect(await pools.acquire({ provider: "anthropic", model: "claude-x" })).toEqual({ kind: "unavailable", reason: "disabled" });
  });
});

describe("restart", () => {
  it("keeps cooldowns, usage and the sequential position across a restart with the file store", async () => {
    const directory = await mkdtemp(join(tmpdir(), "switchyard-pool-"));
    try {
      const path = join(directory, "state.json");
      const clock = { current: start };
      const firstStore = await openFileStateStore({ path, clock: { now: () => clock.current } });
      const first = setup(firstStore, clock);
      await (await lease(first.pools)).release({ kind: "success" });
      await (await lease(first.pools)).release({ kind: "failure", scope: "credential", code: "rate_limited", cooldownMs: 120_000 });
      await (await lease(first.pools)).release({ kind: "success" });
      await firstStore.close();

      clock.current += 1_000;
      const secondStore = await openFileStateStore({ path, clock: { now: () => clock.current } });
      const second = setup(secondStore, clock);
      expect(await second.pools.pool("anthropic").listCooldowns()).toEqual([
        { provider: "anthropic", scope: "credential", credentialId: a, since: start, until: start + 120_000, code: "rate_limited" },
      ]);
      const status = await second.pools.pool("anthropic").status("claude-x");
      expect(status.map((entry) => [entry.credentialId, Math.round(entry.windowUsage)])).toEqual([
        [a, 2],
        [b, 1],
      ]);
      expect((await lease(second.pools)).credential.id).toBe(b);
      await secondStore.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it("a credential cooled before a restart must pass one probe after it, and its recent errors are still listed", async () => {
    const directory = await mkdtemp(join(tmpdir(), "switchyard-pool-"));
    try {
      const path = join(directory, "state.json");
      const clock = { current: start };
      const open = () => openFileStateStore({ path, clock: { now: () => clock.current } });
      const firstStore = await open();
      const first = setup(firstStore, clock);
      await (await lease(first.pools)).release({ kind: "failure", scope: "credential", code: "rate_limited", cooldownMs: 120_000 });
      first.pools.pool("anthropic").recordError(a, { code: "rate_limited", status: 429 });
      await (await lease(first.pools)).release({ kind: "failure", scope: "credential", code: "rate_limited", cooldownMs: 3_600_000 });
      await firstStore.close();

      // The process was down while a's cooldown ended; b still cools.
      clock.current += 121_000;
      const secondStore = await open();
      const second = setup(secondStore, clock);
      const [statusA] = await second.pools.pool("anthropic").status("claude-x");
      expect(statusA?.recentErrors).toEqual([{ code: "rate_limited", status: 429, at: start }]);
      const [probe, other] = await Promise.all([second.pools.acquire({ provider: "anthropic", model: "claude-x" }), second.pools.acquire({ provider: "anthropic", model: "claude-x" })]);
      expect(probe).toMatchObject({ kind: "lease", lease: { isProbe: true, credential: { id: a } } });
      expect(other).toMatchObject({ kind: "wait", reason: "busy" });
      if (probe.kind === "lease") await probe.lease.release({ kind: "success" });
      await secondStore.close();

      // The probe passed before this restart: no probation after it.
      const thirdStore = await open();
      const third = setup(thirdStore, clock);
      const leases = await Promise.all([lease(third.pools), lease(third.pools)]);
      expect(leases.map((entry) => [entry.credential.id, entry.isProbe])).toEqual([
        [a, false],
        [a, false],
      ]);
      await thirdStore.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
