import { describe, expect, it } from "vitest";
import { createCredential } from "../providers/index.js";
import { createMemoryStateStore, type StateStore } from "../state/index.js";
import { createCredentialPools, type AcquireResult, type CredentialLease, type CredentialPoolSettings, type LeaseOutcome } from "./index.js";

// `fair-cycle` as issue 4 defines it: a credential serves until it is exhausted (rate limited, quota exhausted, a cap
// hit), then the next one not yet exhausted in the cycle; a recovered credential waits until every credential was
// exhausted once (or the cycle duration passed). Round robin ("each used once before any twice") fails every test here.

const keys = ["sk-cycle-aaaaaaaaaaaaaaaa", "sk-cycle-bbbbbbbbbbbbbbbb", "sk-cycle-cccccccccccccccc"].map((secret) => createCredential("openai", secret));
const [a, b, c] = keys.map((key) => key.id) as [string, string, string];
const rateLimited = (cooldownMs: number): LeaseOutcome => ({ kind: "failure", scope: "credential-model", code: "rate_limited", cooldownMs });

/** A fair-cycle pool over three credentials; `restartOf` shares the store and clock of an earlier pool (a restart). */
function setup(pool: Partial<CredentialPoolSettings> = {}, restartOf?: { store: StateStore; clock: { current: number } }) {
  const clock = restartOf?.clock ?? { current: Date.parse("2026-11-02T10:00:00Z") };
  const store = restartOf?.store ?? createMemoryStateStore({ clock: { now: () => clock.current } });
  const pools = createCredentialPools({
    pools: [{ provider: "openai", strategy: "fair-cycle", credentials: keys.map((credential) => ({ credential })), ...pool }],
    store,
    environment: { now: () => clock.current, random: () => 0.5 },
  });
  const acquire = async (model = "gpt-x"): Promise<CredentialLease> => leaseOf(await pools.acquire({ provider: "openai", model }));
  /** `count` requests that succeed, in turn; the credentials that served them. */
  const pick = async (count: number, model = "gpt-x"): Promise<string[]> => {
    const picked: string[] = [];
    for (let index = 0; index < count; index++) {
      const lease = await acquire(model);
      picked.push(lease.credential.id);
      await lease.release({ kind: "success" });
    }
    return picked;
  };
  /** One request that ends with `outcome`; the credential it went to. */
  const fail = async (outcome: LeaseOutcome, model = "gpt-x"): Promise<string> => {
    const lease = await acquire(model);
    await lease.release(outcome);
    return lease.credential.id;
  };
  return { pools, store, clock, acquire, pick, fail, advance: (ms: number) => void (clock.current += ms) };
}

function leaseOf(result: AcquireResult): CredentialLease {
  if (result.kind !== "lease") throw new Error(`expected a lease, got ${JSON.stringify(result)}`);
  return result.lease;
}

