import { GatewayError } from "../unified/index.js";
import { buildUpstreamRequest } from "./build-upstream-request.js";
import type { Credential } from "./create-credential.js";
import type { ConfiguredProvider, ProviderRegistry } from "./create-provider-registry.js";
import { parseModelListPage } from "./parse-model-list.js";
import type { ModelInfo, ModelListShape, UpstreamRequest } from "./provider-declaration.js";
import { modelListShapeByProtocol } from "./resolve-operation-path.js";

/** What a model-list fetch returns; the upstream client provides it (`send` + `readText`). */
export interface ModelListFetchResult {
  status: number;
  bodyText: string;
}

/**
 * Fetches one model-list page. Injected so that providers stay free of I/O and tests need no network. `request` goes
 * out with the provider's first credential; `withCredential` builds the same page request for another one, so a
 * fetcher that takes credentials from the pools (rotation, cooldowns, disabling a rejected key) can choose.
 */
export type ModelListFetcher = (
  request: UpstreamRequest,
  options: { signal?: AbortSignal; withCredential?: (credential: Credential) => UpstreamRequest },
) => Promise<ModelListFetchResult>;

/** Where a provider's current model list came from. */
export type ModelListSource = "static" | "discovered" | "fallback";

/** A provider's model list and its provenance (for `models` and `doctor`). */
export interface ModelListState {
  models: readonly ModelInfo[];
  source: ModelListSource;
  /** When discovery last ran (ms since epoch). */
  fetchedAt?: number;
  /** Why discovery failed, when source is `fallback`. No secrets: status codes and error codes only. */
  error?: string;
}

/** Model lists per provider: discovered through the list endpoint, cached with a TTL, static on failure. */
export interface ModelCatalog {
  /** The provider's models, discovering when the cache is cold or stale; never rejects for upstream failures. */
  list(providerId: string, options?: { signal?: AbortSignal; refresh?: boolean }): Promise<readonly ModelInfo[]>;
  /** What is known now without I/O: the cached list, else the static one. For routing on the hot path. */
  peek(providerId: string): readonly ModelInfo[];
  /** The cached state, undefined before the first discovery. */
  state(providerId: string): ModelListState | undefined;
}

/** Options of `createModelCatalog`. */
export interface ModelCatalogOptions {
  registry: ProviderRegistry;
  fetch: ModelListFetcher;
  /** How long a discovered list is fresh (default 10 minutes). */
  ttlMs?: number;
  /** How long to wait before retrying after a failed discovery (default 1 minute, at most ttlMs). */
  failureTtlMs?: number;
  now?: () => number;
  /** Pagination bound, so a provider that keeps returning page tokens cannot loop forever (default 20). */
  maxPages?: number;
}

/** First-page query per shape: ask for the largest page each API allows, to keep discovery to one call. */
const firstPageQuery: Readonly<Record<ModelListShape, Readonly<Record<string, string>>>> = {
  openai: {},
  anthropic: { limit: "1000" },
  gemini: { pageSize: "1000" },
};

/** Creates the model catalog; it holds one entry per provider, so its memory is bounded by the registry. */
export function createModelCatalog(options: ModelCatalogOptions): ModelCatalog {
  const ttlMs = options.ttlMs ?? 600_000;
  const failureTtlMs = Math.min(options.failureTtlMs ?? 60_000, ttlMs);
  const now = options.now ?? Date.now;
  const maxPages = options.maxPages ?? 20;
  const cache = new Map<string, { state: ModelListState; expiresAt: number }>();
  const inFlight = new Map<string, Promise<ModelListState>>();

  const requireProvider = (providerId: string): ConfiguredProvider => {
    const provider = options.registry.get(providerId);
    if (provider === undefined) throw new GatewayError("not_found", `provider "${providerId}" is not configured`);
    return provider;
  };

  const discover = async (provider: ConfiguredProvider, signal: AbortSignal | undefined): Promise<ModelListState> => {
    if (provider.discovery === undefined) return { models: provider.models, source: "static" };
    const shape = provider.protocol === provider.definition.protocol ? provider.discovery.shape : modelListShapeByProtocol[provider.protocol];
    const startedAt = now();
    try {
      const models: ModelInfo[] = [];
      let query: Record<string, string> = { ...firstPageQuery[shape] };
      for (let page = 0; page < maxPages; page += 1) {
        const pageQuery = query;
        const request = buildUpstreamRequest({ provider, model: "", operation: "list-models", query: pageQuery });
        const withCredential = (credential: Credential): UpstreamRequest => buildUpstreamRequest({ provider, model: "", operation: "list-models", query: pageQuery, credential });
        const response = await options.fetch(request, signal === undefined ? { withCredential } : { signal, withCredential });
        if (response.status < 200 || response.status >= 300) throw new GatewayError("upstream_server", `HTTP ${response.status}`);
        const parsed = parseModelListPage(shape, parseJson(response.bodyText));
        models.push(...parsed.models);
        if (parsed.nextPage === undefined) break;
        query = { ...query, [parsed.nextPage.param]: parsed.nextPage.value };
      }
      return { models: withStaticDetails(provider, models), source: "discovered", fetchedAt: startedAt };
    } catch (error) {
      return { models: provider.models, source: "fallback", fetchedAt: startedAt, error: describeFailure(error) };
    }
  };

  return {
    async list(providerId, listOptions = {}) {
      const provider = requireProvider(providerId);
      const cached = cache.get(providerId);
      if (cached !== undefined && listOptions.refresh !== true && cached.expiresAt > now()) return cached.state.models;
      let pending = inFlight.get(providerId);
      if (pending === undefined) {
        // Concurrent callers share one discovery instead of each hitting the provider.
        pending = discover(provider, listOptions.signal).finally(() => inFlight.delete(providerId));
        inFlight.set(providerId, pending);
      }
      const state = await pending;
      cache.set(providerId, { state, expiresAt: now() + (state.source === "fallback" ? failureTtlMs : ttlMs) });
      return state.models;
    },
    peek(providerId) {
      return cache.get(providerId)?.state.models ?? options.registry.get(providerId)?.models ?? [];
    },
    state(providerId) {
      return cache.get(providerId)?.state;
    },
  };
}

/** Discovered entries keep what the static list knows about the same id (display name, capabilities). */
function withStaticDetails(provider: ConfiguredProvider, discovered: readonly ModelInfo[]): ModelInfo[] {
  if (provider.models.length === 0) return [...discovered];
  const known = new Map(provider.models.map((model) => [model.id, model]));
  return discovered.map((model) => {
    const listed = known.get(model.id);
    if (listed === undefined) return model;
    const merged: ModelInfo = { ...listed, ...model };
    if (listed.capabilities !== undefined || model.capabilities !== undefined) merged.capabilities = { ...listed.capabilities, ...model.capabilities };
    return merged;
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new GatewayError("upstream_server", "model list: the body is not JSON");
  }
}

function describeFailure(error: unknown): string {
  if (typeof error === "object" && error !== null && "code" in error && "message" in error) {
    return `${String(error.code)}: ${String(error.message)}`;
  }
  return error instanceof Error ? error.message : String(error);
}
