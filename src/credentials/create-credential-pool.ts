import { z } from "zod";
import type { Credential, RateLimitInfo } from "../providers/index.js";
import type { StateStore } from "../state/index.js";
import { GatewayError } from "../unified/index.js";
import { createCooldownLedger, type CooldownTarget, type CredentialBlock } from "./create-cooldown-ledger.js";
import { createSessionAffinity } from "./create-session-affinity.js";
import { createUsageCounter, type WindowUsage } from "./count-usage-window.js";
import { createProbeTracker } from "./create-probe-tracker.js";
import { createRecentErrorLog } from "./create-recent-error-log.js";
import { createLeaseIssuer, failureKeyPrefixOf } from "./create-lease-issuer.js";
import { createCooldownTargets } from "./map-cooldown-targets.js";
import { createQuotaGroupMatcher } from "./match-quota-group.js";
import { compileUsageCaps, type UsageCap } from "./resolve-usage-cap.js";
import { createRateLimitSteering } from "./track-rate-limit-steering.js";
import type {
  AcquireResult,
  CooldownRecord,
  CredentialPoolSettings,
  CredentialStatus,
  PoolEnvironment,
  RecentError,
  SessionEvidenceKey,
} from "./credential-pool-settings.js";
import { selectCredential, type SelectionCandidate, type SelectionInput } from "./select-credential.js";
import { advanceFairCycle, createFairCycleTracker, heldTiersOf } from "./track-fair-cycle.js";

/** One provider's pool: leases, outcomes, cooldowns and status. */
export interface CredentialPool {
  readonly provider: string;
  /**
   * `sessionKeys`: session evidence, strongest first; the first one bound (or a credential of this pool named directly)
   * decides, unless `followSession` is false, and all keys get bound. `excludeIds`: credentials this request must not get (it already failed on them).
   */
  acquire(request: { model: string; sessionKey?: string; sessionKeys?: readonly SessionEvidenceKey[]; followSession?: boolean; excludeIds?: readonly string[] }): Promise<AcquireResult>;
  /** Remaining-quota headers of a response (success or not) through `credentialId` for `model`: steers selection. */
  observeRateLimit(credentialId: string, model: string, info: RateLimitInfo): void;
  /** A failed attempt through `credentialId`, for status (class, status and time only). */
  recordError(credentialId: string, error: { code: RecentError["code"]; status?: number }): void;
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

// `sequential`'s position. Older state files also hold a round-robin cycle here; parsing drops it.
const rotationStateSchema = z.object({ stickyId: z.string().optional() });

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
  const groupOf = createQuotaGroupMatcher(settings.quotaGroups);
  const steering = createRateLimitSteering({ requests: settings.steering?.requests ?? 0, tokens: settings.steering?.tokens ?? 0 });
  // A probation mark outlives its cooldown by a day at most: after that, a restart lets the credential serve unprobed.
  const probes = createProbeTracker({ store, provider, ttlMs: maxCooldownMs + 86_400_000 });
  const caps = compileUsageCaps(settings.caps);
  const windowKind = (settings.window ?? { kind: "rolling", durationMs: 3_600_000 }).kind;
  const mayCap = caps.length > 0 || members.some((member) => member.windowCap !== undefined);
  const noCaps: ReadonlyArray<undefined> = members.map(() => undefined);
  // Window counts steer only `balanced` between credentials, and feed caps: a lone credential without caps needs none.
  const readsUsage = mayCap || (strategy === "balanced" && members.length > 1);
  const tolerance = settings.tolerance ?? 3;
  // Caps count per credential and quota key in their own counter: a fixed-cooldown cap restarts it without touching
  // the counts `balanced` reads.
  const capUsage = caps.length === 0 ? undefined : createUsageCounter(`${provider}#caps`, settings.window ?? { kind: "rolling", durationMs: 3_600_000 }, store);
  const recentErrors = createRecentErrorLog(provider, ids, store);
  const cycles = strategy === "fair-cycle" ? createFairCycleTracker(provider, { scope: settings.cycleScope ?? "quota-group", durationMs: settings.cycleDurationMs }, store) : undefined;
  const capKeyOf = (credentialId: string, cap: UsageCap, quotaKey: string): string => `${credentialId}|${cap.models === undefined ? "*" : quotaKey}`;
  const rotationKey = `rotation:${encodeURIComponent(provider)}`;

