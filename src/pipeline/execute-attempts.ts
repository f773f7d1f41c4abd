import { setTimeout as sleepFor } from "node:timers/promises";
import type { Logger } from "pino";
import type { AcquireResult, CredentialLease, CredentialPool, CredentialPools, LeaseOutcome, SessionEvidenceKey } from "../credentials/index.js";
import type { ConfiguredProvider, Credential } from "../providers/index.js";
import { decideFallback, mayFailOver, type FallbackPolicyOptions } from "../routing/index.js";
import { observeUpstreamResponses, readRateLimit } from "../upstream/index.js";
import { GatewayError, toGatewayError, type AttemptRecord, type GatewayErrorCode, type ProtocolId } from "../unified/index.js";
import { isEmptyAnswer } from "./detect-empty-answer.js";
import type { GatewayResult } from "./gateway-call.js";
import { continueStreamAttempts, type StreamAttemptLoop, type StreamFate } from "./continue-stream-attempts.js";
import type { StreamProgress } from "./stream-progress.js";
import { summarizeFailedAttempts, type TargetExhaustion } from "./summarize-failed-attempts.js";

/** One place a request can be served, in fallback order. */
export interface AttemptTarget {
  provider: ConfiguredProvider;
  upstreamModel: string;
}

/** Runs the operation once on `target`, whose provider carries exactly the leased credential. */
export type AttemptRunner = (target: AttemptTarget) => Promise<GatewayResult>;

/** Everything the executor needs besides the targets and the runner. */
export interface ExecuteAttemptsOptions {
  /** Credential pools; a provider without a pool is tried once with its first credential. */
  pools?: CredentialPools;
  policy?: FallbackPolicyOptions;
  /** The request's signal (client disconnect and deadline). */
  signal: AbortSignal;
  /** The request deadline on `now`'s scale; waits that would end after it are not started. */
  deadlineAt?: number;
  now: () => number;
  /** Session evidence, strongest first (see readSessionEvidence). */
  sessionKeys?: readonly SessionEvidenceKey[];
  /** False: bind the keys but do not follow an existing binding (a first turn known only by its content). */
  followSession?: boolean;
  /** The client protocol, for the empty-answer check (which runs for `generate` only). */
  protocol: ProtocolId;
  checkEmptyAnswers: boolean;
  /** Pause before retrying an empty answer. Default 500 ms. */
  emptyRetryDelayMs?: number;
  /** For streams: the in-band error code once the stream ended, so a failed stream does not count as a success. */
  streamErrorCode?: () => GatewayErrorCode | undefined;
  /** For streams: the progress of the attempt serving now (whether a failure may still continue the stream). */
  streamProgress?: () => StreamProgress | undefined;
  /** For streams: a later attempt took over the client stream after the first one's chunks began to flow. */
  onStreamContinued?: (execution: ExecutionResult) => void;
  logger?: Logger;
}

/** The served result and what it took. */
export interface ExecutionResult {
  result: GatewayResult;
  attempts: AttemptRecord[];
  provider: string;
  /** The target that served (with all its credentials): usage and the request log belong to it. */
  target: AttemptTarget;
  credentialId?: string;
}

/**
 * The rotation executor: attempts under one deadline, credential after credential of a target, then target after
 * target, each decision taken from the fallback table. When every credential of a target is cooling it waits for
 * the earliest if that fits the deadline, else fails fast. A stream stays retryable until it committed (visible
 * output reached the client): a failure before that, even after its response start went out, goes on with the next
 * attempt inside the same client stream (continue-stream-attempts.ts); its lease is released when the stream ends,
 * fails or the client goes away.
 */
export async function executeAttempts(targets: readonly AttemptTarget[], run: AttemptRunner, options: ExecuteAttemptsOptions): Promise<ExecutionResult> {
  const loop = runAttempts(targets, run, options);
  const step = await loop.next();
  if (step.done === true) return step.value;
  // Awaited rather than returned: resolving this function's promise with another promise costs two more turns.
  return await continueStreamAttempts(step.value, loop, {
    protocol: options.protocol,
    ...(options.streamProgress === undefined ? {} : { streamProgress: options.streamProgress }),
    ...(options.onStreamContinued === undefined ? {} : { onContinued: options.onStreamContinued }),
  });
}

/**
 * The attempt loop. It returns a non-stream result; a stream attempt is yielded, and the loop waits, suspended, for
 * that stream's fate: a failure before it committed is handled like any attempt failure (and the next stream
 * attempt yielded), any other end releases the lease and returns.
 */
