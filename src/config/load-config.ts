import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseDotenv } from "dotenv";
import {
  createCredential,
  createProviderRegistry,
  readProviderEnvironment,
  type ProviderRegistry,
  type ProviderSettings,
} from "../providers/index.js";
import {
  aliasesFromRecord,
  fallbackGroupsFromRecord,
  groupModelPrefix,
  mergeFallbackGroups,
  mergeModelAliases,
  parseFallbackGroups,
  parseModelAliases,
  type FallbackGroup,
  type ModelAlias,
} from "../routing/index.js";
import { defaultBackgroundCancelPollMs } from "../responses/index.js";
import { GatewayError } from "../unified/index.js";
import { configFileSchema, describeConfigIssues, selectionStrategies, type ConfigFile } from "./config-file-schema.js";
import { configDefaults, type GatewayConfig } from "./gateway-config.js";
import { readStreamSettings } from "./read-stream-settings.js";
import { resolveCredentialReferences } from "./resolve-credential-references.js";
import { readSwitchyardEnvironment, type SwitchyardEnvironment } from "./read-switchyard-environment.js";
import { rejectConfigSecrets } from "./reject-config-secrets.js";

/** Reads a file as UTF-8; undefined when it does not exist. */
export type ConfigFileReader = (path: string) => string | undefined;

/** Inputs of `loadConfig`; nothing else is read. */
export interface LoadConfigOptions {
  /** The process environment (it wins over `.env` and the JSON file). */
  env: Readonly<Record<string, string | undefined>>;
  /** Where `.env`, `switchyard.json` and relative paths are resolved. */
  cwd: string;
  /** File access; the real file system when absent. */
  readFile?: ConfigFileReader;
  /** Read `<cwd>/.env` (default true). */
  dotenv?: boolean;
}

/**
 * Loads and validates the configuration: `<cwd>/.env` (never overriding real variables), then the optional JSON file
 * (SWITCHYARD_CONFIG, else `<cwd>/switchyard.json` when present; secrets in it are rejected), then the environment,
 * which overrides the file. Builds the provider registry. Throws GatewayError `config` naming the variable, or the
 * file and field.
 */
