/**
 * Credentials: per-provider pools with priority tiers, concurrency limits, usage windows, scoped extend-only
 * cooldowns, selection strategies and session affinity, all state kept in a StateStore.
 */
export type {
  AcquireResult,
  CooldownRecord,
  CooldownScope,
  CredentialLease,
  CredentialPoolSettings,
  CredentialStatus,
  ExhaustedWithoutResetPolicy,
  LeaseOutcome,
  RecentError,
  PoolEnvironment,
  PooledCredentialSettings,
  ReleaseResult,
  SelectionStrategy,
  SessionEvidenceKey,
  UsageWindow,
  WaitReason,
} from "./credential-pool-settings.js";
export { createCredentialPool, type CredentialPool } from "./create-credential-pool.js";
export { createCredentialPools, type AcquireRequest, type CredentialPools, type CredentialPoolsOptions } from "./create-credential-pools.js";
export { computeBackoffDelay, type BackoffLimits } from "./compute-backoff-delay.js";
export type { CapAction, UsageCapSettings } from "./resolve-usage-cap.js";
export type { SteeringThresholds } from "./track-rate-limit-steering.js";
export type { FairCycleScope } from "./track-fair-cycle.js";
