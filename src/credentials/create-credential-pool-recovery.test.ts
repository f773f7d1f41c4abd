import { describe, expect, it } from "vitest";
import { createCredential } from "../providers/index.js";
import { createMemoryStateStore } from "../state/index.js";
import { createCredentialPools, type AcquireResult, type CredentialLease, type CredentialPoolSettings, type PooledCredentialSettings } from "./index.js";

const keys = ["sk-test-aaaaaaaaaaaaaaaa", "sk-test-bbbbbbbbbbbbbbbb", "sk-test-cccccccccccccccc"].map((secret) => createCredential("openai", secret));
const [a, b, c] = keys.map((key) => key.id) as [string, string, string];

function setup(pool: Partial<CredentialPoolSettings> & { credentials?: PooledCredentialSettings[] }) {
  const clock = { current: Date.parse("2026-11-02T10:00:00Z") };
  const now = (): number => clock.current;
  const store = createMemoryStateStore({ clock: { now } });
  const pools = createCredentialPools({
    pools: [{ provider: "openai", strategy: "sequential", credentials: keys.map((credential) => ({ credential })), ...pool }],
    store,
    environment: { now, random: () => 0.5 },
  });
  const acquire = (model = "gpt-x", sessionKeys?: string[]): Promise<AcquireResult> =>
    pools.acquire({ provider: "openai", model, ...(sessionKeys === undefined ? {} : { sessionKeys }) });
  return { pools, pool: pools.pool("openai"), acquire, advance: (ms: number) => void (clock.current += ms), now };
}

function leaseOf(result: AcquireResult): CredentialLease {
  if (result.kind !== "lease") throw new Error(`expected a lease, got ${JSON.stringify(result)}`);
  return result.lease;
}

async function pick(acquire: (model?: string) => Promise<AcquireResult>, model = "gpt-x"): Promise<string> {
  const lease = leaseOf(await acquire(model));
  await lease.release({ kind: "success" });
  return lease.credential.id;
}

describe("recovery after a cooldown: one probe, no stampede", () => {
  it("lets exactly one request through when the cooldown ends; the rest wait until the probe succeeds", async () => {
    const { acquire, advance } = setup({ credentials: [{ credential: keys[0]! }] });
    await leaseOf(await acquire()).release({ kind: "failure", scope: "credential", code: "rate_limited", cooldownMs: 10_000 });
    expect(await acquire()).toMatchObject({ kind: "wait", reason: "cooling", waitMs: 10_000 });
    advance(10_000);
    const answers = await Promise.all(Array.from({ length: 50 }, () => acquire()));
    const probes = answers.filter((answer) => answer.kind === "lease");
    expect(probes).toHaveLength(1);
    expect(answers.filter((answer) => answer.kind === "wait" && answer.reason === "busy")).toHaveLength(49);
    const probe = leaseOf(probes[0]!);
    expect(probe.isProbe).toBe(true);
    await probe.release({ kind: "success" });
    // Probation is over: concurrent requests all get the credential again (up to its max concurrency of 8).
    const after = await Promise.all(Array.from({ length: 8 }, () => acquire()));
    expect(after.every((answer) => answer.kind === "lease" && !answer.lease.isProbe)).toBe(true);
  });

  it("a failed probe re-cools with a longer backoff than the provider's short retry-after, and probes again after it", async () => {
    const { acquire, advance, pool } = setup({ credentials: [{ credential: keys[0]! }], backoff: { baseMs: 20_000, maxMs: 600_000 } });
    await leaseOf(await acquire()).release({ kind: "failure", scope: "credential-model", code: "rate_limited", cooldownMs: 1_000 });
    advance(1_000);
    const probe = leaseOf(await acquire());
    expect(probe.isProbe).toBe(true);
    const released = await probe.release({ kind: "failure", scope: "credential-model", code: "rate_limited", cooldownMs: 1_000 });
    // Second failure in a row: backoff 40 s nominal, equal jitter with random 0.5 → 30 s, not the 1 s asked for.
    expect((released.cooldown?.until ?? 0) - (released.cooldown?.since ?? 0)).toBe(30_000);
    advance(29_999);
    expect(await acquire()).toMatchObject({ kind: "wait", reason: "cooling", waitMs: 1 });
    advance(1);
    expect(leaseOf(await acquire()).isProbe).toBe(true);
    expect((await pool.status("gpt-x"))[0]?.state).toEqual({ kind: "probing" });
  });

  it("sends other traffic to healthy credentials while the probe runs", async () => {
    const { acquire, advance } = setup({});
    await leaseOf(await acquire()).release({ kind: "failure", scope: "credential", code: "rate_limited", cooldownMs: 5_000 });
    advance(5_000);
    // Sequential moved to b; a's cooldown ended, but b stays the sticky one and a is only probed when picked.
    const held = await Promise.all(Array.from({ length: 12 }, () => acquire()));
    expect(held.every((answer) => answer.kind === "lease")).toBe(true);
    const usedA = held.filter((answer) => answer.kind === "lease" && answer.lease.credential.id === a);
    expect(usedA).toHaveLength(1);
  });
});