export function loadConfig(options: LoadConfigOptions): GatewayConfig {
  const readFile = options.readFile ?? readFileFromDisk;
  const sources: GatewayConfig["sources"] = {};

  const env: Record<string, string | undefined> = {};
  if (options.dotenv !== false) {
    const envFile = resolve(options.cwd, ".env");
    const text = readFile(envFile);
    if (text !== undefined) {
      Object.assign(env, parseDotenv(text));
      sources.envFile = envFile;
    }
  }
  for (const [name, value] of Object.entries(options.env)) if (value !== undefined) env[name] = value;

  const variables = readSwitchyardEnvironment(env);
  const { file, path: configFile } = readConfigFile(variables.string("SWITCHYARD_CONFIG"), options.cwd, readFile);
  if (configFile !== undefined) sources.configFile = configFile;
  const fileField = (field: string): string => `${configFile ?? "switchyard.json"}: ${field}`;

  const requestMs = variables.integer("SWITCHYARD_REQUEST_TIMEOUT_MS", 1) ?? file.timeouts?.requestMs ?? configDefaults.requestTimeoutMs;
  const stallMs = variables.integer("SWITCHYARD_STALL_TIMEOUT_MS", 1) ?? file.timeouts?.stallMs ?? configDefaults.stallTimeoutMs;
  const demoSwitch = variables.string("SWITCHYARD_DEMO")?.toLowerCase() === "auto" ? undefined : variables.boolean("SWITCHYARD_DEMO");
  const demoEnabled = demoSwitch ?? file.demo?.enabled;
  const demo: GatewayConfig["demo"] = {
    chunkDelayMs: variables.integer("SWITCHYARD_DEMO_DELAY_MS", 0) ?? file.demo?.chunkDelayMs ?? configDefaults.demoChunkDelayMs,
    ...(demoEnabled === undefined ? {} : { enabled: demoEnabled }),
  };

  const fileSettings = providerSettingsFromFile(file, configFile);
  const providers = createProviderRegistry({
    settings: [...fileSettings, ...readProviderEnvironment(env).settings],
    demo: { chunkDelayMs: demo.chunkDelayMs, ...(demo.enabled === undefined ? {} : { enabled: demo.enabled }) },
  });

  const fromEnvironment = variables.string("SWITCHYARD_ALIASES");
  const aliases = mergeModelAliases(
    fromEnvironment === undefined ? [] : parseModelAliases(fromEnvironment, "SWITCHYARD_ALIASES"),
    aliasesFromRecord(file.aliases ?? {}),
  );

  const groupsFromEnvironment = variables.string("SWITCHYARD_FALLBACK_GROUPS");
  const fallbackGroups = mergeFallbackGroups(
    groupsFromEnvironment === undefined ? [] : parseFallbackGroups(groupsFromEnvironment, "SWITCHYARD_FALLBACK_GROUPS"),
    fallbackGroupsFromRecord(file.fallbackGroups ?? {}),
  );
  checkGroupAliases(aliases, fallbackGroups);

  const defaultFromEnvironment = variables.string("SWITCHYARD_DEFAULT_PROVIDER");
  const defaultProvider = defaultFromEnvironment ?? file.defaultProvider;
  if (defaultProvider !== undefined && providers.get(defaultProvider) === undefined) {
    const where = defaultFromEnvironment === undefined ? fileField("defaultProvider") : "SWITCHYARD_DEFAULT_PROVIDER";
    const reason = providers.inactiveReason(defaultProvider);
    throw new GatewayError(
      "config",
      `${where}: "${defaultProvider}" is ${reason === undefined ? "not a known provider" : `not active (${reason})`}`,
    );
  }

  const streamWarnings: string[] = [];
  const stream = readStreamSettings(variables, env, file, providers, streamWarnings);
  const warnings = [
    ...providers.warnings,
    ...streamWarnings,
    ...variables.unknownVariables().map((name) => `${name} is not a Switchyard setting (typo?); see .env.example`),
    ...inactiveAliasTargets(aliases, providers),
    ...inactiveGroupTargets(fallbackGroups, providers),
  ];
  const trace = variables.boolean("SWITCHYARD_TRACE") ?? file.trace ?? false;

  const config: GatewayConfig = {
    host: variables.string("SWITCHYARD_HOST") ?? file.host ?? configDefaults.host,
    port: variables.integer("SWITCHYARD_PORT", 1, 65_535) ?? file.port ?? configDefaults.port,
    dataDir: resolve(options.cwd, variables.string("SWITCHYARD_DATA_DIR") ?? file.dataDir ?? configDefaults.dataDir),
    proxyKeys: (variables.string("SWITCHYARD_PROXY_KEYS") ?? "")
      .split(",")
      .map((key) => key.trim())
      .filter((key) => key !== "")
      .map((key) => createCredential("proxy", key)),
    aliases,
    fallbackGroups,
    timeouts: {
      requestMs,
      ttfbMs: variables.integer("SWITCHYARD_TTFB_TIMEOUT_MS", 1) ?? file.timeouts?.ttfbMs ?? configDefaults.ttfbTimeoutMs,
      stallMs,
      heartbeatMs: variables.integer("SWITCHYARD_HEARTBEAT_MS", 0) ?? file.timeouts?.heartbeatMs ?? configDefaults.heartbeatMs,
    },
    stream,
    upstream: {
      connectTimeoutMs: variables.integer("SWITCHYARD_CONNECT_TIMEOUT_MS", 1) ?? file.upstream?.connectTimeoutMs ?? configDefaults.connectTimeoutMs,
      // Headers may take as long as the whole request may; between body chunks, as long as a stream may stall.
      headersTimeoutMs: file.upstream?.headersTimeoutMs ?? requestMs,
      bodyTimeoutMs: file.upstream?.bodyTimeoutMs ?? stallMs,
    },
    limits: {
      bodyBytes: variables.integer("SWITCHYARD_BODY_LIMIT_BYTES", 1) ?? file.limits?.bodyBytes ?? configDefaults.bodyLimitBytes,
      jsonDepth: variables.integer("SWITCHYARD_JSON_DEPTH_LIMIT", 1) ?? file.limits?.jsonDepth ?? configDefaults.jsonDepthLimit,
    },
    logLevel: variables.logLevel("SWITCHYARD_LOG_LEVEL") ?? file.logLevel ?? configDefaults.logLevel,
    trace,
    // Failures are dumped with the trace unless switched off, and on their own without it.
    dumpFailures: variables.boolean("SWITCHYARD_DUMP_FAILURES") ?? file.dumpFailures ?? trace,
    maxFailureDumps: variables.integer("SWITCHYARD_MAX_FAILURE_DUMPS", 1) ?? file.maxFailureDumps ?? configDefaults.maxFailureDumps,
    modelDiscovery: { ttlMs: variables.integer("SWITCHYARD_MODELS_TTL_MS", 0) ?? file.modelDiscovery?.ttlMs ?? configDefaults.modelsTtlMs },
    demo,
    rotation: readRotation(variables.string("SWITCHYARD_ROTATION"), file.rotation, {
      maxConcurrency: variables.integer("SWITCHYARD_MAX_CONCURRENCY", 1),
      maxRetries: variables.integer("SWITCHYARD_MAX_RETRIES", 0),
    }),
    providers,
    sources,
    warnings,
  };
  if (defaultProvider !== undefined) config.defaultProvider = defaultProvider;
  config.rotation.pools = resolveCredentialReferences(config.rotation.pools, env, providers, fileField, warnings);
  const responses = readResponsesSettings(variables, file.responses);
  if (responses !== undefined) config.responses = responses;
  if (file.adapters !== undefined) config.adapters = file.adapters;
  if (file.fieldCache !== undefined) config.fieldCache = file.fieldCache;
  return config;
}

