import type { StateStore } from "../state/index.js";
import { GatewayError } from "../unified/index.js";
import { createCredentialPool, type CredentialPool } from "./create-credential-pool.js";
import type { AcquireResult, CredentialPoolSettings, PoolEnvironment } from "./credential-pool-settings.js";

/** What one request asks for. `sessionKey` keeps a conversation on one credential while it is healthy. */
export interface AcquireRequest {
  provider: string;
  model: string;
  sessionKey?: string;
  /** Session evidence, strongest first (explicit key, then content evidence); overrides `sessionKey`. */
  sessionKeys?: readonly string[];
}

/** Every provider's pool behind one `acquire`. */
export interface CredentialPools {
  acquire(request: AcquireRequest): Promise<AcquireResult>;
  /** The pool of `provider`; throws `config` for an unknown provider. */
  pool(provider: string): CredentialPool;
  readonly providers: readonly string[];
}

/** Options: pools, the store they keep state in, and (for tests) the clock and randomness. */
export interface CredentialPoolsOptions {
  pools: CredentialPoolSettings[];
  store: StateStore;
  environment?: Partial<PoolEnvironment>;
}

/** Build the pools of every provider over one state store. */
export function createCredentialPools(options: CredentialPoolsOptions): CredentialPools {
  const environment: PoolEnvironment = { now: options.environment?.now ?? Date.now, random: options.environment?.random ?? Math.random };
  const pools = new Map<string, CredentialPool>();
  for (const settings of options.pools) {
    if (pools.has(settings.provider)) throw new GatewayError("config", `two credential pools for provider ${settings.provider}`);
    pools.set(settings.provider, createCredentialPool(settings, options.store, environment));
  }
  const pool = (provider: string): CredentialPool => {
    const found = pools.get(provider);
    if (found === undefined) throw new GatewayError("config", `no credential pool for provider ${provider}`);
    return found;
  };
  return {
    providers: [...pools.keys()],
    pool,
    acquire: (request) => {
      const sessionKeys = request.sessionKeys ?? (request.sessionKey === undefined ? undefined : [request.sessionKey]);
      return pool(request.provider).acquire(sessionKeys === undefined ? { model: request.model } : { model: request.model, sessionKeys });
    },
  };
}