async function* runAttempts(targets: readonly AttemptTarget[], run: AttemptRunner, options: ExecuteAttemptsOptions): StreamAttemptLoop<ExecutionResult> {
  const attempts: AttemptRecord[] = [];
  const exhausted: TargetExhaustion[] = [];
  let lastError: GatewayError | undefined;
  let targetFailure: GatewayErrorCode | undefined;
  let emptyRetried = false;

  for (let targetIndex = 0; targetIndex < targets.length; targetIndex++) {
    const target = targets[targetIndex];
    if (target === undefined) break;
    // A fallback group's failoverOn/stopOn decide whether the last target's failure may hand over to this one.
    if (targetIndex > 0 && !mayFailOver(targetFailure ?? "no_capacity", options.policy)) break;
    targetFailure = undefined;
    const providerId = target.provider.id;
    const pool = options.pools?.providers.includes(providerId) === true ? options.pools.pool(providerId) : undefined;
    // Every credential once, plus one waited-for retry each: enough that no healthy key goes unused (LESSONS §5,
    // Bifrost #5876), bounded so a pool answering 429 forever cannot spin until the deadline.
    const maxAttempts = Math.max(3, 2 * target.provider.credentials.length);
    let attemptsOnTarget = 0;
    // Credentials this request left without a cooldown to keep it away (transient failures, a `warn` policy): not
    // leased again for this request on this target, so a healthy sticky or bound credential cannot loop.
    const excluded: string[] = [];
    let rotatedTransient = false;

    targetLoop: while (attemptsOnTarget < maxAttempts) {
      throwIfAborted(options.signal);
      // A cooling target is worth waiting for only when it is the last one; otherwise the next target serves now.
      // The first answer is awaited here: a lease (the usual answer) then costs no further async layer.
      let acquired: Acquired | undefined;
      if (pool !== undefined) {
        const request = acquireRequestOf(target, options, excluded);
        const answer = await pool.acquire(request);
        acquired = answer.kind === "lease" ? answer : await acquireWithinDeadline(pool, target, options, targetIndex === targets.length - 1, request, answer);
      }
      if (acquired !== undefined && acquired.kind === "exhausted") {
        exhausted.push(acquired.exhaustion);
        break;
      }
      const lease = acquired?.lease;
      const credential = lease?.credential ?? target.provider.credentials[0];
      // The provider as this attempt sees it: only the leased credential, which request building then uses.
      const narrowed: AttemptTarget = { provider: narrowProvider(target.provider, credential), upstreamModel: target.upstreamModel };
      let retriesOnCredential = 0;

      for (;;) {
        attemptsOnTarget++;
        const startedAt = options.now();
        try {
          const result = await (lease === undefined || pool === undefined ? run(narrowed) : runObserved(run, narrowed, pool, lease, options.now));
          if (result.kind === "stream") {
            const execution = executionOf(result, attempts, target, credential);
            const fate: StreamFate = yield execution;
            // Thrown here, a failure before the stream committed takes the path of every other attempt failure.
            if (fate.kind === "failed") throw fate.error;
            await releaseWith(lease, streamOutcome(fate, options), options.logger);
            return execution;
          }
          if (options.checkEmptyAnswers && !emptyRetried && isEmptyAnswer(result, options.protocol)) {
            emptyRetried = true;
            const delayMs = options.emptyRetryDelayMs ?? 500;
            if (!fitsDeadline(delayMs, options)) return served(result, lease, attempts, target);
            attempts.push(record(narrowed, credential?.id, "upstream_server", 200, options.now() - startedAt));
            options.logger?.warn({ event: "routing.empty_answer", provider: providerId, credential: credential?.id }, "empty answer, retrying once");
            await sleep(delayMs, options.signal);
            continue;
          } else await lease?.release({ kind: "success" });
          return executionOf(result, attempts, target, credential);
        } catch (thrown) {
          const error = options.signal.aborted ? abortReason(options.signal, thrown) : toGatewayError(thrown);
          if (options.signal.aborted) {
            await lease?.release({ kind: "neutral" });
            throw attempts.length === 0 ? error : summarizeFailedAttempts([...attempts, record(narrowed, credential?.id, error.code, error.upstreamStatus, options.now() - startedAt)], error, exhausted);
          }
          attempts.push(record(narrowed, credential?.id, error.code, error.upstreamStatus, options.now() - startedAt));
          if (lease !== undefined) pool?.recordError(lease.credential.id, { code: error.code, ...(error.upstreamStatus === undefined ? {} : { status: error.upstreamStatus }) });
          lastError = error;
          targetFailure = error.code;
          const mayRotateTransient = pool !== undefined && lease !== undefined && !rotatedTransient && target.provider.credentials.length > 1;
          const decision = decideFallback({ error, retriesOnCredential, mayRotateTransient }, options.policy);
          options.logger?.info({ event: "routing.fallback", provider: providerId, credential: credential?.id, code: error.code, status: error.upstreamStatus, decision: decision.kind }, error.message);
          switch (decision.kind) {
            case "retry-same":
              if (fitsDeadline(decision.delayMs, options) && attemptsOnTarget < maxAttempts) {
                retriesOnCredential++;
                await sleep(decision.delayMs, options.signal);
                continue;
              }
              await lease?.release({ kind: "neutral" });
              break targetLoop;
            case "rotate":
              if (decision.outcome.kind === "neutral") rotatedTransient = true;
              if ((await releaseWith(lease, decision.outcome, options.logger)).keptAway !== true && lease !== undefined) excluded.push(lease.credential.id);
              // Without a pool there is no other credential to rotate to.
              if (pool === undefined) break targetLoop;
              continue targetLoop;
            case "next-target":
              await releaseWith(lease, decision.outcome, options.logger);
              break targetLoop;
            case "stop":
              await releaseWith(lease, decision.outcome, options.logger);
              throw error;
            default: {
              const unreachable: never = decision;
              throw new GatewayError("internal", `unknown fallback decision ${JSON.stringify(unreachable)}`);
            }
          }
        }
      }
    }
  }
  throw summarizeFailedAttempts(attempts, lastError, exhausted);
}

