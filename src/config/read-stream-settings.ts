import type { ProviderRegistry } from "../providers/index.js";
import type { StreamSettingsOverride } from "../streaming/index.js";
import { GatewayError } from "../unified/index.js";
import type { ConfigFile } from "./config-file-schema.js";
import type { GatewayConfig } from "./gateway-config.js";
import type { SwitchyardEnvironment } from "./read-switchyard-environment.js";

/** `<NAME>_STREAM_<SETTING>`: one per-provider stream setting in the environment. */
const providerStreamVariable = /^([A-Z][A-Z0-9_]*?)_STREAM_(TTFB_MS|STALL_MS|HEARTBEAT_MS|CANCEL_ON_DISCONNECT|REASONING_VISIBLE|VIA_NONSTREAM)$/;

type StreamSettingName = keyof StreamSettingsOverride;

const settingBySuffix: Readonly<Record<string, StreamSettingName>> = {
  TTFB_MS: "ttfbMs",
  STALL_MS: "stallMs",
  HEARTBEAT_MS: "heartbeatMs",
  CANCEL_ON_DISCONNECT: "cancelOnDisconnect",
  REASONING_VISIBLE: "reasoningVisible",
  VIA_NONSTREAM: "viaNonStream",
};

/** The smallest value each duration accepts: a zero deadline would fail every stream; a zero heartbeat means none. */
const minimumMs: Readonly<Partial<Record<StreamSettingName, number>>> = { ttfbMs: 1, stallMs: 1, heartbeatMs: 0 };

/**
 * The stream settings besides the three global timeouts: global switches (SWITCHYARD_STREAM_*, then the file's
 * `stream` section) and per-provider overrides (`providers.<id>.stream` in the file, then `<NAME>_STREAM_*`, the
 * environment winning field by field). Per-provider variables for a name that is no configured provider only warn.
 */
export function readStreamSettings(
  variables: SwitchyardEnvironment,
  env: Readonly<Record<string, string | undefined>>,
  file: ConfigFile,
  providers: ProviderRegistry,
  warnings: string[],
): GatewayConfig["stream"] {
  const overrides: Record<string, StreamSettingsOverride> = {};
  for (const [id, entry] of Object.entries(file.providers ?? {})) {
    if (entry.stream !== undefined) overrides[id] = { ...entry.stream };
  }
  const idByName = new Map(providers.providers.map((provider) => [provider.definition.envName, provider.id]));
  for (const [variable, raw] of Object.entries(env)) {
    const value = raw?.trim();
    if (value === undefined || value === "" || variable.startsWith("SWITCHYARD_")) continue;
    const match = providerStreamVariable.exec(variable);
    if (match === null) continue;
    const [, name = "", suffix = ""] = match;
    const id = idByName.get(name);
    if (id === undefined) {
      warnings.push(`${variable} names no active provider (${name}); it is ignored`);
      continue;
    }
    const setting = settingBySuffix[suffix];
    if (setting === undefined) continue;
    overrides[id] = { ...overrides[id], ...parseSetting(variable, setting, value) };
  }
  return {
    cancelOnDisconnect: variables.boolean("SWITCHYARD_STREAM_CANCEL_ON_DISCONNECT") ?? file.stream?.cancelOnDisconnect ?? true,
    reasoningVisible: variables.boolean("SWITCHYARD_STREAM_REASONING_VISIBLE") ?? file.stream?.reasoningVisible ?? true,
    viaNonStream: variables.boolean("SWITCHYARD_STREAM_VIA_NONSTREAM") ?? file.stream?.viaNonStream ?? false,
    providers: overrides,
  };
}

function parseSetting(variable: string, setting: StreamSettingName, value: string): StreamSettingsOverride {
  const minimum = minimumMs[setting];
  if (minimum !== undefined) {
    const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(number) || number < minimum) throw new GatewayError("config", `${variable}: "${value}" is not a whole number ≥ ${minimum}`);
    return { [setting]: number };
  }
  const lower = value.toLowerCase();
  if (["1", "true", "on", "yes"].includes(lower)) return { [setting]: true };
  if (["0", "false", "off", "no"].includes(lower)) return { [setting]: false };
  throw new GatewayError("config", `${variable}: "${value}" is not a switch; use 1 or 0`);
}