/**
 * Rotation settings; the environment wins. SWITCHYARD_ROTATION is `sequential` (every provider) or
 * `openai=sequential,anthropic=fair-cycle` (per provider; a bare entry sets the default).
 */
function readRotation(
  fromEnvironment: string | undefined,
  file: ConfigFile["rotation"],
  numbers: { maxConcurrency: number | undefined; maxRetries: number | undefined },
): GatewayConfig["rotation"] {
  const strategies: Record<string, GatewayConfig["rotation"]["defaultStrategy"]> = { ...file?.strategies };
  let defaultStrategy = file?.strategy ?? configDefaults.rotationStrategy;
  for (const entry of (fromEnvironment ?? "").split(",").map((part) => part.trim()).filter((part) => part !== "")) {
    const [left, right] = entry.includes("=") ? entry.split("=", 2).map((part) => part.trim()) : [undefined, entry];
    const strategy = selectionStrategies.find((known) => known === right);
    if (strategy === undefined) throw new GatewayError("config", `SWITCHYARD_ROTATION: "${right ?? ""}" is not a strategy; use ${selectionStrategies.join(", ")}`);
    if (left === undefined) defaultStrategy = strategy;
    else strategies[left] = strategy;
  }
  return {
    defaultStrategy,
    strategies,
    maxConcurrency: numbers.maxConcurrency ?? file?.maxConcurrency ?? configDefaults.maxConcurrency,
    maxRetries: numbers.maxRetries ?? file?.maxRetries ?? configDefaults.maxRetries,
    pools: file?.providers ?? {},
  };
}

