import { GatewayError, isProtocolId, protocolIds } from "../unified/index.js";
import { builtinProviders } from "./builtin-providers.js";
import { createCredential, type Credential } from "./create-credential.js";
import { isHttpUrl } from "./define-provider.js";
import type { ProviderDefinition } from "./provider-declaration.js";
import type { ProviderSettings } from "./provider-settings.js";

/** Providers found in the environment, plus the variables that looked like provider keys but define nothing. */
export interface ProviderEnvironment {
  settings: ProviderSettings[];
  /** e.g. `FOO_API_KEY` without `FOO_API_BASE` for a name that is not a known provider. */
  ignored: string[];
}

const keyVariable = /^([A-Z][A-Z0-9_]*?)_API_KEY(?:_(\d+))?$/;
const baseVariable = /^([A-Z][A-Z0-9_]*?)_API_BASE$/;
const providerIdFromName = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

interface NameEntry {
  keys: { order: number; variable: string; secret: string }[];
  base?: string;
}

/**
 * Reads `<NAME>_API_KEY`, `<NAME>_API_KEY_<N>`, `<NAME>_API_BASE`, `<NAME>_PROTOCOL` and `<NAME>_MODELS`.
 * A known NAME configures that provider; an unknown NAME with `_API_BASE` defines provider `name` (lower case,
 * `_` → `-`). `SWITCHYARD_*` and variables without `_API_KEY`/`_API_BASE` are not providers. Empty values count as
 * unset (a `.env` copied from `.env.example` has many). Throws `config` naming the variable.
 */
export function readProviderEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  declarations: readonly ProviderDefinition[] = builtinProviders,
): ProviderEnvironment {
  const entries = new Map<string, NameEntry>();
  const entryFor = (name: string): NameEntry => {
    let entry = entries.get(name);
    if (entry === undefined) {
      entry = { keys: [] };
      entries.set(name, entry);
    }
    return entry;
  };
  for (const [variable, rawValue] of Object.entries(env)) {
    const value = rawValue?.trim();
    if (value === undefined || value === "" || variable.startsWith("SWITCHYARD_")) continue;
    const key = keyVariable.exec(variable);
    if (key !== null) {
      // The unnumbered key comes first, then _1, _2… in numeric order (gaps allowed).
      entryFor(key[1] as string).keys.push({ order: key[2] === undefined ? -1 : Number(key[2]), variable, secret: value });
      continue;
    }
    const base = baseVariable.exec(variable);
    if (base !== null) {
      if (!isHttpUrl(value)) // The value is not echoed: a key pasted into the wrong variable must not end up in an error message.
      throw new GatewayError("config", `${variable}: not an absolute http(s) URL`);
      entryFor(base[1] as string).base = value;
    }
  }

  const knownByName = new Map(declarations.map((definition) => [definition.envName, definition]));
  // A known provider can also be configured by _PROTOCOL / _MODELS alone (its keys may come later, or it is local).
  for (const name of knownByName.keys()) {
    if (nonEmpty(env[`${name}_PROTOCOL`]) !== undefined || nonEmpty(env[`${name}_MODELS`]) !== undefined) entryFor(name);
  }

  const settings: ProviderSettings[] = [];
  const ignored: string[] = [];
  for (const [name, entry] of entries) {
    const known = knownByName.get(name);
    if (known === undefined && entry.base === undefined) {
      ignored.push(...entry.keys.map((key) => key.variable));
      continue;
    }
    const id = known?.id ?? name.toLowerCase().replaceAll("_", "-");
    if (!providerIdFromName.test(id)) {
      throw new GatewayError("config", `${name}_API_BASE: "${name}" does not make a provider id (letters and digits separated by single underscores)`);
    }
    const setting: ProviderSettings = { id, origin: { kind: "environment" } };
    if (entry.base !== undefined) setting.baseUrl = entry.base;
    const credentials = orderedCredentials(id, entry.keys);
    if (credentials.length > 0) setting.credentials = credentials;
    const protocol = nonEmpty(env[`${name}_PROTOCOL`]);
    if (protocol !== undefined) {
      if (!isProtocolId(protocol)) {
        throw new GatewayError("config", `${name}_PROTOCOL: "${protocol}" is not a protocol; use one of ${protocolIds.join(", ")}`);
      }
      setting.protocol = protocol;
    }
    const models = nonEmpty(env[`${name}_MODELS`])
      ?.split(",")
      .map((model) => model.trim())
      .filter((model) => model !== "");
    if (models !== undefined && models.length > 0) setting.models = models;
    settings.push(setting);
  }
  return { settings, ignored };
}

function orderedCredentials(providerId: string, keys: NameEntry["keys"]): Credential[] {
  const seen = new Set<string>();
  const credentials: Credential[] = [];
  for (const key of [...keys].sort((left, right) => left.order - right.order)) {
    const credential = createCredential(providerId, key.secret);
    // The same key under two variables is one credential (its id is the same), not two rotation slots.
    if (seen.has(credential.id)) continue;
    seen.add(credential.id);
    credentials.push(credential);
  }
  return credentials;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}