describe("fair-cycle", () => {
  it("serves from one credential until it is exhausted; a recovered one waits until every credential was exhausted once", async () => {
    const { pick, fail, advance } = setup();
    expect(await pick(4)).toEqual([a, a, a, a]);
    expect(await fail(rateLimited(1_000))).toBe(a);
    expect(await pick(3)).toEqual([b, b, b]);
    advance(2_000);
    // a cooled down, but b is not exhausted yet: b keeps serving.
    expect(await pick(2)).toEqual([b, b]);
    expect(await fail(rateLimited(1_000))).toBe(b);
    // a and b both recovered before c runs out; neither is reused while c is fresh.
    advance(2_000);
    expect(await pick(3)).toEqual([c, c, c]);
    expect(await fail(rateLimited(60_000))).toBe(c);
    // Every credential was exhausted once: a new cycle starts, in configuration order.
    expect(await pick(2)).toEqual([a, a]);
    expect(await fail(rateLimited(60_000))).toBe(a);
    expect(await pick(1)).toEqual([b]);
  });

  it("counts quota exhaustion and cap hits as exhausted, but not other failures", async () => {
    const { pick, fail, advance } = setup({ credentials: [{ credential: keys[0]! }, { credential: keys[1]!, windowCap: 1 }, { credential: keys[2]! }], window: { kind: "daily" } });
    expect(await fail({ kind: "failure", scope: "credential-group", code: "quota_exhausted", cooldownMs: 1_000 })).toBe(a);
    // b serves once and reaches its cap: c takes over.
    expect(await pick(3)).toEqual([b, c, c]);
    // A day later a recovered and b's window reset, yet both were exhausted in this cycle: c stays.
    advance(86_400_000);
    expect(await pick(2)).toEqual([c, c]);
    // c cools for a reason other than running out; every other credential was exhausted: a new cycle starts at a.
    expect(await fail({ kind: "failure", scope: "credential", code: "overloaded", cooldownMs: 1_000 })).toBe(c);
    expect(await pick(1)).toEqual([a]);
    // In the new cycle b is fresh again.
    expect(await fail(rateLimited(60_000))).toBe(a);
    expect(await pick(1)).toEqual([b]);
  });

  it("moves on from a credential that cools for another reason, and returns to it before any exhausted one", async () => {
    const { pick, fail, advance } = setup();
    expect(await fail({ kind: "failure", scope: "credential", code: "overloaded", cooldownMs: 1_000 })).toBe(a);
    expect(await pick(2)).toEqual([b, b]);
    advance(2_000);
    // b stays while it is healthy; when it runs out, a (never exhausted) serves rather than c being skipped to.
    expect(await pick(1)).toEqual([b]);
    expect(await fail(rateLimited(60_000))).toBe(b);
    expect(await pick(2)).toEqual([a, a]);
  });

  it("restarts the cycle after cycleDurationMs even if not every credential was exhausted", async () => {
    const run = async (cycleDurationMs?: number): Promise<string[]> => {
      const { pick, fail, advance } = setup(cycleDurationMs === undefined ? {} : { cycleDurationMs });
      await fail(rateLimited(1_000));
      await pick(1);
      advance(10_000);
      // b serves on (it is healthy); the cycle duration only decides what counts as exhausted.
      const during = await pick(1);
      await fail(rateLimited(60_000));
      return [...during, ...(await pick(1))];
    };
    expect(await run(5_000)).toEqual([b, a]);
    expect(await run()).toEqual([b, c]);
  });

  it("keeps one cycle per quota group by default, and one for the provider with cycleScope credential", async () => {
    const perGroup = setup({ quotaGroups: { pro: ["gpt-pro*"] } });
    expect(await perGroup.fail(rateLimited(1_000), "gpt-pro-1")).toBe(a);
    // The group's cycle moved on (also for its other model); another model's cycle did not.
    expect(await perGroup.pick(1, "gpt-pro-2")).toEqual([b]);
    expect(await perGroup.pick(2, "gpt-mini")).toEqual([a, a]);
    perGroup.advance(2_000);
    expect(await perGroup.pick(1, "gpt-pro-1")).toEqual([b]);

    const perCredential = setup({ cycleScope: "credential" });
    expect(await perCredential.fail(rateLimited(1_000), "gpt-x")).toBe(a);
    // a is healthy for gpt-mini (the cooldown is per model), but it was exhausted in the provider's one cycle.
    expect(await perCredential.pick(2, "gpt-mini")).toEqual([b, b]);
  });

  it("overflows to another fresh credential when the serving one is at max concurrency, without moving the cycle", async () => {
    const { acquire, pick } = setup({ credentials: keys.map((credential) => ({ credential, maxConcurrency: 2, optimalConcurrency: 1 })) });
    const first = await acquire();
    // At its optimal concurrency a yields to fresh credentials under theirs; once all are at optimal, a serves up to its max.
    const second = await acquire();
    const third = await acquire();
    const fourth = await acquire();
    expect([first, second, third, fourth].map((lease) => lease.credential.id)).toEqual([a, b, c, a]);
    await Promise.all([first, second, third, fourth].map((lease) => lease.release({ kind: "success" })));
    expect(await pick(3)).toEqual([a, a, a]);
  });

  it("spills onto an exhausted credential while the fresh one is only busy, without starting a new cycle", async () => {
    const { acquire, pick, fail, advance } = setup({ credentials: keys.slice(0, 2).map((credential) => ({ credential, maxConcurrency: 1 })) });
    expect(await fail(rateLimited(1_000))).toBe(a);
    advance(2_000);
    const held = await acquire();
    expect(held.credential.id).toBe(b);
    // b is at its max: the request is served by a (recovered) rather than kept waiting, but b still serves the cycle.
    const spilled = await acquire();
    expect(spilled.credential.id).toBe(a);
    await Promise.all([held, spilled].map((lease) => lease.release({ kind: "success" })));
    expect(await pick(2)).toEqual([b, b]);
  });

  it("uses the highest tier first: a recovered tier-1 credential starts a new cycle there", async () => {
    const { pick, fail, advance } = setup({ credentials: [{ credential: keys[0]!, tier: 1 }, { credential: keys[1]!, tier: 2 }, { credential: keys[2]!, tier: 2 }] });
    expect(await fail(rateLimited(1_000))).toBe(a);
    expect(await pick(2)).toEqual([b, b]);
    advance(2_000);
    expect(await pick(2)).toEqual([a, a]);
  });

  it("survives a restart: the serving credential and the exhausted ones come back from the store", async () => {
    const first = setup();
    await first.fail(rateLimited(1_000));
    expect(await first.pick(1)).toEqual([b]);
    const second = setup({}, first);
    // a recovered meanwhile: only the stored cycle says it was exhausted.
    second.advance(2_000);
    expect(await second.pick(1)).toEqual([b]);
    await second.fail(rateLimited(60_000));
    expect(await second.pick(1)).toEqual([c]);
  });

  it("a manual reset makes a credential fresh again in every cycle", async () => {
    const { pools, pick, fail, advance } = setup();
    await fail(rateLimited(60_000));
    expect(await pick(1)).toEqual([b]);
    expect(await pools.pool("openai").reset(a)).toBeGreaterThan(0);
    advance(1);
    // b serves on (sticky), but when it runs out, a comes before c.
    expect(await pick(1)).toEqual([b]);
    await fail(rateLimited(60_000));
    expect(await pick(1)).toEqual([a]);
  });
});
