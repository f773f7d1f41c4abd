import type { Logger } from "pino";
import type { CredentialLease, CredentialPool, CredentialPools, LeaseOutcome } from "../credentials/index.js";
import type { ConfiguredProvider, ModelListFetcher, ModelListFetchResult, ProviderRegistry, UpstreamRequest } from "../providers/index.js";
import { decideFallback } from "../routing/index.js";
import { classifyUpstreamError, readRateLimit, type UpstreamClient } from "../upstream/index.js";
import { GatewayError } from "../unified/index.js";

/**
 * The model a discovery lease is taken for. Model-scoped cooldowns a list call earns (a 429) then keep discovery off
 * that credential without touching real traffic; credential-wide ones (401/403, an exhausted quota) apply everywhere.
 */
export const modelDiscoveryLeaseModel = "(model list)";

/** Options of `createPooledModelListFetcher`. */
export interface PooledModelListFetcherOptions {
  upstream: UpstreamClient;
  pools: CredentialPools;
  registry: ProviderRegistry;
  /** Credentials tried for one page before discovery gives up and the catalog serves its static list (default 3). */
  maxAttempts?: number;
  /** Longest total wait for a credential while all are at their max concurrency (default 2 s). */
  maxBusyWaitMs?: number;
  now?: () => number;
  logger?: Logger;
}

/**
 * A model-list fetcher that takes its credential from the provider's pool like any request: the failure goes through
 * the one error table and the lease release, so a 401/403 disables that credential (and status says so), a 429 cools
 * it, and the next credential is tried. Providers without a pool (keyless) send the catalog's request as it is.
 */
export function createPooledModelListFetcher(options: PooledModelListFetcherOptions): ModelListFetcher {
  const now = options.now ?? Date.now;
  const maxAttempts = options.maxAttempts ?? 3;
  const maxBusyWaitMs = options.maxBusyWaitMs ?? 2_000;

  const sendAsIs = async (request: UpstreamRequest, signal: AbortSignal | undefined): Promise<ModelListFetchResult> => {
    const response = await options.upstream.send(request, signal === undefined ? {} : { signal });
    return { status: response.status, bodyText: await response.readText() };
  };

  /** The table's decision for a failed list call; a same-credential retry becomes a try on another credential. */
  const settle = async (pool: CredentialPool, lease: CredentialLease, error: GatewayError): Promise<{ error: GatewayError; rotate: boolean }> => {
    const decision = decideFallback({ error, retriesOnCredential: 0, mayRotateTransient: true });
    const outcome: LeaseOutcome = decision.kind === "retry-same" ? { kind: "neutral" } : decision.outcome;
    pool.recordError(lease.credential.id, { code: error.code, ...(error.upstreamStatus === undefined ? {} : { status: error.upstreamStatus }) });
    const released = await lease.release(outcome);
    const fields = { provider: lease.provider, credential: lease.credential.id, code: error.code, operation: "list-models" };
    if (outcome.kind === "disable" || released.disabled === true) options.logger?.warn({ event: "credential.disabled", ...fields }, "credential disabled");
    else if (released.cooldown !== undefined) options.logger?.info({ event: "credential.cooldown", ...fields, until: new Date(released.cooldown.until).toISOString() }, "credential cooling down");
    return { error, rotate: decision.kind === "rotate" || decision.kind === "retry-same" };
  };

  /** One page through one leased credential; a failure is classified, released and returned, never thrown. */
  const attempt = async (
    provider: ConfiguredProvider,
    pool: CredentialPool,
    lease: CredentialLease,
    request: UpstreamRequest,
    signal: AbortSignal | undefined,
  ): Promise<{ result: ModelListFetchResult } | { error: GatewayError; rotate: boolean }> => {
    let status: number;
    let headers: Readonly<Record<string, string>>;
    let bodyText: string;
    try {
      const response = await options.upstream.send(request, signal === undefined ? {} : { signal });
      status = response.status;
      headers = response.headers;
      bodyText = await response.readText();
    } catch (error) {
      if (!GatewayError.isInstance(error) || error.code === "client_closed") {
        await lease.release({ kind: "neutral" });
        throw error;
      }
      return settle(pool, lease, error);
    }
    const info = readRateLimit(provider, headers, now());
    if (info !== undefined) pool.observeRateLimit(lease.credential.id, lease.model, info);
    if (status < 400) {
      // A 3xx is no list either, but says nothing about the credential; the catalog falls back on its status.
      await lease.release(status >= 200 && status < 300 ? { kind: "success" } : { kind: "neutral" });
      return { result: { status, bodyText } };
    }
    return settle(pool, lease, classifyUpstreamError({ status, headers, bodyText, provider, credential: lease.credential, now }));
  };

  return async (request, fetchOptions) => {
    const { signal, withCredential } = fetchOptions;
    const provider = options.registry.get(request.providerId);
    if (withCredential === undefined || provider === undefined || !options.pools.providers.includes(provider.id)) return sendAsIs(request, signal);
    const pool = options.pools.pool(provider.id);
    const tried: string[] = [];
    let lastError: GatewayError | undefined;
    let waitedMs = 0;
    while (tried.length < maxAttempts) {
      const acquired = await pool.acquire({ model: modelDiscoveryLeaseModel, excludeIds: tried });
      if (acquired.kind === "unavailable") {
        if (acquired.reason === "empty") return sendAsIs(request, signal);
        break;
      }
      if (acquired.kind === "wait") {
        // Discovery is never worth waiting out a cooldown for: the static list serves meanwhile.
        if (acquired.reason !== "busy" || waitedMs + acquired.waitMs > maxBusyWaitMs) {
          lastError ??= new GatewayError("overloaded", `${provider.id}: no credential free for model discovery (${acquired.reason})`, { provider: provider.id });
          break;
        }
        await delay(acquired.waitMs, signal);
        waitedMs += acquired.waitMs;
        continue;
      }
      const lease = acquired.lease;
      tried.push(lease.credential.id);
      const outcome = await attempt(provider, pool, lease, withCredential(lease.credential), signal);
      if ("result" in outcome) return outcome.result;
      lastError = outcome.error;
      if (!outcome.rotate) break;
    }
    throw lastError ?? new GatewayError("authentication", `${provider.id}: every credential is disabled`, { provider: provider.id });
  };
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(new GatewayError("client_closed", "model discovery aborted"));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new GatewayError("client_closed", "model discovery aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
