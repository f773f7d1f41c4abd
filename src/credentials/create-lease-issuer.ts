import type { Credential } from "../providers/index.js";
import type { StateStore } from "../state/index.js";
import { GatewayError } from "../unified/index.js";
import { computeBackoffDelay, type BackoffLimits } from "./compute-backoff-delay.js";
import type { CooldownLedger, CooldownTarget } from "./create-cooldown-ledger.js";
import type { ProbeTracker } from "./create-probe-tracker.js";
import type { CooldownRecord, CredentialLease, CredentialPoolSettings, LeaseOutcome, PoolEnvironment, ReleaseResult } from "./credential-pool-settings.js";
import type { CooldownTargets } from "./map-cooldown-targets.js";
import type { QuotaGroupMatcher } from "./match-quota-group.js";
import type { FairCycleTracker } from "./track-fair-cycle.js";

/** The part of a pool member a lease carries. */
export interface LeasedMember {
  readonly credential: Credential;
  readonly tier: number;
}

/** What issuing and releasing leases shares with the pool that owns them (built once per pool, not per request). */
export interface LeaseIssuerContext {
  readonly provider: string;
  readonly settings: CredentialPoolSettings;
  readonly store: StateStore;
  readonly environment: PoolEnvironment;
  /** The pool's in-process in-flight counts, which this issuer raises on issue and lowers on release. */
  readonly inFlight: Map<string, number>;
  readonly probes: ProbeTracker;
  readonly cycles: FairCycleTracker | undefined;
  readonly ledger: CooldownLedger;
  readonly groupOf: QuotaGroupMatcher;
  readonly targets: CooldownTargets;
  readonly backoff: BackoffLimits;
  /** The pool's cooldown write, shared with cap hits so both clamp durations and mark probation the same way. */
  readonly coolDown: (target: CooldownTarget, durationMs: number, code: CooldownRecord["code"], now: number) => Promise<CooldownRecord>;
}

/** Issues a lease on `member` for `model`, counting it in flight until it is released. */
export type LeaseIssuer = (member: LeasedMember, model: string, acquiredAt: number, isProbe: boolean) => CredentialLease;

const failureHistoryMs = 15 * 60_000;

/** The store key prefix of every failure count of `provider` (reset lists them by it). */
export function failureKeyPrefixOf(provider: string): string {
  return `failures:${encodeURIComponent(provider)}:`;
}

