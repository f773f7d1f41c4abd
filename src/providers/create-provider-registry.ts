import { GatewayError, type ProtocolId } from "../unified/index.js";
import { builtinProviders } from "./builtin-providers.js";
import { createKeylessCredential, type Credential } from "./create-credential.js";
import { defineProvider } from "./define-provider.js";
import { createDemoProvider, demoProviderId } from "./demo/demo-provider.js";
import type { DemoTransportOptions } from "./demo/serve-demo-transport.js";
import type { ModelDiscoveryDeclaration, ModelInfo, ProviderAuth, ProviderDefinition } from "./provider-declaration.js";
import { describeSettingsField, type ProviderSettings, type ProviderSettingsField, type SettingsOrigin } from "./provider-settings.js";

/** A provider that is configured and active: its definition plus the effective settings and credentials. */
export interface ConfiguredProvider {
  readonly id: string;
  readonly displayName: string;
  readonly definition: ProviderDefinition;
  /** The upstream protocol requests are encoded to. */
  readonly protocol: ProtocolId;
  /** Protocols this configuration can reach (just `protocol` when the base URL was overridden). */
  readonly protocols: readonly ProtocolId[];
  /** Base URL for `protocol`, no trailing slash. */
  readonly baseUrl: string;
  readonly baseUrls: Readonly<Partial<Record<ProtocolId, string>>>;
  /** Static headers: declaration and config merged, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Never empty: ordered keys, or one keyless stand-in. The pipeline uses the first until rotation lands. */
  readonly credentials: readonly Credential[];
  /** The static model list (declaration or `<NAME>_MODELS`). */
  readonly models: readonly ModelInfo[];
  /** The list endpoint, or undefined when discovery is off (`<NAME>_MODELS` set, or the declaration says so). */
  readonly discovery: Required<ModelDiscoveryDeclaration> | undefined;
  /** Defined by settings rather than built in. */
  readonly custom: boolean;
}

/** Active providers by id, plus what is known but inactive (for errors that say how to enable it). */
export interface ProviderRegistry {
  /** Active providers: built-ins in declaration order, then custom ones, then the demo when active. */
  readonly providers: readonly ConfiguredProvider[];
  get(id: string): ConfiguredProvider | undefined;
  /** Any known definition, active or not. */
  known(id: string): ProviderDefinition | undefined;
  /** Why a known provider is inactive (e.g. `no key: set ANTHROPIC_API_KEY`), undefined when active or unknown. */
  inactiveReason(id: string): string | undefined;
  /** True when the demo provider is serving (no provider is configured, or config forces it). */
  readonly demoActive: boolean;
  /** Settings that did nothing (e.g. a base URL for a provider without its required key). */
  readonly warnings: readonly string[];
}

/** Demo provider switches: `enabled` undefined = only when nothing else is active. */
export interface DemoProviderOptions extends DemoTransportOptions {
  enabled?: boolean;
}

/** Inputs of `createProviderRegistry`. */
export interface ProviderRegistryOptions {
  /** Applied in order, later fields overriding earlier ones per provider id. */
  settings?: readonly ProviderSettings[];
  /** Known providers; default the built-ins. */
  declarations?: readonly ProviderDefinition[];
  demo?: DemoProviderOptions;
}

interface MergedSettings {
  id: string;
  values: Omit<ProviderSettings, "id" | "origin">;
  origins: Partial<Record<ProviderSettingsField, SettingsOrigin>>;
  firstOrigin: SettingsOrigin;
}

/**
 * Builds the registry from declarations and settings. Throws `config` naming the variable or file field for what
 * cannot work (an unknown provider without base URL, a protocol the provider does not speak, `enabled: true` for a
 * provider without its required key).
 */
export function createProviderRegistry(options: ProviderRegistryOptions = {}): ProviderRegistry {
  const declarations = options.declarations ?? builtinProviders;
  const merged = mergeSettings(options.settings ?? []);
  const known = new Map<string, ProviderDefinition>(declarations.map((definition) => [definition.id, definition]));
  const active: ConfiguredProvider[] = [];
  const inactive = new Map<string, string>();
  const warnings: string[] = [];

  const customIds = [...merged.keys()].filter((id) => !known.has(id));
  for (const id of customIds) {
    const settings = merged.get(id) as MergedSettings;
    if (id === demoProviderId) {
      throw new GatewayError("config", `${describeField(settings, "demo", "baseUrl")}: "demo" is the built-in demo provider; use the demo settings`);
    }
    known.set(id, defineCustomProvider(settings));
  }

  for (const definition of known.values()) {
    const settings = merged.get(definition.id);
    const configured = configureProvider(definition, settings, !declarations.includes(definition), warnings);
    if (typeof configured === "string") inactive.set(definition.id, configured);
    else active.push(configured);
  }

  const demoEnabled = options.demo?.enabled;
  const demoActive = demoEnabled === true || (demoEnabled === undefined && active.length === 0);
  const demoDefinition = createDemoProvider(options.demo);
  known.set(demoProviderId, demoDefinition);
  if (demoActive) {
    const configured = configureProvider(demoDefinition, { id: demoProviderId, values: { enabled: true }, origins: {}, firstOrigin: { kind: "code" } }, false, warnings);
    if (typeof configured !== "string") active.push(configured);
  } else {
    inactive.set(demoProviderId, demoEnabled === false ? "disabled by config" : "other providers are configured");
  }

  const byId = new Map(active.map((provider) => [provider.id, provider]));
  return Object.freeze({
    providers: Object.freeze(active),
    get: (id: string) => byId.get(id),
    known: (id: string) => known.get(id),
    inactiveReason: (id: string) => inactive.get(id),
    demoActive,
    warnings: Object.freeze(warnings),
  });
}