function served(result: GatewayResult, lease: CredentialLease | undefined, attempts: AttemptRecord[], target: AttemptTarget): Promise<ExecutionResult> {
  return (lease?.release({ kind: "success" }) ?? Promise.resolve({})).then(() => executionOf(result, attempts, target, lease?.credential));
}

/** The result of the attempt that served through `credential` (if any). */
function executionOf(result: GatewayResult, attempts: AttemptRecord[], target: AttemptTarget, credential: Credential | undefined): ExecutionResult {
  const execution: ExecutionResult = { result, attempts, provider: target.provider.id, target };
  if (credential !== undefined) execution.credentialId = credential.id;
  return execution;
}

/**
 * Each provider as an attempt through one of its credentials sees it, built once per (provider, credential): the copy
 * cost a dozen-field spread per attempt, and a stable object keeps per-provider caches downstream (stream settings) warm.
 */
const narrowedProviders = new WeakMap<ConfiguredProvider, WeakMap<Credential, ConfiguredProvider>>();

/** `provider` with only `credential` (none when undefined), which request building then uses. Shared: read only. */
function narrowProvider(provider: ConfiguredProvider, credential: Credential | undefined): ConfiguredProvider {
  if (credential === undefined) return { ...provider, credentials: [] };
  let byCredential = narrowedProviders.get(provider);
  if (byCredential === undefined) {
    byCredential = new WeakMap();
    narrowedProviders.set(provider, byCredential);
  }
  let narrowed = byCredential.get(credential);
  if (narrowed === undefined) {
    narrowed = { ...provider, credentials: [credential] };
    byCredential.set(credential, narrowed);
  }
  return narrowed;
}

type Acquired = { kind: "lease"; lease: CredentialLease } | { kind: "exhausted"; exhaustion: TargetExhaustion };

type AcquireRequest = Parameters<CredentialPool["acquire"]>[0];

/** What the pool is asked for an attempt on `target`, leaving out the credentials this request already failed on. */
function acquireRequestOf(target: AttemptTarget, options: ExecuteAttemptsOptions, excludeIds: readonly string[]): AcquireRequest {
  const request: AcquireRequest = { model: target.upstreamModel };
  if (options.sessionKeys !== undefined) request.sessionKeys = options.sessionKeys;
  if (options.followSession === false) request.followSession = false;
  if (excludeIds.length > 0) request.excludeIds = excludeIds;
  return request;
}

/**
 * A lease after the pool's `first` answer was not one, waiting (cooldowns only when `waitForCooldowns`, busy slots
 * always) only while the wait ends before the deadline.
 */
async function acquireWithinDeadline(
  pool: CredentialPool,
  target: AttemptTarget,
  options: ExecuteAttemptsOptions,
  waitForCooldowns: boolean,
  request: AcquireRequest,
  first: AcquireResult,
): Promise<Acquired> {
  let answer = first;
  for (;;) {
    switch (answer.kind) {
      case "lease":
        return answer;
      case "unavailable":
        return exhaustionOf(target, answer.reason);
      case "wait":
        if (!fitsDeadline(answer.waitMs, options) || (!waitForCooldowns && answer.reason !== "busy")) {
          return exhaustionOf(target, answer.reason, answer.reason === "busy" ? undefined : answer.waitMs);
        }
        options.logger?.info({ event: "credential.wait", provider: target.provider.id, reason: answer.reason, waitMs: answer.waitMs }, "waiting for a credential");
        // At least a millisecond: a cooldown ending "now" must not become a busy loop.
        await sleep(Math.max(1, answer.waitMs), options.signal);
        throwIfAborted(options.signal);
        answer = await pool.acquire(request);
        break;
      default: {
        const unreachable: never = answer;
        throw new GatewayError("internal", `unknown acquire answer ${JSON.stringify(unreachable)}`);
      }
    }
  }
}