/** Reads and validates the JSON file; an explicitly named file must exist, the default one may not. */
function readConfigFile(named: string | undefined, cwd: string, readFile: ConfigFileReader): { file: ConfigFile; path?: string } {
  const path = resolve(cwd, named ?? "switchyard.json");
  const text = readFile(path);
  if (text === undefined) {
    if (named !== undefined) throw new GatewayError("config", `SWITCHYARD_CONFIG: ${path} does not exist`);
    return { file: {} };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text) as unknown;
  } catch (error) {
    throw new GatewayError("config", `${path}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  rejectConfigSecrets(raw, path);
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) throw new GatewayError("config", `${path}: ${describeConfigIssues(parsed.error).join("; ")}`);
  return { file: parsed.data, path };
}

function providerSettingsFromFile(file: ConfigFile, path: string | undefined): ProviderSettings[] {
  if (file.providers === undefined || path === undefined) return [];
  return Object.entries(file.providers).map(([id, entry]) => {
    const settings: ProviderSettings = { id, origin: { kind: "file", path } };
    if (entry.enabled !== undefined) settings.enabled = entry.enabled;
    if (entry.baseUrl !== undefined) settings.baseUrl = entry.baseUrl;
    if (entry.protocol !== undefined) settings.protocol = entry.protocol;
    if (entry.models !== undefined) settings.models = entry.models;
    if (entry.headers !== undefined) settings.headers = entry.headers;
    if (entry.displayName !== undefined) settings.displayName = entry.displayName;
    return settings;
  });
}

/** Aliases whose target names a provider that is known but not active: they would 404 on every request. */
function inactiveAliasTargets(aliases: readonly ModelAlias[], providers: ProviderRegistry): string[] {
  const warnings: string[] = [];
  for (const alias of aliases) {
    const slash = alias.target.indexOf("/");
    if (slash <= 0) continue;
    const providerId = alias.target.slice(0, slash);
    const reason = providers.inactiveReason(providerId);
    if (reason !== undefined && providers.get(providerId) === undefined) {
      warnings.push(`alias "${alias.pattern}" points at ${providerId}, which is not active (${reason})`);
    }
  }
  return warnings;
}

/** An alias pointing at `group/<name>` must name a configured group: otherwise every request it matches would 404. */
function checkGroupAliases(aliases: readonly ModelAlias[], groups: readonly FallbackGroup[]): void {
  for (const alias of aliases) {
    if (!alias.target.startsWith(groupModelPrefix)) continue;
    const name = alias.target.slice(groupModelPrefix.length);
    if (groups.some((group) => group.name === name)) continue;
    const known = groups.length === 0 ? "none is configured" : `configured: ${groups.map((group) => group.name).join(", ")}`;
    throw new GatewayError("config", `alias "${alias.pattern}" points at fallback group "${name}", which does not exist (${known})`);
  }
}

/** Group members whose provider is not active: they are skipped at request time. */
function inactiveGroupTargets(groups: readonly FallbackGroup[], providers: ProviderRegistry): string[] {
  const warnings: string[] = [];
  for (const group of groups) {
    for (const target of group.targets) {
      const providerId = target.slice(0, target.indexOf("/"));
      if (providers.get(providerId) !== undefined) continue;
      const reason = providers.inactiveReason(providerId) ?? "not a configured provider";
      warnings.push(`fallback group "${group.name}" target "${target}" is skipped: ${providerId} is not active (${reason})`);
    }
  }
  return warnings;
}

function readFileFromDisk(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if (typeof error === "object" && error !== null && (error as { code?: unknown }).code === "ENOENT") return undefined;
    throw new GatewayError("config", `${path}: cannot be read (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
}

/** Background Responses settings; the environment wins, and only what was set is kept (defaults live in responses/). */
function readResponsesSettings(variables: SwitchyardEnvironment, file: ConfigFile["responses"]): GatewayConfig["responses"] {
  const maxBackgroundJobs = variables.integer("SWITCHYARD_MAX_BACKGROUND_RESPONSES", 1) ?? file?.maxBackgroundJobs;
  const cancelPollMs = variables.integer("SWITCHYARD_BACKGROUND_CANCEL_POLL_MS", 1) ?? file?.cancelPollMs;
  const leaseMs = variables.integer("SWITCHYARD_BACKGROUND_LEASE_MS", 1) ?? file?.leaseMs;
  // Checked here so the error names the setting; the runner would refuse it too, but only once the server starts.
  const pollMs = cancelPollMs ?? defaultBackgroundCancelPollMs;
  if (leaseMs !== undefined && leaseMs < 2 * pollMs) {
    throw new GatewayError("config", `SWITCHYARD_BACKGROUND_LEASE_MS (responses.leaseMs): ${leaseMs} ms must be at least twice the cancel poll interval (${pollMs} ms)`);
  }
  if (maxBackgroundJobs === undefined && cancelPollMs === undefined && leaseMs === undefined) return undefined;
  return {
    ...(maxBackgroundJobs === undefined ? {} : { maxBackgroundJobs }),
    ...(cancelPollMs === undefined ? {} : { cancelPollMs }),
    ...(leaseMs === undefined ? {} : { leaseMs }),
  };
}
