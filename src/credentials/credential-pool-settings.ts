import type { Credential } from "../providers/index.js";
import type { GatewayErrorCode } from "../unified/index.js";

/** How a pool picks among the credentials of its best tier. */
export type SelectionStrategy = "balanced" | "sequential" | "fair-cycle";

/** The usage window a pool counts requests in (for `balanced` and for caps). */
export type UsageWindow = { kind: "rolling"; durationMs: number } | { kind: "daily"; resetHourUtc?: number };

/** Where a cooldown applies: one credential, one credential for one model, one model on every credential, or the whole provider. */
export type CooldownScope = "credential" | "credential-model" | "model" | "provider";

/** One credential in a pool and its limits. */
export interface PooledCredentialSettings {
  credential: Credential;
  /** Priority tier; 1 is the highest. Lower tiers are used only when no higher tier has capacity. Default 1. */
  tier?: number;
  /** Never more leases than this at once. Default 8. */
  maxConcurrency?: number;
  /** Above this, other credentials of the tier are preferred. Default = maxConcurrency. */
  optimalConcurrency?: number;
  /** Requests allowed per usage window; the credential rests until the window resets. */
  windowCap?: number;
}

/** A provider's pool. */
export interface CredentialPoolSettings {
  provider: string;
  credentials: PooledCredentialSettings[];
  /** Default `balanced`. */
  strategy?: SelectionStrategy;
  /** `balanced`: candidates up to this many requests above the least used are picked at random, weighted; 0 = always the least used. Default 3. */
  tolerance?: number;
  /** Default rolling one hour. */
  window?: UsageWindow;
  /** `fair-cycle`: a cycle restarts after this long even if not every credential was used. */
  cycleDurationMs?: number;
  /** Session affinity: how long a session stays bound since its last request, and how many bindings are kept. */
  affinity?: { ttlMs?: number; maxEntries?: number };
  /** Backoff when a failure comes without a duration: base doubles per consecutive failure up to max, with jitter. */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Upper bound on any cooldown, also one given by the provider, so nothing stays cooling forever. Default 24 h. */
  maxCooldownMs?: number;
  /** What `acquire` says to wait when every healthy credential is at its max concurrency. Default 50 ms. */
  busyWaitMs?: number;
}

/** Injected time and randomness: rotation is a pure core. */
export interface PoolEnvironment {
  now(): number;
  /** Uniform in [0, 1). */
  random(): number;
}

/** A cooldown as stored and listed. */
export interface CooldownRecord {
  provider: string;
  scope: CooldownScope;
  credentialId?: string;
  model?: string;
  /** When it was (last) extended; a success on a lease acquired after this clears it. */
  since: number;
  until: number;
  code: GatewayErrorCode;
}

/** How a lease ended, as the executor classified it. */
export type LeaseOutcome =
  | { kind: "success" }
  /** A failure that cools `scope` for `cooldownMs` (from retry-after and friends), or for a backoff when absent. */
  | { kind: "failure"; scope: CooldownScope; code: GatewayErrorCode; cooldownMs?: number }
  /** The credential is unusable (401/403) until reset by hand. */
  | { kind: "disable"; code: GatewayErrorCode }
  /** Not the credential's fault (client went away, invalid request): just give the slot back. */
  | { kind: "neutral" };

/** What releasing a lease recorded. */
export interface ReleaseResult {
  cooldown?: CooldownRecord;
}

/** The right to use one credential for one request. Release exactly once; later calls do nothing. */
export interface CredentialLease {
  provider: string;
  model: string;
  credential: Credential;
  tier: number;
  acquiredAt: number;
  release(outcome: LeaseOutcome): Promise<ReleaseResult>;
}

/** Why no lease was given. `busy`: all healthy credentials at max concurrency; `cooling` and `capped`: wait for the earliest end. */
export type WaitReason = "busy" | "cooling" | "capped";

/** The answer of `acquire`. `unavailable`: every credential is disabled (or there are none); waiting will not help. */
export type AcquireResult =
  | { kind: "lease"; lease: CredentialLease }
  | { kind: "wait"; waitMs: number; reason: WaitReason }
  | { kind: "unavailable"; reason: "disabled" | "empty" };

/** One credential in `status()`. */
export interface CredentialStatus {
  credentialId: string;
  tier: number;
  inFlight: number;
  maxConcurrency: number;
  windowUsage: number;
  state:
    | { kind: "ready" }
    | { kind: "busy" }
    | { kind: "capped"; until: number }
    | { kind: "cooling"; until: number; scope: CooldownScope; code: GatewayErrorCode }
    | { kind: "disabled"; code: GatewayErrorCode };
}
