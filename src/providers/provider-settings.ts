import type { ProtocolId } from "../unified/index.js";
import type { Credential } from "./create-credential.js";

/** Where a provider setting came from, so errors name the variable or the file field. */
export type SettingsOrigin = { kind: "environment" } | { kind: "file"; path: string } | { kind: "code" };

/**
 * Configuration for one provider, known or new, from the environment, the JSON file or code. Later settings for the
 * same id override earlier ones field by field (the config loader passes file settings first, environment last).
 */
export interface ProviderSettings {
  /** Provider id (kebab-case); an unknown id defines a new provider and then needs `baseUrl`. */
  id: string;
  origin: SettingsOrigin;
  /** true: activate a keyless or local provider; false: keep it off even with keys. */
  enabled?: boolean;
  /** Replaces the declaration's base URL (and lets `protocol` be any protocol). */
  baseUrl?: string;
  protocol?: ProtocolId;
  /** The provider's model list; when set, discovery is skipped. */
  models?: readonly string[];
  /** Extra static headers. */
  headers?: Readonly<Record<string, string>>;
  displayName?: string;
  /** Ordered; the pipeline uses the first until rotation lands. */
  credentials?: readonly Credential[];
}

/** The settable fields, for error messages. */
export type ProviderSettingsField = "enabled" | "baseUrl" | "protocol" | "models" | "headers" | "displayName" | "credentials";

const environmentSuffixByField: Record<ProviderSettingsField, string | undefined> = {
  enabled: undefined,
  baseUrl: "_API_BASE",
  protocol: "_PROTOCOL",
  models: "_MODELS",
  headers: undefined,
  displayName: undefined,
  credentials: "_API_KEY",
};

/** `OPENAI_PROTOCOL`, or `/srv/switchyard.json: providers.openai.protocol`, or `providers.openai.protocol`. */
export function describeSettingsField(origin: SettingsOrigin, providerId: string, envName: string, field: ProviderSettingsField): string {
  switch (origin.kind) {
    case "environment": {
      const suffix = environmentSuffixByField[field];
      return suffix === undefined ? `environment (${envName}_*)` : `${envName}${suffix}`;
    }
    case "file":
      return `${origin.path}: providers.${providerId}.${field}`;
    case "code":
      return `providers.${providerId}.${field}`;
    default: {
      const unreachable: never = origin;
      return unreachable;
    }
  }
}