describe("proactive steering from remaining-quota headers", () => {
  it("avoids a credential whose remaining requests reached the threshold until the reset, before any 429", async () => {
    const { acquire, advance, pool } = setup({ steering: { requests: 2 } });
    expect(await pick(acquire)).toBe(a);
    pool.observeRateLimit(a, "gpt-x", { requests: { limit: 100, remaining: 2, resetAfterMs: 6_000 } });
    expect([await pick(acquire), await pick(acquire)]).toEqual([b, b]);
    advance(6_000);
    // After the reset b is still the sticky one (sequential), but a is eligible again.
    pool.observeRateLimit(b, "gpt-x", { tokens: { remaining: 0, resetAfterMs: 1_000 } });
    expect(await pick(acquire)).toBe(a);
  });

  it("newer headers with quota left lift the steer; a model of another quota is not steered", async () => {
    const { acquire, pool } = setup({ strategy: "balanced", tolerance: 0 });
    pool.observeRateLimit(a, "gpt-x", { requests: { remaining: 0, resetAfterMs: 60_000 } });
    expect([await pick(acquire), await pick(acquire), await pick(acquire)]).toEqual([b, c, b]);
    expect(await pick(acquire, "gpt-other")).toBe(a);
    pool.observeRateLimit(a, "gpt-x", { requests: { remaining: 50, resetAfterMs: 60_000 } });
    expect(await pick(acquire)).toBe(a);
  });

  it("uses a steered credential when nothing else is ready rather than failing", async () => {
    const { acquire, pool } = setup({ credentials: [{ credential: keys[0]! }] });
    pool.observeRateLimit(a, "gpt-x", { requests: { remaining: 0, resetAfterMs: 60_000 } });
    expect(await pick(acquire)).toBe(a);
  });
});

describe("quota groups", () => {
  const quotaGroups = { "gemini-pro": ["gemini-2.5-pro*", "gemini-3-pro*"] };

  it("quota exhausted on one model of a group cools the group on that credential only", async () => {
    const { acquire, pool } = setup({ quotaGroups });
    const lease = leaseOf(await acquire("gemini-2.5-pro"));
    const released = await lease.release({ kind: "failure", scope: "credential-group", code: "quota_exhausted", cooldownMs: 3_600_000 });
    expect(released.cooldown).toMatchObject({ scope: "credential-group", credentialId: a, group: "gemini-pro" });
    expect(await pick(acquire, "gemini-3-pro-preview")).toBe(b);
    // A model outside the group still sees the credential ready.
    expect((await pool.status("gemini-2.5-flash"))[0]?.state).toEqual({ kind: "ready" });
    expect((await pool.status("gemini-3-pro"))[0]?.state).toMatchObject({ kind: "cooling", scope: "credential-group" });
    expect((await pool.listCooldowns()).map((record) => record.scope)).toEqual(["credential-group"]);
  });

  it("a 429 on a grouped model cools the group; without groups an exhausted quota cools the whole credential", async () => {
    const grouped = setup({ quotaGroups });
    await leaseOf(await grouped.acquire("gemini-3-pro")).release({ kind: "failure", scope: "credential-model", code: "rate_limited", cooldownMs: 60_000 });
    expect(await pick(grouped.acquire, "gemini-2.5-pro")).toBe(b);
    const plain = setup({});
    await leaseOf(await plain.acquire("gemini-3-pro")).release({ kind: "failure", scope: "credential-group", code: "quota_exhausted", cooldownMs: 60_000 });
    expect(await pick(plain.acquire, "gemini-2.5-flash")).toBe(b);
  });
});