function mergeSettings(settings: readonly ProviderSettings[]): Map<string, MergedSettings> {
  const merged = new Map<string, MergedSettings>();
  for (const setting of settings) {
    let entry = merged.get(setting.id);
    if (entry === undefined) {
      entry = { id: setting.id, values: {}, origins: {}, firstOrigin: setting.origin };
      merged.set(setting.id, entry);
    }
    for (const field of ["enabled", "baseUrl", "protocol", "models", "headers", "displayName", "credentials"] as const) {
      if (setting[field] === undefined) continue;
      (entry.values as Record<ProviderSettingsField, unknown>)[field] = setting[field];
      entry.origins[field] = setting.origin;
    }
  }
  return merged;
}

/** A provider Switchyard does not know, from a base URL and a protocol (OpenAI Chat by default). */
function defineCustomProvider(settings: MergedSettings): ProviderDefinition {
  const { baseUrl, protocol = "openai-chat", displayName } = settings.values;
  const envName = settings.id.toUpperCase().replaceAll("-", "_");
  if (baseUrl === undefined) {
    throw new GatewayError("config", `${describeField(settings, envName, "baseUrl")}: "${settings.id}" is not a known provider, so it needs a base URL`);
  }
  const anthropic = protocol === "anthropic-messages";
  try {
    return defineProvider({
      id: settings.id,
      displayName: displayName ?? settings.id,
      protocol,
      baseUrl,
      auth: defaultAuthByProtocol[protocol],
      // An Anthropic-compatible endpoint needs the version header like the real one does.
      ...(anthropic ? { headers: { "anthropic-version": "2023-06-01" }, forwardHeaders: ["anthropic-beta", "anthropic-version"] } : {}),
      keyRequired: false,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new GatewayError("config", `${describeField(settings, envName, "baseUrl")}: ${message}`, { cause: error });
  }
}

/** How each protocol's own SDK sends its key, used for providers defined from settings alone. */
const defaultAuthByProtocol: Readonly<Record<ProtocolId, ProviderAuth>> = {
  "openai-chat": { type: "bearer" },
  "openai-responses": { type: "bearer" },
  "anthropic-messages": { type: "header", name: "x-api-key" },
  gemini: { type: "header", name: "x-goog-api-key" },
};

/** The configured provider, or the reason it is inactive. */
function configureProvider(
  definition: ProviderDefinition,
  settings: MergedSettings | undefined,
  custom: boolean,
  warnings: string[],
): ConfiguredProvider | string {
  const values = settings?.values ?? {};
  const keyHint = `set ${definition.envName}_API_KEY`;
  if (values.enabled === false) return "disabled by config";
  const overriddenBase = values.baseUrl?.replace(/\/+$/, "");
  const protocol = values.protocol ?? definition.protocol;
  if (settings !== undefined && overriddenBase === undefined && !definition.protocols.includes(protocol)) {
    throw new GatewayError(
      "config",
      `${describeField(settings, definition.envName, "protocol")}: ${definition.id} speaks ${definition.protocols.join(", ")}, not ${protocol}` +
        ` (to use another protocol, also set its base URL to an endpoint that speaks it)`,
    );
  }

  let credentials = values.credentials ?? [];
  if (credentials.length === 0) {
    if (definition.keyRequired) {
      if (values.enabled === true) {
        throw new GatewayError("config", `${describeField(settings as MergedSettings, definition.envName, "enabled")}: ${definition.id} needs a key: ${keyHint}`);
      }
      if (overriddenBase !== undefined || values.protocol !== undefined || values.models !== undefined) {
        warnings.push(`${definition.id} has settings but no key, so it stays inactive (${keyHint})`);
      }
      return `no key: ${keyHint}`;
    }
    if (!custom && values.enabled !== true && overriddenBase === undefined) {
      return definition.local ? `not enabled: set ${definition.envName}_API_BASE (default ${definition.baseUrl}) or enable it in config` : "not enabled";
    }
    credentials = [createKeylessCredential(definition.id)];
  } else if (definition.local && values.enabled !== true && overriddenBase === undefined) {
    warnings.push(`${definition.envName}_API_KEY is set but ${definition.id} is local and stays inactive until ${definition.envName}_API_BASE is set`);
    return `not enabled: set ${definition.envName}_API_BASE`;
  }

  const protocols = overriddenBase === undefined ? definition.protocols : [protocol];
  const baseUrls: Partial<Record<ProtocolId, string>> = {};
  for (const each of protocols) baseUrls[each] = overriddenBase ?? definition.baseUrlByProtocol[each] ?? definition.baseUrl;
  const headers: Record<string, string> = { ...definition.headers };
  for (const [name, value] of Object.entries(values.headers ?? {})) headers[name.toLowerCase()] = value;
  const ownModels = values.models?.map((id): ModelInfo => ({ id }));
  return Object.freeze({
    id: definition.id,
    displayName: values.displayName ?? definition.displayName,
    definition,
    protocol,
    protocols: Object.freeze([...protocols]),
    baseUrl: baseUrls[protocol] as string,
    baseUrls: Object.freeze(baseUrls),
    headers: Object.freeze(headers),
    credentials: Object.freeze([...credentials]),
    models: Object.freeze(ownModels ?? [...definition.models.static]),
    discovery: ownModels === undefined ? definition.models.discovery : undefined,
    custom,
  });
}

function describeField(settings: MergedSettings, envName: string, field: ProviderSettingsField): string {
  return describeSettingsField(settings.origins[field] ?? settings.firstOrigin, settings.id, envName, field);
}
