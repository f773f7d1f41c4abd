import { z } from "zod";
import type { Credential } from "../providers/index.js";
import type { StateStore } from "../state/index.js";
import { GatewayError } from "../unified/index.js";
import { computeBackoffDelay } from "./compute-backoff-delay.js";
import { createCooldownLedger, type CooldownTarget, type CredentialBlock } from "./create-cooldown-ledger.js";
import { createSessionAffinity } from "./create-session-affinity.js";
import { createUsageCounter } from "./count-usage-window.js";
import type {
  AcquireResult,
  CooldownRecord,
  CredentialLease,
  CredentialPoolSettings,
  CredentialStatus,
  LeaseOutcome,
  PoolEnvironment,
  ReleaseResult,
} from "./credential-pool-settings.js";
import { selectCredential, type SelectionCandidate } from "./select-credential.js";

/** One provider's pool: leases, outcomes, cooldowns and status. */
export interface CredentialPool {
  readonly provider: string;
  acquire(request: { model: string; sessionKey?: string }): Promise<AcquireResult>;
  listCooldowns(): Promise<CooldownRecord[]>;
  /** Clear cooldowns, failure history and the disabled mark of one credential, or of the whole provider. */
  reset(credentialId?: string): Promise<number>;
  status(model: string): Promise<CredentialStatus[]>;
}

interface PoolMember {
  credential: Credential;
  order: number;
  tier: number;
  maxConcurrency: number;
  optimalConcurrency: number;
  windowCap?: number;
}

const rotationStateSchema = z.object({ stickyId: z.string().optional(), usedInCycle: z.array(z.string()), cycleStartedAt: z.number() });
const failureHistoryMs = 15 * 60_000;

/**
 * Build the pool of `settings.provider`. In-flight counts live in this process only (a lease dies with its
 * process, so a persisted count would leak after a crash); cooldowns, usage, rotation and affinity live in `store`.
 * Every decision about in-flight counts happens synchronously after the last await of `acquire`, which is what
 * makes "never more than max" hold under any number of concurrent callers.
 */
