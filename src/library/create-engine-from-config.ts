import type { Logger } from "pino";
import type { GatewayConfig } from "../config/index.js";
import { createFieldCache } from "../field-cache/index.js";
import { createGatewayEngine, createPooledModelListFetcher, type Gateway } from "../pipeline/index.js";
import { createModelCatalog } from "../providers/index.js";
import { createMemoryStateStore, type StateStore } from "../state/index.js";
import { createUpstreamClient } from "../upstream/index.js";
import { createPoolsFromConfig } from "./create-pools-from-config.js";
import { createTraceFromConfig } from "./create-trace-from-config.js";

/** Stores the engine keeps state in; each is in memory when absent. Whoever passes a store closes it. */
export interface EngineResources {
  /** The engine's shared state (the Responses store lives on it). */
  state?: StateStore;
  /** Credential cooldowns, usage windows, rotation and affinity (the server's `<dataDir>/state.json`). */
  credentialState?: StateStore;
}

/** Wires the pipeline from a loaded config: one upstream client, one model catalog, the provider registry, the credential pools. */
export function createEngineFromConfig(config: GatewayConfig, logger?: Logger, resources: EngineResources = {}): Gateway {
  const upstream = createUpstreamClient(config.upstream);
  const pools = createPoolsFromConfig(config, resources.credentialState ?? createMemoryStateStore());
  // Discovery leases its credential from the pools: a key the list endpoint rejects is disabled like on any request.
  const fetchModelList = createPooledModelListFetcher({ upstream, pools, registry: config.providers, ...(logger === undefined ? {} : { logger }) });
  const catalog = createModelCatalog({ registry: config.providers, fetch: fetchModelList, ttlMs: config.modelDiscovery.ttlMs });
  const trace = createTraceFromConfig(config);
  const engine = createGatewayEngine({
    providers: config.providers,
    upstream,
    aliases: config.aliases,
    fallbackGroups: config.fallbackGroups,
    ...(config.adapters === undefined ? {} : { adapters: config.adapters }),
    // Persisted beside cooldowns (`<dataDir>/state.json` for the server); a weakening override fails here, at startup.
    fieldCache: createFieldCache({ store: resources.credentialState ?? createMemoryStateStore(), providers: config.providers.providers, ...(config.fieldCache === undefined ? {} : { settings: config.fieldCache }) }),
    ...(config.defaultProvider === undefined ? {} : { defaultProvider: config.defaultProvider }),
    catalog,
    requestTimeoutMs: config.timeouts.requestMs,
    streamTimeouts: { ttfbMs: config.timeouts.ttfbMs, stallMs: config.timeouts.stallMs, heartbeatMs: config.timeouts.heartbeatMs },
    streamSettings: config.stream,
    pools,
    fallback: { maxRetriesOnCredential: config.rotation.maxRetries },
    ...(logger === undefined ? {} : { logger }),
    ...(trace === undefined ? {} : { trace }),
  });
  return resources.state === undefined ? engine : { ...engine, state: resources.state };
}
