import type { CooldownScope, LeaseOutcome } from "../credentials/index.js";
import { GatewayError, type GatewayErrorCode } from "../unified/index.js";

/**
 * What the executor does after a failed attempt. `retry-same`: same credential, same target, after `delayMs`;
 * `rotate`: release the credential with `outcome` (a cooldown or a disable) and take another of the same target;
 * `next-target`: release with `outcome` and leave this target; `stop`: release with `outcome` and answer the client
 * with this error (nothing another credential or target could fix).
 */
export type FallbackDecision =
  | { kind: "retry-same"; delayMs: number }
  | { kind: "rotate"; outcome: LeaseOutcome }
  | { kind: "next-target"; outcome: LeaseOutcome }
  | { kind: "stop"; outcome: LeaseOutcome };

/** The facts of one failed attempt the table decides on. */
export interface FailedAttempt {
  error: GatewayError;
  /** How many times this credential was already retried for this request (0 on the first failure). */
  retriesOnCredential: number;
  /**
   * True when a transient failure that used up its same-credential retries may try one other credential of the same
   * target: the executor says so for the first such credential of a target that has another one. A failure of one
   * key (a broken per-key proxy, a bad shard) is then served by a healthy key; a second credential failing the same
   * way says the provider is the problem, and the request moves on to the next target without trying every key.
   */
  mayRotateTransient?: boolean;
}

/** Knobs of the table; the hard stops (invalid request, context length, content filter, client auth) have none. */
export interface FallbackPolicyOptions {
  /** A 429 whose retry-after is at most this is retried on the same credential after that wait. Default 1,000 ms. */
  shortRetryAfterMs?: number;
  /** Same-credential retries for transient failures (5xx, 529, timeouts, resets). Default 1. */
  maxRetriesOnCredential?: number;
  /** Backoff of those retries: base × 2^retry, capped. Defaults 250 ms and 2,000 ms. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /**
   * A fallback group's `failoverOn`: when set, exactly these codes move the request on to the next target (codes the
   * table would stop on become `next-target`; codes it would leave the target on become `stop`). Hard stops ignore it.
   */
  failoverOn?: readonly GatewayErrorCode[];
  /** A fallback group's `stopOn`: these codes answer the client at once (the credential's outcome is still recorded). */
  stopOn?: readonly GatewayErrorCode[];
}

/**
 * Codes no group setting can turn into a fallback: the request itself is at fault (another target would answer the
 * same), or nothing upstream failed. The client's own authentication (no provider on the error) is one too.
 */
export const hardStopCodes = ["invalid_request", "context_length", "content_filter", "client_closed", "all_targets_failed", "config", "internal"] as const satisfies readonly GatewayErrorCode[];

/** True when no `failoverOn` / `stopOn` may change the decision for this error. */
export function isHardStop(error: GatewayError): boolean {
  return (hardStopCodes as readonly GatewayErrorCode[]).includes(error.code) || (isCredentialProblem(error.code) && error.provider === undefined);
}

/** Whether a group lets a target that failed with `code` hand over to the next target. */
export function mayFailOver(code: GatewayErrorCode, options: FallbackPolicyOptions = {}): boolean {
  if (options.stopOn?.includes(code) === true) return false;
  return options.failoverOn === undefined || options.failoverOn.includes(code);
}

/**
 * Where each capacity code cools down: a 429 is per model on most providers (per quota group when the model is in
 * one); an exhausted quota is the credential's quota for that model: its quota group when the provider declares
 * one, else the whole credential (billing and credit stops are credential-wide).
 */
const cooldownScopeByCode: Partial<Record<GatewayErrorCode, CooldownScope>> = {
  rate_limited: "credential-model",
  quota_exhausted: "credential-group",
};

/**
 * The one fallback table (CONVENTIONS.md "Error taxonomy"): every retry, rotation, cooldown and fallback decision
 * of the pipeline comes from here, decided on `code` (plus upstream status and retry-after), never on message text.
 */
export function decideFallback(attempt: FailedAttempt, options: FallbackPolicyOptions = {}): FallbackDecision {
  const decision = decideByTable(attempt, options);
  const { error } = attempt;
  if (isHardStop(error) || (options.stopOn === undefined && options.failoverOn === undefined)) return decision;
  const outcome: LeaseOutcome = decision.kind === "retry-same" ? { kind: "neutral" } : decision.outcome;
  if (options.stopOn?.includes(error.code) === true) return { kind: "stop", outcome };
  if (options.failoverOn === undefined) return decision;
  const listed = options.failoverOn.includes(error.code);
  if (listed && decision.kind === "stop") return { kind: "next-target", outcome };
  if (!listed && decision.kind === "next-target") return { kind: "stop", outcome };
  return decision;
}

function decideByTable(attempt: FailedAttempt, options: FallbackPolicyOptions): FallbackDecision {
  const { error, retriesOnCredential } = attempt;
  const shortRetryAfterMs = options.shortRetryAfterMs ?? 1_000;
  const maxRetries = options.maxRetriesOnCredential ?? 1;
  const backoffMs = Math.min(options.retryMaxMs ?? 2_000, (options.retryBaseMs ?? 250) * 2 ** retriesOnCredential);
  // A transient failure is retried on the same credential a bounded number of times, then the target is left:
  // one generic failure says nothing about the credential, so it never cools it (let alone the provider).
  const transient = (): FallbackDecision => {
    if (retriesOnCredential < maxRetries) return { kind: "retry-same", delayMs: Math.min(error.retryAfterMs ?? backoffMs, options.retryMaxMs ?? 2_000) };
    return attempt.mayRotateTransient === true ? { kind: "rotate", outcome: { kind: "neutral" } } : { kind: "next-target", outcome: { kind: "neutral" } };
  };
  const stop: FallbackDecision = { kind: "stop", outcome: { kind: "neutral" } };

  switch (error.code) {
    case "rate_limited":
    case "quota_exhausted": {
      const retryAfter = error.retryAfterMs;
      if (error.code === "rate_limited" && retryAfter !== undefined && retryAfter <= shortRetryAfterMs && retriesOnCredential === 0) {
        return { kind: "retry-same", delayMs: retryAfter };
      }
      const scope = cooldownScopeByCode[error.code] ?? "credential";
      return {
        kind: "rotate",
        outcome: { kind: "failure", scope, code: error.code, ...(retryAfter === undefined ? {} : { cooldownMs: retryAfter }) },
      };
    }
    case "authentication":
    case "permission":
      // Upstream 401/403 (the error names a provider): the gateway's key is bad, so it is disabled until reset by
      // hand. Without a provider it is the client's own proxy key: nothing to rotate.
      return error.provider === undefined ? stop : { kind: "rotate", outcome: { kind: "disable", code: error.code } };
    case "overloaded":
    case "upstream_server":
    case "upstream_timeout":
    case "stream_stalled":
      return transient();
    case "no_capacity":
      return { kind: "next-target", outcome: { kind: "neutral" } };
    case "invalid_request":
    case "unsupported_feature":
    case "context_length":
    case "content_filter":
    case "not_found":
    case "client_closed":
    case "all_targets_failed":
    case "config":
    case "internal":
      return stop;
    default: {
      const unreachable: never = error.code;
      throw new GatewayError("internal", `no fallback rule for ${String(unreachable)}`);
    }
  }
}

/** True for failures of the credential itself (401/403), as opposed to capacity or transient problems. */
export function isCredentialProblem(code: GatewayErrorCode): boolean {
  return code === "authentication" || code === "permission";
}
