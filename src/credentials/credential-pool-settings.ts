import type { Credential } from "../providers/index.js";
import type { GatewayErrorCode } from "../unified/index.js";
import type { UsageCapSettings } from "./resolve-usage-cap.js";
import type { SteeringThresholds } from "./track-rate-limit-steering.js";
import type { FairCycleScope } from "./track-fair-cycle.js";

/** How a pool picks among the credentials of its best tier. */
export type SelectionStrategy = "balanced" | "sequential" | "fair-cycle";

/**
 * The usage window a pool counts requests in (for `balanced` and for caps). Calendar windows reset at a UTC hour:
 * daily; weekly on a weekday (0 = Sunday, default 1 = Monday); monthly on a day of the month (1–28, default 1).
 * `provider`: the provider's own window, its usage and reset read from its rate-limit headers (until a response
 * has said, a rolling hour counted here stands in).
 */
export type UsageWindow =
  | { kind: "rolling"; durationMs: number }
  | { kind: "daily"; resetHourUtc?: number }
  | { kind: "weekly"; resetDayUtc?: number; resetHourUtc?: number }
  | { kind: "monthly"; resetDayOfMonth?: number; resetHourUtc?: number }
  | { kind: "provider" };

/**
 * Where a cooldown applies: one credential, one credential for one model, one credential for one quota group (the
 * models sharing a quota; for a model outside every group, the credential's own quota, i.e. the whole credential),
 * one model on every credential, or the whole provider.
 */
export type CooldownScope = "credential" | "credential-model" | "credential-group" | "model" | "provider";

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
  /** `fair-cycle`: a cycle restarts after this long even if not every credential was exhausted in it. */
  cycleDurationMs?: number;
  /** `fair-cycle`: one cycle per quota group (the model's group, else the model; default) or one per provider. */
  cycleScope?: FairCycleScope;
  /** Session affinity: how long a session stays bound since its last request, and how many bindings are kept. */
  affinity?: { ttlMs?: number; maxEntries?: number };
  /** Backoff when a failure comes without a duration: base doubles per consecutive failure up to max, with jitter. */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Upper bound on any cooldown, also one given by the provider, so nothing stays cooling forever. Default 24 h. */
  maxCooldownMs?: number;
  /** What `acquire` says to wait when every healthy credential is at its max concurrency. Default 50 ms. */
  busyWaitMs?: number;
  /** Models sharing one quota (`{ "gemini-pro": ["gemini-2.5-pro*", "gemini-3-pro*"] }`): they share caps and cooldowns. */
  quotaGroups?: Readonly<Record<string, readonly string[]>>;
  /** Remaining-quota thresholds (from rate-limit headers) at or below which a credential is avoided until the reset. */
  steering?: Partial<SteeringThresholds>;
  /** Custom caps per tier and model or quota group. */
  caps?: readonly UsageCapSettings[];
  /** A quota exhausted with no reset time given: warn only, cool down (`ms`, else backoff), or disable the credential. Default cooldown. */
  exhaustedWithoutReset?: ExhaustedWithoutResetPolicy;
}

/** What to do about `quota_exhausted` when the provider gave no reset time. */
export type ExhaustedWithoutResetPolicy = { kind: "warn" } | { kind: "cooldown"; ms?: number } | { kind: "disable" };

/** A failed attempt as status lists it: class, upstream status and time; never a message or body. */
export interface RecentError {
  code: GatewayErrorCode;
  status?: number;
  at: number;
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
  /** The quota group (scope `credential-group`). */
  group?: string;
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
  /** A policy chose not to act on the failure (exhausted without reset, policy `warn`): say so in the log. */
  warning?: string;
  /** A policy disabled the credential (exhausted without reset, policy `disable`). */
  disabled?: true;
}

/** The right to use one credential for one request. Release exactly once; later calls do nothing. */
export interface CredentialLease {
  provider: string;
  model: string;
  credential: Credential;
  tier: number;
  acquiredAt: number;
  /** The one request testing this credential after a cooldown ended. */
  isProbe: boolean;
  release(outcome: LeaseOutcome): Promise<ReleaseResult>;
}

/** Why no lease was given. `busy`: all healthy credentials at max concurrency or probing; `cooling` and `capped`: wait for the earliest end. */
export type WaitReason = "busy" | "cooling" | "capped";

/**
 * One piece of session evidence for `acquire`: a key that earlier requests bound to a credential, or a credential
 * known directly (the one that served the Responses parent a request continues; its pool alone acts on it).
 */
export type SessionEvidenceKey = string | { readonly provider: string; readonly credentialId: string };

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
  /** The newest failed attempts through this credential, newest last (this process only). */
  recentErrors: RecentError[];
  state:
    | { kind: "ready" }
    | { kind: "busy" }
    /** Its cooldown ended and the one probe request is in flight: other requests wait for its answer. */
    | { kind: "probing" }
    | { kind: "capped"; until: number }
    | { kind: "cooling"; until: number; scope: CooldownScope; code: GatewayErrorCode }
    | { kind: "disabled"; code: GatewayErrorCode };
}