describe("exhausted without a reset time", () => {
  const exhausted = { kind: "failure", scope: "credential-group", code: "quota_exhausted" } as const;

  it("warn: no cooldown, a warning for the log", async () => {
    const { acquire } = setup({ exhaustedWithoutReset: { kind: "warn" } });
    const released = await leaseOf(await acquire()).release(exhausted);
    expect(released).toEqual({ warning: "quota exhausted without a reset time; policy warn: not cooling" });
    expect(await pick(acquire)).toBe(a);
  });

  it("cooldown for a fixed time", async () => {
    const { acquire } = setup({ exhaustedWithoutReset: { kind: "cooldown", ms: 900_000 } });
    const released = await leaseOf(await acquire()).release(exhausted);
    expect((released.cooldown?.until ?? 0) - (released.cooldown?.since ?? 0)).toBe(900_000);
    expect(await pick(acquire)).toBe(b);
  });

  it("disable until reset by hand", async () => {
    const { acquire, pool } = setup({ exhaustedWithoutReset: { kind: "disable" } });
    await leaseOf(await acquire()).release(exhausted);
    expect((await pool.status("gpt-x"))[0]?.state).toEqual({ kind: "disabled", code: "quota_exhausted" });
    expect(await pool.reset(a)).toBe(1);
    expect((await pool.status("gpt-x"))[0]?.state).toEqual({ kind: "ready" });
  });
});

describe("custom caps", () => {
  it("an absolute cap per model pattern rests the credential for each matching model until the window resets", async () => {
    const { acquire, pool } = setup({ window: { kind: "daily" }, caps: [{ models: "gpt-big*", limit: 2 }] });
    expect([await pick(acquire, "gpt-big-1"), await pick(acquire, "gpt-big-1"), await pick(acquire, "gpt-big-1")]).toEqual([a, a, b]);
    expect(await acquire("gpt-big-1").then((answer) => answer.kind === "lease" && answer.lease.credential.id)).toBe(b);
    // Each matching model counts on its own; other models are not capped.
    expect((await pool.status("gpt-big-1"))[0]?.state).toEqual({ kind: "capped", until: Date.parse("2026-11-03T00:00:00Z") });
    expect((await pool.status("gpt-big-2"))[0]?.state).toEqual({ kind: "ready" });
    expect((await pool.status("gpt-small"))[0]?.state).toEqual({ kind: "ready" });
  });

  it("a percentage of the limit the provider announced, and an offset from a configured one", async () => {
    const percent = setup({ window: { kind: "daily" }, caps: [{ limit: "50%" }] });
    // Unknown limit: not enforced yet.
    expect([await pick(percent.acquire), await pick(percent.acquire)]).toEqual([a, a]);
    percent.pool.observeRateLimit(a, "gpt-x", { requests: { limit: 4, remaining: 100 } });
    expect(await pick(percent.acquire)).toBe(b);
    const offset = setup({ window: { kind: "daily" }, caps: [{ limit: "-8", knownLimit: 10 }] });
    expect([await pick(offset.acquire), await pick(offset.acquire), await pick(offset.acquire)]).toEqual([a, a, b]);
  });

  it("a cap for one tier leaves other tiers alone; a fixed-cooldown action cools, then counts again", async () => {
    const { acquire, advance, pool } = setup({
      window: { kind: "daily" },
      credentials: [{ credential: keys[0]!, tier: 1 }, { credential: keys[1]!, tier: 2 }],
      caps: [{ tier: 1, limit: 1, onHit: { kind: "cooldown", ms: 60_000 } }],
    });
    expect([await pick(acquire), await pick(acquire), await pick(acquire)]).toEqual([a, b, b]);
    expect((await pool.listCooldowns())[0]).toMatchObject({ scope: "credential", credentialId: a, code: "quota_exhausted" });
    advance(60_000);
    // The count restarted with the cooldown: a serves again (as the probe), then rests again.
    expect([await pick(acquire), await pick(acquire)]).toEqual([a, b]);
  });
});