  // Rotation state is authoritative in memory (read once, written through) so concurrent acquires never race on it.
  let rotation: RotationState = {};
  let isHydrated = false;
  const hydrated = Promise.all([
    store.get(rotationKey).then((value) => {
      const parsed = rotationStateSchema.safeParse(value);
      if (parsed.success) rotation = parsed.data;
    }),
    // Probation marks and recent errors are worth loading, not worth refusing requests over.
    probes.hydrate(ids).catch(() => undefined),
    recentErrors.hydrate().catch(() => undefined),
    cycles?.hydrate().catch(() => undefined),
  ]).then(() => {
    isHydrated = true;
  });

  const targets = createCooldownTargets(groupOf);
  const { probeKeysOf, probeKeyOfTarget } = targets;
  const coolDown = async (target: CooldownTarget, durationMs: number, code: CooldownRecord["code"], now: number): Promise<CooldownRecord> => {
    const record = await ledger.extend(target, now + Math.min(Math.max(0, durationMs), maxCooldownMs), code, now);
    const probeKey = probeKeyOfTarget(target);
    if (probeKey !== undefined && target.credentialId !== undefined) probes.cooled(probeKey, target.credentialId);
    return record;
  };
  const issueLease = createLeaseIssuer({ provider, settings, store, environment, inFlight, probes, cycles, ledger, groupOf, targets, backoff, coolDown });

  const healthOf = (member: PoolMember, block: CredentialBlock | undefined, capped: number | undefined, probe: "free" | "probe" | "probing"): CredentialStatus["state"] => {
    if (block?.kind === "disabled") return { kind: "disabled", code: block.code };
    if (block?.kind === "cooling") return { kind: "cooling", until: block.record.until, scope: block.record.scope, code: block.record.code };
    if (capped !== undefined) return { kind: "capped", until: capped };
    if (probe === "probing") return { kind: "probing" };
    return (inFlight.get(member.credential.id) ?? 0) >= member.maxConcurrency ? { kind: "busy" } : { kind: "ready" };
  };

  /** The caps that count this credential's requests for `model`, with the counter key of each. */
  const capsFor = (member: PoolMember, model: string, group: string | undefined): Array<{ cap: UsageCap; key: string }> =>
    caps
      .filter((cap) => (cap.tier === undefined || cap.tier === member.tier) && cap.matches(model, group))
      .map((cap) => ({ cap, key: capKeyOf(member.credential.id, cap, group ?? model) }));

  /**
   * When the credential is capped for `model`, until when. The window cap and custom caps count here; with the
   * provider window the provider's own used/reset figures count. A cap whose action is a fixed cooldown cools the
   * credential (for the group, else whole) and restarts its count instead.
   */
  const cappedUntil = async (
    member: PoolMember,
    model: string,
    group: string | undefined,
    windowUsage: { count: number; resetsAt: number },
    capCounts: ReadonlyMap<string, WindowUsage>,
    now: number,
    /** False for status: report caps resting until a reset, but take no action. */
    act = true,
  ): Promise<{ until: number } | { cooldown: CooldownRecord } | undefined> => {
    const id = member.credential.id;
    const evidence = steering.read(id, group ?? model, now);
    const providerUsage = windowKind === "provider" ? evidence?.providerUsage : undefined;
    const windowFigures = providerUsage === undefined ? windowUsage : { count: providerUsage.used, resetsAt: providerUsage.resetsAt };
    if (member.windowCap !== undefined && windowFigures.count >= member.windowCap) return { until: windowFigures.resetsAt };
    for (const { cap, key } of capsFor(member, model, group)) {
      const counted = providerUsage === undefined ? (capCounts.get(key) ?? { count: 0, resetsAt: now }) : windowFigures;
      const limit = cap.resolve(evidence?.requestLimit);
      if (limit === undefined || counted.count < limit) continue;
      if (cap.onHit.kind === "until-reset") return { until: counted.resetsAt };
      if (!act) continue;
      const target: CooldownTarget = group === undefined ? { scope: "credential", credentialId: id } : { scope: "credential-group", credentialId: id, group };
      const cooldown = await coolDown(target, cap.onHit.ms, "quota_exhausted", now);
      await capUsage?.clear(key, now);
      return { cooldown };
    }
    return undefined;
  };

