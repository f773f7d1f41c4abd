import { GatewayError } from "../unified/index.js";
import { logLevels, type LogLevel } from "./gateway-config.js";

/** Every SWITCHYARD_* variable the gateway reads; anything else with the prefix is reported as a likely typo. */
export const switchyardVariables = [
  "SWITCHYARD_HOST",
  "SWITCHYARD_PORT",
  "SWITCHYARD_DATA_DIR",
  "SWITCHYARD_CONFIG",
  "SWITCHYARD_PROXY_KEYS",
  "SWITCHYARD_ALIASES",
  "SWITCHYARD_FALLBACK_GROUPS",
  "SWITCHYARD_DEFAULT_PROVIDER",
  "SWITCHYARD_REQUEST_TIMEOUT_MS",
  "SWITCHYARD_TTFB_TIMEOUT_MS",
  "SWITCHYARD_STALL_TIMEOUT_MS",
  "SWITCHYARD_HEARTBEAT_MS",
  "SWITCHYARD_STREAM_CANCEL_ON_DISCONNECT",
  "SWITCHYARD_STREAM_REASONING_VISIBLE",
  "SWITCHYARD_STREAM_VIA_NONSTREAM",
  "SWITCHYARD_CONNECT_TIMEOUT_MS",
  "SWITCHYARD_LOG_LEVEL",
  "SWITCHYARD_TRACE",
  "SWITCHYARD_DUMP_FAILURES",
  "SWITCHYARD_MAX_FAILURE_DUMPS",
  "SWITCHYARD_BODY_LIMIT_BYTES",
  "SWITCHYARD_JSON_DEPTH_LIMIT",
  "SWITCHYARD_MODELS_TTL_MS",
  "SWITCHYARD_MAX_BACKGROUND_RESPONSES",
  "SWITCHYARD_BACKGROUND_CANCEL_POLL_MS",
  "SWITCHYARD_BACKGROUND_LEASE_MS",
  "SWITCHYARD_DEMO",
  "SWITCHYARD_DEMO_DELAY_MS",
  "SWITCHYARD_ROTATION",
  "SWITCHYARD_MAX_CONCURRENCY",
  "SWITCHYARD_MAX_RETRIES",
] as const;

/** One of the SWITCHYARD_* variables. */
export type SwitchyardVariable = (typeof switchyardVariables)[number];

/** Typed readers over one environment; each throws `config` naming the variable. Empty values count as unset. */
export interface SwitchyardEnvironment {
  string(name: SwitchyardVariable): string | undefined;
  integer(name: SwitchyardVariable, minimum: number, maximum?: number): number | undefined;
  boolean(name: SwitchyardVariable): boolean | undefined;
  logLevel(name: SwitchyardVariable): LogLevel | undefined;
  /** SWITCHYARD_* names that are not settings (typos). */
  unknownVariables(): string[];
}

/** Wraps an environment in typed SWITCHYARD_* readers. */
export function readSwitchyardEnvironment(env: Readonly<Record<string, string | undefined>>): SwitchyardEnvironment {
  const read = (name: SwitchyardVariable): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  return {
    string: read,
    integer(name, minimum, maximum) {
      const value = read(name);
      if (value === undefined) return undefined;
      const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
      if (!Number.isSafeInteger(number) || number < minimum || (maximum !== undefined && number > maximum)) {
        const range = maximum === undefined ? `≥ ${minimum}` : `${minimum}–${maximum}`;
        throw new GatewayError("config", `${name}: "${value}" is not a whole number ${range}`);
      }
      return number;
    },
    boolean(name) {
      const value = read(name)?.toLowerCase();
      if (value === undefined) return undefined;
      if (value === "1" || value === "true" || value === "on" || value === "yes") return true;
      if (value === "0" || value === "false" || value === "off" || value === "no") return false;
      throw new GatewayError("config", `${name}: "${value}" is not a switch; use 1 or 0`);
    },
    logLevel(name) {
      const value = read(name)?.toLowerCase();
      if (value === undefined) return undefined;
      if (!(logLevels as readonly string[]).includes(value)) {
        throw new GatewayError("config", `${name}: "${value}" is not a log level; use one of ${logLevels.join(", ")}`);
      }
      return value as LogLevel;
    },
    unknownVariables() {
      const known = new Set<string>(switchyardVariables);
      return Object.keys(env).filter((name) => name.startsWith("SWITCHYARD_") && !known.has(name));
    },
  };
}
