import { defaultStreamTimeouts, type StreamTimeouts } from "./supervise-stream.js";

/**
 * Everything that governs one streamed attempt, resolved per target provider: the supervisor's deadlines plus how a
 * client disconnect, reasoning output and broken upstream streaming are handled.
 */
export interface StreamSettings extends StreamTimeouts {
  /**
   * A client disconnect aborts the upstream request at once (true), or lets it run to its end so its usage is still
   * recorded and the credential's slot is freed only then (false).
   */
  cancelOnDisconnect: boolean;
  /**
   * Reasoning output counts as visible (true): once it reached the client the attempt is committed. When false,
   * a failure during reasoning-only output is still retried on the next credential or target.
   */
  reasoningVisible: boolean;
  /** Send streaming requests upstream as non-streaming calls and emit the answer as stream events. */
  viaNonStream: boolean;
}

/** Per-provider (or per-source) overrides: any subset of the settings. */
export type StreamSettingsOverride = Partial<StreamSettings>;

/**
 * Defaults suited to coding agents: minutes of silent reasoning before the first token are normal, proxies between
 * client and gateway drop idle connections after 30–60 s (hence a 15 s heartbeat), and an abandoned request should
 * stop costing tokens at once.
 */
export const defaultStreamSettings: Readonly<StreamSettings> = {
  ...defaultStreamTimeouts,
  cancelOnDisconnect: true,
  reasoningVisible: true,
  viaNonStream: false,
};

/** The settings with each override applied in order (later wins, field by field; undefined fields are skipped). */
export function resolveStreamSettings(base: Readonly<StreamSettings>, ...overrides: ReadonlyArray<StreamSettingsOverride | undefined>): StreamSettings {
  const resolved: StreamSettings = { ...base };
  for (const override of overrides) {
    if (override === undefined) continue;
    if (override.ttfbMs !== undefined) resolved.ttfbMs = override.ttfbMs;
    if (override.stallMs !== undefined) resolved.stallMs = override.stallMs;
    if (override.heartbeatMs !== undefined) resolved.heartbeatMs = override.heartbeatMs;
    if (override.cancelOnDisconnect !== undefined) resolved.cancelOnDisconnect = override.cancelOnDisconnect;
    if (override.reasoningVisible !== undefined) resolved.reasoningVisible = override.reasoningVisible;
    if (override.viaNonStream !== undefined) resolved.viaNonStream = override.viaNonStream;
  }
  return resolved;
}