  const readCapCounts = (model: string, group: string | undefined, now: number): Promise<ReadonlyMap<string, WindowUsage>> => {
    const capKeys = capUsage === undefined ? [] : [...new Set(members.flatMap((member) => capsFor(member, model, group).map((entry) => entry.key)))];
    return capUsage === undefined || capKeys.length === 0 ? Promise.resolve(noUsage) : capUsage.read(capKeys, now);
  };

  const lookupAffinity = async (sessionKeys: readonly SessionEvidenceKey[], now: number): Promise<string | undefined> => {
    for (const key of sessionKeys) {
      if (typeof key !== "string") {
        // Named directly (it served the Responses parent): decisive when it is one of ours, else no evidence here.
        if (key.provider === provider && ids.includes(key.credentialId)) return key.credentialId;
        continue;
      }
      const bound = await affinity.lookup(key, now);
      if (bound !== undefined) return bound;
    }
    return undefined;
  };

  return {
    provider,

    async acquire({ model, sessionKey, sessionKeys: givenKeys, followSession, excludeIds }) {
      if (members.length === 0) return { kind: "unavailable", reason: "empty" };
      // Awaiting a settled promise still costs a turn of the microtask queue on every request.
      if (!isHydrated) await hydrated;
      const now = environment.now();
      const sessionKeys = givenKeys ?? (sessionKey === undefined ? noSessionKeys : [sessionKey]);
      const group = groupOf(model);
      const followsAffinity = sessionKeys.length > 0 && followSession !== false;
      // An in-process store answers the ledger and the window at once; without caps or a binding to look up, nothing
      // before the decision needs an await.
      const blocksAtOnce = capUsage === undefined && !followsAffinity ? ledger.blocksNow(ids, model, group) : undefined;
      const usageAtOnce = blocksAtOnce === undefined ? undefined : readsUsage ? usage.readNow(ids, now) : noUsage;
      let blocks: ReadonlyMap<string, CredentialBlock>;
      let windowUsage: ReadonlyMap<string, WindowUsage>;
      let capCounts: ReadonlyMap<string, WindowUsage> = noUsage;
      let affinityId: string | undefined;
      if (blocksAtOnce !== undefined && usageAtOnce !== undefined) {
        blocks = blocksAtOnce;
        windowUsage = usageAtOnce;
      } else {
        [blocks, windowUsage, capCounts, affinityId] = await Promise.all([
          ledger.blocksFor(ids, model, group),
          readsUsage ? usage.read(ids, now) : noUsage,
          readCapCounts(model, group, now),
          followsAffinity ? lookupAffinity(sessionKeys, now) : undefined,
        ]);
      }
      // Without window caps or usage caps nothing can be capped: skip a promise per credential (and a turn).
      const caps = !mayCap
        ? noCaps
        : await Promise.all(members.map((member) => cappedUntil(member, model, group, windowUsage.get(member.credential.id) ?? { count: 0, resetsAt: now }, capCounts, now)));
      // From here on no await until the lease is issued: in-flight counts and probes cannot change under this decision.
      const cycleKey = cycles?.keyOf(model, group);
      const states = members.map((member, index) => {
        const id = member.credential.id;
        const capped = caps[index];
        const block: CredentialBlock | undefined = capped !== undefined && "cooldown" in capped ? { kind: "cooling", record: capped.cooldown } : blocks.get(id);
        const probe = probes.size === 0 ? "free" : probes.stateOf(probeKeysOf(id, model));
        const steered = steering.read(id, group ?? model, now)?.steeredUntil !== undefined;
        const state = healthOf(member, block, capped !== undefined && "until" in capped ? capped.until : undefined, probe);
        // A cap hit is running out too: the credential waits for the next fair cycle.
        if (capped !== undefined && cycleKey !== undefined) cycles?.exhaust(cycleKey, id, now);
        return { member, usage: windowUsage.get(id)?.count ?? 0, state, probe, steered };
      });
      // Excluded (this request already failed on them transiently) count as not there for this decision.
      const ready = states.filter((entry) => entry.state.kind === "ready" && excludeIds?.includes(entry.member.credential.id) !== true);
      if (ready.length === 0) return waitFor(states.map((entry) => entry.state), now, settings.busyWaitMs ?? 50);
      // Remaining-quota headers said these are (nearly) out until their reset: use them only when nothing else is ready.
      const unsteered = ready.filter((entry) => !entry.steered);
      const usable = unsteered.length > 0 ? unsteered : ready;

      const cycle = cycleKey === undefined ? undefined : cycles?.read(cycleKey, now);
      const candidates: SelectionCandidate[] = usable.map(({ member, usage: count }) => ({
        id: member.credential.id,
        order: member.order,
        tier: member.tier,
        inFlight: inFlight.get(member.credential.id) ?? 0,
        optimalConcurrency: member.optimalConcurrency,
        usage: count,
      }));
      const input: SelectionInput = { strategy, tolerance, random: environment.random };
      if (rotation.stickyId !== undefined) input.stickyId = rotation.stickyId;
      if (cycle !== undefined) {
        input.cycle = cycle;
        input.heldTiers = heldTiersOf(states, usable, cycle);
      }
      if (affinityId !== undefined) input.affinityId = affinityId;
      const selection = selectCredential(candidates, input);
      const chosenState = usable.find((entry) => entry.member.credential.id === selection.id);
      if (chosenState === undefined) throw new GatewayError("internal", `selection returned unknown credential ${selection.id}`);
      const chosen = chosenState.member;
      const lease = issueLease(chosen, model, now, chosenState.probe === "probe");

      // A sequential pool moves on only when its credential is unhealthy, not when it is merely busy. Only it reads
      // the position, and most acquires leave it where it was: no store write then.
      const nextStickyId = strategy === "sequential" && rotation.stickyId !== undefined && isHealthy(states, rotation.stickyId) ? rotation.stickyId : selection.id;
      const rotationChanged = strategy === "sequential" && nextStickyId !== rotation.stickyId;
      if (rotationChanged) rotation = { stickyId: nextStickyId };
      if (cycles !== undefined && cycle !== undefined && cycleKey !== undefined) advanceFairCycle(cycles, cycleKey, { cycle, selection, tier: chosen.tier, states }, now);
      const boundHealthy = affinityId !== undefined && states.some((entry) => entry.member.credential.id === affinityId && (entry.state.kind === "ready" || entry.state.kind === "busy"));
      const boundId = boundHealthy && affinityId !== undefined ? affinityId : selection.id;
      const recorded = usage.record(selection.id, now);
      // Usually the count is the only write: then one await, not an array of them.
      if (capUsage === undefined && !rotationChanged && sessionKeys.length === 0) {
        await recorded;
        return { kind: "lease", lease };
      }
      await Promise.all([
        recorded,
        ...capsFor(chosen, model, group).map((entry) => capUsage?.record(entry.key, now)),
        rotationChanged ? store.set(rotationKey, rotation) : undefined,
        // A first turn known only by its content binds in memory: the next turn finds it, a restart need not.
        ...sessionKeys.map((key) => (typeof key === "string" ? affinity.bind(key, boundId, now, followSession !== false) : undefined)),
      ]);
      return { kind: "lease", lease };
    },

    observeRateLimit(credentialId, model, info) {
      steering.observe(credentialId, groupOf(model) ?? model, info, environment.now());
    },

    recordError(credentialId, error) {
      recentErrors.record(credentialId, { code: error.code, ...(error.status === undefined ? {} : { status: error.status }), at: environment.now() });
    },

    listCooldowns: () => ledger.list(),

    async reset(credentialId) {
      // Probation marks of an earlier process must be loaded before they can be forgotten.
      if (!isHydrated) await hydrated;
      const failures = await store.list(failureKeyPrefixOf(provider));
      const mine = credentialId === undefined ? failures : failures.filter((entry) => entry.key.includes(`:${encodeURIComponent(credentialId)}:`));
      await Promise.all(mine.map((entry) => store.delete(entry.key)));
      probes.forget(credentialId);
      steering.forget(credentialId);
      cycles?.forget(credentialId);
      return ledger.reset(credentialId);
    },

    async status(model) {
      if (!isHydrated) await hydrated;
      const now = environment.now();
      const group = groupOf(model);
      const [blocks, windowUsage, capCounts] = await Promise.all([ledger.blocksFor(ids, model, group), usage.read(ids, now), readCapCounts(model, group, now)]);
      const caps = await Promise.all(
        members.map((member) => cappedUntil(member, model, group, windowUsage.get(member.credential.id) ?? { count: 0, resetsAt: now }, capCounts, now, false)),
      );
      return members.map((member, index) => {
        const used = windowUsage.get(member.credential.id) ?? { count: 0, resetsAt: now };
        const cap = caps[index];
        const capped = cap !== undefined && "until" in cap ? cap.until : undefined;
        return {
          credentialId: member.credential.id,
          tier: member.tier,
          inFlight: inFlight.get(member.credential.id) ?? 0,
          maxConcurrency: member.maxConcurrency,
          windowUsage: used.count,
          recentErrors: recentErrors.list(member.credential.id),
          state: healthOf(member, blocks.get(member.credential.id), capped, probes.stateOf(probeKeysOf(member.credential.id, model))),
        };
      });
    },
  };
}