describe("usage windows", () => {
  it("weekly and monthly windows reset on their calendar boundary", async () => {
    const weekly = setup({ window: { kind: "weekly", resetDayUtc: 1 }, credentials: [{ credential: keys[0]!, windowCap: 1 }] });
    await pick(weekly.acquire);
    // 2026-11-02 is a Monday: the window ends next Monday 00:00 UTC.
    expect(await weekly.acquire()).toEqual({ kind: "wait", reason: "capped", waitMs: Date.parse("2026-11-09T00:00:00Z") - Date.parse("2026-11-02T10:00:00Z") });
    const monthly = setup({ window: { kind: "monthly", resetDayOfMonth: 15, resetHourUtc: 6 }, credentials: [{ credential: keys[0]!, windowCap: 1 }] });
    await pick(monthly.acquire);
    expect(await monthly.acquire()).toEqual({ kind: "wait", reason: "capped", waitMs: Date.parse("2026-11-15T06:00:00Z") - Date.parse("2026-11-02T10:00:00Z") });
    monthly.advance(Date.parse("2026-11-15T06:00:00Z") - Date.parse("2026-11-02T10:00:00Z"));
    expect(await pick(monthly.acquire)).toBe(a);
  });

  it("the provider window takes used and reset from the provider's headers", async () => {
    const { acquire, pool, now } = setup({ window: { kind: "provider" }, credentials: [{ credential: keys[0]!, windowCap: 90 }, { credential: keys[1]! }] });
    pool.observeRateLimit(a, "gpt-x", { requests: { limit: 100, remaining: 10, resetAfterMs: 42_000 } });
    expect((await pool.status("gpt-x"))[0]?.state).toEqual({ kind: "capped", until: now() + 42_000 });
    expect(await pick(acquire)).toBe(b);
    pool.observeRateLimit(a, "gpt-x", { requests: { limit: 100, remaining: 11, resetAfterMs: 42_000 } });
    expect((await pool.status("gpt-x"))[0]?.state).toEqual({ kind: "ready" });
  });
});

describe("content-evidence affinity", () => {
  it("follows the first bound piece of evidence and binds all of them, so a compacted history stays put", async () => {
    const { acquire } = setup({ strategy: "balanced", tolerance: 0 });
    const first = leaseOf(await acquire("gpt-x", ["first-user:x", "tool-pair:1"]));
    await first.release({ kind: "success" });
    expect(await pick(() => acquire("gpt-x", ["first-user:x", "tool-pair:2", "tool-pair:1"]))).toBe(first.credential.id);
    // Compacted: the first user turn changed, a recent tool pair survived.
    expect(await pick(() => acquire("gpt-x", ["first-user:summary", "tool-pair:2"]))).toBe(first.credential.id);
    expect(await pick(() => acquire("gpt-x", ["first-user:summary"]))).toBe(first.credential.id);
    // Unrelated evidence goes wherever balancing says.
    expect(await pick(() => acquire("gpt-x", ["first-user:other"]))).not.toBe(first.credential.id);
  });
});

describe("recent errors", () => {
  it("keeps the newest ten failures per credential with class, status and time", async () => {
    const { pool, advance, now } = setup({});
    for (let index = 0; index < 12; index++) {
      pool.recordError(a, { code: index % 2 === 0 ? "rate_limited" : "upstream_server", status: index % 2 === 0 ? 429 : 502 });
      advance(1);
    }
    const errors = (await pool.status("gpt-x"))[0]?.recentErrors ?? [];
    expect(errors).toHaveLength(10);
    expect(errors.at(-1)).toEqual({ code: "upstream_server", status: 502, at: now() - 1 });
    expect((await pool.status("gpt-x"))[1]?.recentErrors).toEqual([]);
    expect(c).toBeDefined();
  });
});
