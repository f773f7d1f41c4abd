import type { ConfiguredProvider } from "../providers/index.js";
import { defaultStreamSettings, resolveStreamSettings, type StreamSettings, type StreamSettingsOverride, type StreamTimeouts } from "../streaming/index.js";
import { GatewayError } from "../unified/index.js";
import type { GenerateContext } from "./run-generate.js";
import { startRequestDeadline, type RequestDeadline } from "./start-request-deadline.js";

/** The engine's stream settings beyond the timeouts: global values and per-provider overrides of every setting. */
export interface EngineStreamSettings extends StreamSettingsOverride {
  /** By provider id; each field overrides the global value for that provider's attempts. */
  providers?: Readonly<Record<string, StreamSettingsOverride>>;
}

/**
 * One attempt's effective stream settings: the defaults, the global timeouts and switches, the provider
 * declaration's `streamViaNonStream`, then the provider's own overrides from config, which win.
 */
export function resolveAttemptStreamSettings(provider: ConfiguredProvider, timeouts: StreamTimeouts | undefined, settings: EngineStreamSettings | undefined): StreamSettings {
  const { providers, ...global } = settings ?? {};
  const resolved = resolveStreamSettings(defaultStreamSettings, timeouts, global);
  if (provider.definition.streamViaNonStream === true) resolved.viaNonStream = true;
  return resolveStreamSettings(resolved, providers?.[provider.id]);
}

/**
 * `resolveAttemptStreamSettings` bound to the engine's settings, remembered per provider: the inputs are fixed at
 * start-up, and resolving (four layers of spreads) ran on every attempt. The settings returned are shared: read only.
 */
export function createAttemptStreamSettingsResolver(timeouts: StreamTimeouts | undefined, settings: EngineStreamSettings | undefined): (provider: ConfiguredProvider) => StreamSettings {
  const resolved = new WeakMap<ConfiguredProvider, StreamSettings>();
  return (provider) => {
    let found = resolved.get(provider);
    if (found === undefined) {
      found = resolveAttemptStreamSettings(provider, timeouts, settings);
      resolved.set(provider, found);
    }
    return found;
  };
}

/** What one request's attempts take from the stream settings; see `createRequestStreamPolicy`. */
export interface RequestStreamPolicy {
  /** The context fields of a generate attempt on `provider`. */
  attempt(provider: ConfiguredProvider): Pick<GenerateContext, "streamTimeouts" | "streamSettings" | "streamProgress" | "signal">;
  /** The last attempt's provider lets its upstream call finish after the client left (`cancelOnDisconnect: false`). */
  drainOnAbandon(): boolean;
  /** Releases the detached deadline, if one was started. */
  clear(): void;
}

/**
 * One request's view of the stream settings. Each attempt gets its provider's settings; one without
 * cancel-on-disconnect gets a signal that only the request deadline aborts, never the client; and the first empty
 * stream of the request is turned into a retryable error (a second one is delivered as it is, like an empty
 * non-streamed answer).
 */
export function createRequestStreamPolicy(options: {
  /** Each provider's stream settings (`createAttemptStreamSettingsResolver`). */
  settingsOf: (provider: ConfiguredProvider) => StreamSettings;
  requestTimeoutMs: number | undefined;
  /** The request's signal: client disconnect plus the deadline. */
  signal: AbortSignal;
  /** Whether an empty stream may be retried at all (not for a prefill, which may be continued with nothing). */
  retryEmpty: boolean;
}): RequestStreamPolicy {
  let latest: StreamSettings | undefined;
  let detached: RequestDeadline | undefined;
  let emptyRetried = !options.retryEmpty;
  const detachedSignal = (): AbortSignal => {
    detached ??=
      options.requestTimeoutMs === undefined ? { signal: new AbortController().signal, clear: () => undefined } : startRequestDeadline(new AbortController().signal, options.requestTimeoutMs);
    return detached.signal;
  };
  return {
    attempt(provider) {
      const settings = options.settingsOf(provider);
      latest = settings;
      return {
        streamTimeouts: settings,
        streamSettings: settings,
        signal: settings.cancelOnDisconnect ? options.signal : detachedSignal(),
        streamProgress: {
          reasoningVisible: settings.reasoningVisible,
          onEmpty: () => {
            if (emptyRetried) return undefined;
            emptyRetried = true;
            return new GatewayError("upstream_server", `${provider.id}: the stream ended without any output`, { provider: provider.id, upstreamStatus: 200 });
          },
        },
      };
    },
    drainOnAbandon: () => latest?.cancelOnDisconnect === false,
    clear: () => detached?.clear(),
  };
}