type RotationState = z.infer<typeof rotationStateSchema>;

const noSessionKeys: readonly SessionEvidenceKey[] = [];
const noUsage: ReadonlyMap<string, WindowUsage> = new Map();

/** Ready or merely busy: able to serve, now or soon. */
function isHealthy(states: ReadonlyArray<{ readonly member: PoolMember; readonly state: CredentialStatus["state"] }>, credentialId: string): boolean {
  const kind = states.find((entry) => entry.member.credential.id === credentialId)?.state.kind;
  return kind === "ready" || kind === "busy";
}

/** No credential is ready: say how long until one could be (busy beats cooling: a slot frees up soonest). */
function waitFor(states: ReadonlyArray<CredentialStatus["state"]>, now: number, busyWaitMs: number): AcquireResult {
  // A probe in flight answers soon, like a busy slot: poll for it rather than wait for a cooldown.
  if (states.some((state) => state.kind === "busy" || state.kind === "probing")) return { kind: "wait", waitMs: busyWaitMs, reason: "busy" };
  let earliest: { until: number; reason: "cooling" | "capped" } | undefined;
  for (const state of states) {
    if ((state.kind === "cooling" || state.kind === "capped") && (earliest === undefined || state.until < earliest.until)) {
      earliest = { until: state.until, reason: state.kind };
    }
  }
  if (earliest === undefined) return { kind: "unavailable", reason: "disabled" };
  return { kind: "wait", waitMs: Math.max(0, earliest.until - now), reason: earliest.reason };
}