/** Build the lease issuer of one pool: in-flight counting, probe bookkeeping and the release path (backoff, cooldowns, clearing). */
export function createLeaseIssuer(context: LeaseIssuerContext): LeaseIssuer {
  const { provider, settings, store, environment, inFlight, probes, cycles, ledger, groupOf, backoff, coolDown } = context;
  const { targetsOf, failureTargetOf, probeKeysOf } = context.targets;
  const failurePrefix = failureKeyPrefixOf(provider);
  const buildFailureKey = (target: CooldownTarget): string =>
    `${failurePrefix}${target.scope}:${encodeURIComponent(target.credentialId ?? "")}:${encodeURIComponent(target.model ?? target.group ?? "")}`;
  const readNow = store.readNow?.bind(store);
  // Every success clears the failure counts of its (memoised) targets: build each key once per target object, and
  // keep the keys of a whole (memoised) target list together, so a success looks them up once.
  const failureKeys = new WeakMap<CooldownTarget, string>();
  const failureKey = (target: CooldownTarget): string => {
    let key = failureKeys.get(target);
    if (key === undefined) {
      key = buildFailureKey(target);
      failureKeys.set(target, key);
    }
    return key;
  };
  const failureKeyLists = new WeakMap<readonly CooldownTarget[], readonly string[]>();
  const failureKeysOf = (targets: readonly CooldownTarget[]): readonly string[] => {
    let keys = failureKeyLists.get(targets);
    if (keys === undefined) {
      keys = targets.map(failureKey);
      failureKeyLists.set(targets, keys);
    }
    return keys;
  };

  /** After a success: drop the failure counts and older cooldowns of its targets. Undefined: nothing to drop (known at once). */
  const clearAfterSuccess = (credentialId: string, model: string, acquiredAt: number): Promise<unknown> | undefined => {
    const targets = targetsOf(credentialId, model);
    const keys = failureKeysOf(targets);
    if (readNow === undefined) return Promise.all(keys.map((key) => store.delete(key))).then(() => ledger.clearOlderThan(targets, acquiredAt));
    // Failure counts and cooldowns are rare: an in-process store says at once which exist, so only those get a write.
    let deletes: Array<Promise<boolean>> | undefined;
    for (const key of keys) if (readNow(key) !== undefined) (deletes ??= []).push(store.delete(key));
    if (deletes === undefined) return ledger.clearOlderThan(targets, acquiredAt);
    return Promise.all(deletes).then(() => ledger.clearOlderThan(targets, acquiredAt));
  };

  const release = (member: LeasedMember, model: string, acquiredAt: number, isProbe: boolean, outcome: LeaseOutcome): Promise<ReleaseResult> => {
    const credentialId = member.credential.id;
    inFlight.set(credentialId, Math.max(0, (inFlight.get(credentialId) ?? 1) - 1));
    const now = environment.now();
    if (isProbe) probes.finishProbe(probeKeysOf(credentialId, model), outcome.kind === "success");
    if (outcome.kind !== "success") return releaseUnsuccessful(credentialId, model, isProbe, outcome, now);
    // A healthy credential's success usually changes nothing in the store: then no await at all.
    const cleared = clearAfterSuccess(credentialId, model, acquiredAt);
    return cleared === undefined ? Promise.resolve({}) : cleared.then(() => ({}));
  };

  const releaseUnsuccessful = async (credentialId: string, model: string, isProbe: boolean, outcome: Exclude<LeaseOutcome, { kind: "success" }>, now: number): Promise<ReleaseResult> => {
    switch (outcome.kind) {
      case "failure": {
        const target = failureTargetOf(credentialId, model, outcome.scope);
        const warnOnly = outcome.code === "quota_exhausted" && outcome.cooldownMs === undefined && settings.exhaustedWithoutReset?.kind === "warn";
        // fair-cycle: running out, not just any failure, hands the cycle to the next credential.
        if (!warnOnly && (outcome.code === "rate_limited" || outcome.code === "quota_exhausted")) cycles?.exhaust(cycles.keyOf(model, groupOf(model)), credentialId, now);
        if (outcome.code === "quota_exhausted" && outcome.cooldownMs === undefined) {
          const policy = settings.exhaustedWithoutReset ?? { kind: "cooldown" };
          if (policy.kind === "warn") return { warning: "quota exhausted without a reset time; policy warn: not cooling" };
          if (policy.kind === "disable") {
            await ledger.disable(credentialId, outcome.code, now);
            return { disabled: true };
          }
          if (policy.ms !== undefined) return { cooldown: await coolDown(target, policy.ms, outcome.code, now) };
        }
        const failures = await store.increment(failureKey(target), 1, { windowMs: failureHistoryMs });
        const backoffMs = computeBackoffDelay(failures.value, backoff, environment.random);
        // A failed probe re-cools at least for the next (longer) backoff step, even when the provider named a shorter wait.
        const duration = isProbe ? Math.max(outcome.cooldownMs ?? 0, backoffMs) : (outcome.cooldownMs ?? backoffMs);
        return { cooldown: await coolDown(target, duration, outcome.code, now) };
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

  return (member, model, acquiredAt, isProbe) => {
    inFlight.set(member.credential.id, (inFlight.get(member.credential.id) ?? 0) + 1);
    if (isProbe) probes.startProbe(probeKeysOf(member.credential.id, model));
    let released = false;
    return {
      provider,
      model,
      credential: member.credential,
      tier: member.tier,
      acquiredAt,
      isProbe,
      release: (outcome) => {
        if (released) return Promise.resolve({});
        released = true;
        try {
          return release(member, model, acquiredAt, isProbe, outcome);
        } catch (error) {
          return Promise.reject(error);
        }
      },
    };
  };
}
