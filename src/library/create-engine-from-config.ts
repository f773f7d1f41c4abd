import type { Logger } from "pino";
import type { GatewayConfig } from "../config/index.js";
import { createGatewayEngine, type Gateway } from "../pipeline/index.js";
import { createModelCatalog } from "../providers/index.js";
import { createModelListFetcher, createUpstreamClient } from "../upstream/index.js";

/** Wires the pipeline from a loaded config: one upstream client, one model catalog, the provider registry. */
export function createEngineFromConfig(config: GatewayConfig, logger?: Logger): Gateway {
  const upstream = createUpstreamClient(config.upstream);
  const catalog = createModelCatalog({ registry: config.providers, fetch: createModelListFetcher(upstream), ttlMs: config.modelDiscovery.ttlMs });
  return createGatewayEngine({
    providers: config.providers,
    upstream,
    aliases: config.aliases,
    ...(config.defaultProvider === undefined ? {} : { defaultProvider: config.defaultProvider }),
    catalog,
    requestTimeoutMs: config.timeouts.requestMs,
    streamTimeouts: { ttfbMs: config.timeouts.ttfbMs, stallMs: config.timeouts.stallMs, heartbeatMs: config.timeouts.heartbeatMs },
    ...(logger === undefined ? {} : { logger }),
  });
}
