import { join } from "node:path";
import type { GatewayConfig, RotationPoolConfig } from "../config/index.js";
import { createCredentialPools, type CredentialPoolSettings, type CredentialPools, type ExhaustedWithoutResetPolicy, type UsageCapSettings } from "../credentials/index.js";
import { openFileStateStore, type FileStateStore, type StateStore } from "../state/index.js";

/**
 * One pool per active provider over `store`: every key of `<P>_API_KEY`, `_1`…`_N`, the provider's strategy and
 * limits. A credential's own settings (`credentials.<id>`) win over the provider's, which win over the global ones.
 */
export function createPoolsFromConfig(config: GatewayConfig, store: StateStore): CredentialPools {
  return createCredentialPools({
    store,
    pools: config.providers.providers.map((provider) => {
      const pool = config.rotation.pools[provider.id] ?? {};
      const settings: CredentialPoolSettings = {
        provider: provider.id,
        strategy: config.rotation.strategies[provider.id] ?? config.rotation.defaultStrategy,
        credentials: provider.credentials.map((credential) => {
          const own = pool.credentials?.[credential.id];
          return {
            credential,
            maxConcurrency: own?.maxConcurrency ?? pool.maxConcurrency ?? config.rotation.maxConcurrency,
            tier: own?.tier ?? pool.tiers?.[credential.id] ?? 1,
            ...(own?.optimalConcurrency === undefined ? {} : { optimalConcurrency: own.optimalConcurrency }),
            ...(own?.windowCap === undefined ? {} : { windowCap: own.windowCap }),
          };
        }),
      };
      return { ...settings, ...poolOptions(pool) };
    }),
  });
}

/** The switchyard.json `rotation.providers.<id>` entry as pool settings. */
function poolOptions(pool: RotationPoolConfig): Partial<CredentialPoolSettings> {
  const options: Partial<CredentialPoolSettings> = {};
  if (pool.quotaGroups !== undefined) options.quotaGroups = pool.quotaGroups;
  if (pool.window !== undefined) options.window = pool.window;
  if (pool.tolerance !== undefined) options.tolerance = pool.tolerance;
  if (pool.cycleDurationMs !== undefined) options.cycleDurationMs = pool.cycleDurationMs;
  if (pool.cycleScope !== undefined) options.cycleScope = pool.cycleScope;
  if (pool.steering !== undefined) options.steering = { ...pool.steering };
  if (pool.affinity !== undefined) options.affinity = { ...pool.affinity };
  if (pool.maxCooldownMs !== undefined) options.maxCooldownMs = pool.maxCooldownMs;
  if (pool.busyWaitMs !== undefined) options.busyWaitMs = pool.busyWaitMs;
  if (pool.backoff !== undefined) options.backoff = { ...pool.backoff };
  if (pool.caps !== undefined) {
    options.caps = pool.caps.map((cap): UsageCapSettings => {
      const { onHit, ...rest } = cap;
      return { ...rest, ...(onHit === undefined ? {} : { onHit: onHit === "until-reset" ? { kind: "until-reset" } : { kind: "cooldown", ms: onHit.cooldownMs } }) };
    });
  }
  const exhausted = pool.exhaustedWithoutReset;
  if (exhausted !== undefined) {
    const policy: ExhaustedWithoutResetPolicy = typeof exhausted === "object" ? { kind: "cooldown", ms: exhausted.cooldownMs } : { kind: exhausted };
    options.exhaustedWithoutReset = policy;
  }
  return options;
}

/** The state file of a data directory (`<dataDir>/state.json`), shared by the server and `switchyard credentials`. */
export function stateFilePath(config: GatewayConfig): string {
  return join(config.dataDir, "state.json");
}

/** Opens the embedded file store under the data directory: cooldowns, usage and affinity survive a restart. */
export function openStateStoreFromConfig(config: GatewayConfig): Promise<FileStateStore> {
  return openFileStateStore({ path: stateFilePath(config) });
}