export function createCredentialPool(settings: CredentialPoolSettings, store: StateStore, environment: PoolEnvironment): CredentialPool {
  const provider = settings.provider;
  const members: PoolMember[] = settings.credentials.map((entry, order) => {
    const maxConcurrency = entry.maxConcurrency ?? 8;
    if (!(maxConcurrency >= 1)) throw new GatewayError("config", `credential ${entry.credential.id}: maxConcurrency must be at least 1`);
    const member: PoolMember = {
      credential: entry.credential,
      order,
      tier: entry.tier ?? 1,
      maxConcurrency,
      optimalConcurrency: Math.min(entry.optimalConcurrency ?? maxConcurrency, maxConcurrency),
    };
    if (entry.windowCap !== undefined) member.windowCap = entry.windowCap;
    return member;
  });
  const ids = members.map((member) => member.credential.id);
  const strategy = settings.strategy ?? "balanced";
  const backoff = { baseMs: settings.backoff?.baseMs ?? 1_000, maxMs: settings.backoff?.maxMs ?? 300_000 };
  const maxCooldownMs = settings.maxCooldownMs ?? 86_400_000;
  const ledger = createCooldownLedger(provider, store);
  const usage = createUsageCounter(provider, settings.window ?? { kind: "rolling", durationMs: 3_600_000 }, store);
  const affinity = createSessionAffinity(provider, { ttlMs: settings.affinity?.ttlMs ?? 3_600_000, maxEntries: settings.affinity?.maxEntries ?? 10_000 }, store);
  const inFlight = new Map<string, number>(ids.map((id) => [id, 0]));
  const rotationKey = `rotation:${encodeURIComponent(provider)}`;
  const failureKey = (target: CooldownTarget): string =>
    `failures:${encodeURIComponent(provider)}:${target.scope}:${encodeURIComponent(target.credentialId ?? "")}:${encodeURIComponent(target.model ?? "")}`;

  // Rotation state is authoritative in memory (read once, written through) so concurrent acquires never race on it.
  let rotation: RotationState = { usedInCycle: [], cycleStartedAt: environment.now() };
  let isHydrated = false;
  const hydrated = store.get(rotationKey).then((value) => {
    const parsed = rotationStateSchema.safeParse(value);
    if (parsed.success) rotation = parsed.data;
    isHydrated = true;
  });

  const targetsOf = (credentialId: string, model: string): CooldownTarget[] => [
    { scope: "credential", credentialId },
    { scope: "credential-model", credentialId, model },
    { scope: "model", model },
    { scope: "provider" },
  ];

  const release = async (member: PoolMember, model: string, acquiredAt: number, outcome: LeaseOutcome): Promise<ReleaseResult> => {
    const credentialId = member.credential.id;
    inFlight.set(credentialId, Math.max(0, (inFlight.get(credentialId) ?? 1) - 1));
    const now = environment.now();
    switch (outcome.kind) {
      case "success": {
        const targets = targetsOf(credentialId, model);
        await Promise.all(targets.map((target) => store.delete(failureKey(target))));
        await ledger.clearOlderThan(targets, acquiredAt);
        return {};
      }
      case "failure": {
        const target = targetsOf(credentialId, model).find((candidate) => candidate.scope === outcome.scope) ?? { scope: outcome.scope };
        const failures = await store.increment(failureKey(target), 1, { windowMs: failureHistoryMs });
        const duration = outcome.cooldownMs ?? computeBackoffDelay(failures.value, backoff, environment.random);
        const until = now + Math.min(Math.max(0, duration), maxCooldownMs);
        return { cooldown: await ledger.extend(target, until, outcome.code, now) };
      }
      case "disable":
        await ledger.disable(credentialId, outcome.code, now);
        return {};
      case "neutral":
        return {};
      default: {
        const unreachable: never = outcome;
        throw new GatewayError("internal", `unknown lease outcome ${JSON.stringify(unreachable)}`);
      }
    }
  };

  const issueLease = (member: PoolMember, model: string, acquiredAt: number): CredentialLease => {
    inFlight.set(member.credential.id, (inFlight.get(member.credential.id) ?? 0) + 1);
    let released = false;
    return {
      provider,
      model,
      credential: member.credential,
      tier: member.tier,
      acquiredAt,
      release: async (outcome) => {
        if (released) return {};
        released = true;
        return release(member, model, acquiredAt, outcome);
      },
    };
  };

  const healthOf = (member: PoolMember, block: CredentialBlock | undefined, windowUsage: number, resetsAt: number): CredentialStatus["state"] => {
    if (block?.kind === "disabled") return { kind: "disabled", code: block.code };
    if (block?.kind === "cooling") return { kind: "cooling", until: block.record.until, scope: block.record.scope, code: block.record.code };
    if (member.windowCap !== undefined && windowUsage >= member.windowCap) return { kind: "capped", until: resetsAt };
    return (inFlight.get(member.credential.id) ?? 0) >= member.maxConcurrency ? { kind: "busy" } : { kind: "ready" };
  };

  return {
    provider,

    async acquire({ model, sessionKey }) {
      if (members.length === 0) return { kind: "unavailable", reason: "empty" };
      // Awaiting a settled promise still costs a turn of the microtask queue on every request.
      if (!isHydrated) await hydrated;
      const now = environment.now();
      const [blocks, windowUsage, affinityId] = await Promise.all([
        ledger.blocksFor(ids, model),
        usage.read(ids, now),
        sessionKey === undefined ? Promise.resolve(undefined) : affinity.lookup(sessionKey, now),
      ]);
      // From here on no await until the lease is issued: in-flight counts cannot change under this decision.
      const states = members.map((member) => {
        const used = windowUsage.get(member.credential.id) ?? { count: 0, resetsAt: now };
        return { member, usage: used.count, state: healthOf(member, blocks.get(member.credential.id), used.count, used.resetsAt) };
      });
      const ready = states.filter((entry) => entry.state.kind === "ready");
      if (ready.length === 0) return waitFor(states.map((entry) => entry.state), now, settings.busyWaitMs ?? 50);

      if (cycleExpired(rotation.cycleStartedAt, now, settings.cycleDurationMs)) rotation = { ...rotation, usedInCycle: [], cycleStartedAt: now };
      const candidates: SelectionCandidate[] = ready.map(({ member, usage: count }) => ({
        id: member.credential.id,
        order: member.order,
        tier: member.tier,
        inFlight: inFlight.get(member.credential.id) ?? 0,
        optimalConcurrency: member.optimalConcurrency,
        usage: count,
      }));
      const selection = selectCredential(candidates, {
        strategy,
        tolerance: settings.tolerance ?? 3,
        random: environment.random,
        ...(rotation.stickyId === undefined ? {} : { stickyId: rotation.stickyId }),
        usedInCycle: new Set(rotation.usedInCycle),
        ...(affinityId === undefined ? {} : { affinityId }),
      });
      const chosen = members.find((member) => member.credential.id === selection.id);
      if (chosen === undefined) throw new GatewayError("internal", `selection returned unknown credential ${selection.id}`);
      const lease = issueLease(chosen, model, now);

      const stickyState = states.find((entry) => entry.member.credential.id === rotation.stickyId)?.state.kind;
      // A sequential pool moves on only when its credential is unhealthy, not when it is merely busy.
      const stickyHealthy = stickyState === "ready" || stickyState === "busy";
      const nextRotation = {
        stickyId: strategy === "sequential" && stickyHealthy && rotation.stickyId !== undefined ? rotation.stickyId : selection.id,
        usedInCycle: selection.cycleRestarted ? [selection.id] : [...new Set([...rotation.usedInCycle, selection.id])],
        cycleStartedAt: selection.cycleRestarted ? now : rotation.cycleStartedAt,
      };
      rotation = nextRotation;
      const boundHealthy = affinityId !== undefined && states.some((entry) => entry.member.credential.id === affinityId && (entry.state.kind === "ready" || entry.state.kind === "busy"));
      await Promise.all([
        usage.record(selection.id, now),
        store.set(rotationKey, nextRotation),
        sessionKey === undefined ? Promise.resolve() : affinity.bind(sessionKey, boundHealthy && affinityId !== undefined ? affinityId : selection.id, now),
      ]);
      return { kind: "lease", lease };
    },

    listCooldowns: () => ledger.list(),

    async reset(credentialId) {
      const failures = await store.list(`failures:${encodeURIComponent(provider)}:`);
      const mine = credentialId === undefined ? failures : failures.filter((entry) => entry.key.includes(`:${encodeURIComponent(credentialId)}:`));
      await Promise.all(mine.map((entry) => store.delete(entry.key)));
      return ledger.reset(credentialId);
    },

    async status(model) {
      const now = environment.now();
      const [blocks, windowUsage] = await Promise.all([ledger.blocksFor(ids, model), usage.read(ids, now)]);
      return members.map((member) => {
        const used = windowUsage.get(member.credential.id) ?? { count: 0, resetsAt: now };
        return {
          credentialId: member.credential.id,
          tier: member.tier,
          inFlight: inFlight.get(member.credential.id) ?? 0,
          maxConcurrency: member.maxConcurrency,
          windowUsage: used.count,
          state: healthOf(member, blocks.get(member.credential.id), used.count, used.resetsAt),
        };
      });
    },
  };
}

type RotationState = z.infer<typeof rotationStateSchema>;

function cycleExpired(startedAt: number, now: number, durationMs: number | undefined): boolean {
  return durationMs !== undefined && now - startedAt >= durationMs;
}

/** No credential is ready: say how long until one could be (busy beats cooling: a slot frees up soonest). */
function waitFor(states: ReadonlyArray<CredentialStatus["state"]>, now: number, busyWaitMs: number): AcquireResult {
  if (states.some((state) => state.kind === "busy")) return { kind: "wait", waitMs: busyWaitMs, reason: "busy" };
  let earliest: { until: number; reason: "cooling" | "capped" } | undefined;
  for (const state of states) {
    if ((state.kind === "cooling" || state.kind === "capped") && (earliest === undefined || state.until < earliest.until)) {
      earliest = { until: state.until, reason: state.kind };
    }
  }
  if (earliest === undefined) return { kind: "unavailable", reason: "disabled" };
  return { kind: "wait", waitMs: Math.max(0, earliest.until - now), reason: earliest.reason };
}
