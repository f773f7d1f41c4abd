import { join } from "node:path";
import type { GatewayConfig } from "../config/index.js";
import { createCredentialPools, type CredentialPools } from "../credentials/index.js";
import { openFileStateStore, type FileStateStore, type StateStore } from "../state/index.js";

/** One pool per active provider over `store`: every key of `<P>_API_KEY`, `_1`…`_N`, the provider's strategy and limits. */
export function createPoolsFromConfig(config: GatewayConfig, store: StateStore): CredentialPools {
  return createCredentialPools({
    store,
    pools: config.providers.providers.map((provider) => ({
      provider: provider.id,
      strategy: config.rotation.strategies[provider.id] ?? config.rotation.defaultStrategy,
      credentials: provider.credentials.map((credential) => ({ credential, maxConcurrency: config.rotation.maxConcurrency })),
    })),
  });
}

/** The state file of a data directory (`<dataDir>/state.json`), shared by the server and `switchyard credentials`. */
export function stateFilePath(config: GatewayConfig): string {
  return join(config.dataDir, "state.json");
}

/** Opens the embedded file store under the data directory: cooldowns, usage and affinity survive a restart. */
export function openStateStoreFromConfig(config: GatewayConfig): Promise<FileStateStore> {
  return openFileStateStore({ path: stateFilePath(config) });
}