/** Why `target` could not be leased, for the summary of a failed request. */
function exhaustionOf(target: AttemptTarget, reason: TargetExhaustion["reason"], waitMs?: number): Acquired {
  const exhaustion: TargetExhaustion = { provider: target.provider.id, model: target.upstreamModel, reason };
  if (waitMs !== undefined) exhaustion.waitMs = waitMs;
  return { kind: "exhausted", exhaustion };
}

/** The lease outcome of a stream that was served: success unless an in-band error ended it; after a break, the table's. */
function streamOutcome(fate: Exclude<StreamFate, { kind: "failed" }>, options: ExecuteAttemptsOptions): LeaseOutcome {
  switch (fate.kind) {
    case "ended":
      return options.streamErrorCode?.() === undefined ? { kind: "success" } : { kind: "neutral" };
    case "broke": {
      // Past the commit nothing is retried, but the credential's record still learns.
      const decision = decideFallback({ error: toGatewayError(fate.error), retriesOnCredential: Number.POSITIVE_INFINITY }, options.policy);
      return decision.kind === "retry-same" ? { kind: "neutral" } : decision.outcome;
    }
    case "abandoned":
      // The client left: neither a success nor a failure of the credential.
      return { kind: "neutral" };
    default: {
      const unreachable: never = fate;
      throw new GatewayError("internal", `unknown stream fate ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Releases the lease and logs what it recorded; `keptAway`: a cooldown or a disable now keeps others off the credential. */
async function releaseWith(lease: CredentialLease | undefined, outcome: LeaseOutcome, logger: Logger | undefined): Promise<{ keptAway?: boolean }> {
  if (lease === undefined) return {};
  const released = await lease.release(outcome);
  if (released.cooldown !== undefined) {
    const { scope, until, code, model, group } = released.cooldown;
    logger?.info({ event: "credential.cooldown", provider: lease.provider, credential: lease.credential.id, scope, model, group, code, until: new Date(until).toISOString() }, "credential cooling down");
  }
  if (released.warning !== undefined) logger?.warn({ event: "credential.policy", provider: lease.provider, credential: lease.credential.id }, released.warning);
  const disabled = outcome.kind === "disable" || released.disabled === true;
  if (disabled) logger?.warn({ event: "credential.disabled", provider: lease.provider, credential: lease.credential.id, code: outcome.kind === "disable" ? outcome.code : "quota_exhausted" }, "credential disabled");
  return released.cooldown !== undefined || disabled ? { keptAway: true } : {};
}

/**
 * Runs one attempt with its upstream responses observed: the remaining-quota headers of each (success or error)
 * reach the leased credential's record, so the next selection steers away before a 429.
 */
function runObserved(run: AttemptRunner, target: AttemptTarget, pool: CredentialPool, lease: CredentialLease, now: () => number): Promise<GatewayResult> {
  return observeUpstreamResponses(({ headers }) => {
    const info = readRateLimit(target.provider, headers, now());
    if (info !== undefined) pool.observeRateLimit(lease.credential.id, lease.model, info);
  }, () => run(target));
}

function record(target: AttemptTarget, credentialId: string | undefined, code: GatewayErrorCode, status: number | undefined, durationMs: number): AttemptRecord {
  return {
    provider: target.provider.id,
    model: target.upstreamModel,
    ...(credentialId === undefined ? {} : { credentialId }),
    code,
    ...(status === undefined ? {} : { status }),
    durationMs,
  };
}

function fitsDeadline(waitMs: number, options: ExecuteAttemptsOptions): boolean {
  return options.deadlineAt === undefined || options.now() + waitMs < options.deadlineAt;
}

/** The abort's own reason when it is a GatewayError (deadline → upstream_timeout, disconnect → client_closed). */
function abortReason(signal: AbortSignal, thrown: unknown): GatewayError {
  const reason: unknown = signal.reason;
  return GatewayError.isInstance(reason) ? reason : toGatewayError(thrown);
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortReason(signal, new GatewayError("client_closed", "the request was aborted"));
}

async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleepFor(ms, undefined, { signal });
  } catch (error) {
    throw abortReason(signal, error);
  }
}
