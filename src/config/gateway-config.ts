import type { AdapterChainConfig } from "../adapters/index.js";
import type { FieldCacheSettings } from "../field-cache/index.js";
import type { SelectionStrategy } from "../credentials/index.js";
import type { RotationPoolConfig } from "./rotation-pool-schema.js";
import type { Credential, ProviderRegistry } from "../providers/index.js";
import type { FallbackGroup, ModelAlias } from "../routing/index.js";
import type { StreamSettingsOverride } from "../streaming/index.js";

/** pino's levels. */
export const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** One of pino's levels. */
export type LogLevel = (typeof logLevels)[number];

/** The whole, validated configuration of one gateway process. Safe to serialize: secrets are never enumerable. */
export interface GatewayConfig {
  /** Listen address (SWITCHYARD_HOST). */
  host: string;
  /** Listen port (SWITCHYARD_PORT). */
  port: number;
  /** Absolute state directory (SWITCHYARD_DATA_DIR, relative paths resolved against cwd). */
  dataDir: string;
  /** Proxy keys clients must present (SWITCHYARD_PROXY_KEYS); `.secret` holds the key, `.id` names it. */
  proxyKeys: readonly Credential[];
  /** Environment entries first (they override file entries with the same pattern). */
  aliases: readonly ModelAlias[];
  /** Adapter chains from switchyard.json's `adapters` section, applied after each provider's declared ones. */
  adapters?: AdapterChainConfig;
  /** switchyard.json's `fieldCache` section: extra rules, raised bounds of declared ones (never weaker). */
  fieldCache?: FieldCacheSettings;
  /** Fallback groups (SWITCHYARD_FALLBACK_GROUPS first; it replaces file groups of the same name). */
  fallbackGroups: readonly FallbackGroup[];
  /** Provider for bare model names (SWITCHYARD_DEFAULT_PROVIDER); checked to be active. */
  defaultProvider?: string;
  timeouts: {
    /** Deadline for getting a response (all attempts, until the first byte reaches the client). */
    requestMs: number;
    /** Request start to first upstream byte, per attempt. */
    ttfbMs: number;
    /** Longest upstream silence inside a stream. */
    stallMs: number;
    /** SSE comment interval to the client while upstream is silent. */
    heartbeatMs: number;
  };
  /**
   * Stream behaviour beyond the timeouts (SWITCHYARD_STREAM_*, file `stream`) and per-provider overrides of every
   * stream setting, timeouts included (`<NAME>_STREAM_*`, file `providers.<id>.stream`).
   */
  stream: {
    cancelOnDisconnect: boolean;
    reasoningVisible: boolean;
    viaNonStream: boolean;
    providers: Readonly<Record<string, StreamSettingsOverride>>;
  };
  /** undici client settings. */
  upstream: { connectTimeoutMs: number; headersTimeoutMs: number; bodyTimeoutMs: number };
  limits: { bodyBytes: number; jsonDepth: number };
  logLevel: LogLevel;
  /** Write the transaction trace under the data directory (SWITCHYARD_TRACE=1). */
  trace: boolean;
  /** Dump each failed upstream exchange under `<dataDir>/failures/` (SWITCHYARD_DUMP_FAILURES; default: as `trace`). */
  dumpFailures: boolean;
  /** Failure dump files kept, oldest deleted first (SWITCHYARD_MAX_FAILURE_DUMPS). */
  maxFailureDumps: number;
  modelDiscovery: { ttlMs: number };
  /**
   * Background Responses jobs (SWITCHYARD_MAX_BACKGROUND_RESPONSES, SWITCHYARD_BACKGROUND_CANCEL_POLL_MS,
   * SWITCHYARD_BACKGROUND_LEASE_MS); only what was set, the Responses service holds the defaults (32 jobs per instance,
   * a 1000 ms poll, a lease of the larger of 15 s and 5 polls).
   */
  responses?: { maxBackgroundJobs?: number; cancelPollMs?: number; leaseMs?: number };
  demo: { enabled?: boolean; chunkDelayMs: number };
  /** Credential rotation: strategy per provider (SWITCHYARD_ROTATION), limits per credential, same-credential retries. */
  rotation: {
    defaultStrategy: SelectionStrategy;
    strategies: Readonly<Record<string, SelectionStrategy>>;
    /** Most requests one credential serves at once (SWITCHYARD_MAX_CONCURRENCY). */
    maxConcurrency: number;
    /** Same-credential retries of a transient failure (SWITCHYARD_MAX_RETRIES). */
    maxRetries: number;
    /** Per provider pool settings (switchyard.json `rotation.providers`). */
    pools: Readonly<Record<string, RotationPoolConfig>>;
  };
  /** Providers built from the file and the environment (the demo provider when none is configured). */
  providers: ProviderRegistry;
  /** Files that were read. */
  sources: { envFile?: string; configFile?: string };
  /** Things that are not errors but probably not what was meant (for the start-up banner and `doctor`). */
  warnings: readonly string[];
}

/** Defaults for every setting. */
export const configDefaults = {
  host: "127.0.0.1",
  port: 8787,
  dataDir: "./data",
  requestTimeoutMs: 600_000,
  ttfbTimeoutMs: 180_000,
  stallTimeoutMs: 300_000,
  heartbeatMs: 15_000,
  connectTimeoutMs: 10_000,
  bodyLimitBytes: 32 * 1024 * 1024,
  jsonDepthLimit: 256,
  logLevel: "info",
  modelsTtlMs: 600_000,
  demoChunkDelayMs: 15,
  rotationStrategy: "balanced",
  maxConcurrency: 64,
  maxRetries: 1,
  maxFailureDumps: 100,
} as const;
