import type { GatewayErrorCode } from "../unified/index.js";
import type { GenerateReport } from "./run-generate.js";

/** How a stream ended, for logs and (later) metrics. */
export type StreamOutcome = "completed" | "failed" | "cancelled" | "timed_out";

/** What the engine knows when a stream ends. */
export interface StreamEnding {
  /** The error that ended it: thrown before output, or the in-stream error event. */
  errorCode: string | undefined;
  /** The stream ran to its end (the consumer did not stop early). */
  finished: boolean;
  clientGone: boolean;
  startedAt: number;
  firstVisibleAt: number | undefined;
  /** Output tokens reported by the upstream's usage, when it reported any. */
  outputTokens: number | undefined;
  now: number;
  report: GenerateReport;
}

const timeoutCodes: ReadonlySet<string> = new Set<GatewayErrorCode>(["upstream_timeout", "stream_stalled"]);

/**
 * The per-stream fields of the `request.completed` line: outcome, TTFB (first upstream byte), time to first
 * visible token, chunk and heartbeat counts, output tokens per second. A client that left (or a library consumer
 * that stopped reading) is `cancelled` whatever error that caused downstream.
 */
export function describeStreamOutcome(ending: StreamEnding): Record<string, unknown> {
  const metrics = ending.report.stream?.metrics;
  const outcome: StreamOutcome =
    ending.clientGone || ending.errorCode === "client_closed" || (!ending.finished && ending.errorCode === undefined)
      ? "cancelled"
      : ending.errorCode === undefined
        ? "completed"
        : timeoutCodes.has(ending.errorCode)
          ? "timed_out"
          : "failed";
  // Generation speed from the first visible token on, so a long TTFB does not hide a slow stream.
  const generatingMs = ending.firstVisibleAt === undefined ? 0 : ending.now - ending.firstVisibleAt;
  const tokensPerSecond =
    ending.outputTokens === undefined || ending.outputTokens === 0 || generatingMs <= 0 ? undefined : Math.round((ending.outputTokens * 10_000) / generatingMs) / 10;
  return {
    outcome,
    ...(metrics?.firstChunkAt === undefined ? {} : { ttfbMs: metrics.firstChunkAt - ending.startedAt }),
    ...(ending.firstVisibleAt === undefined ? {} : { firstVisibleMs: ending.firstVisibleAt - ending.startedAt }),
    chunks: metrics?.chunks ?? 0,
    heartbeats: metrics?.heartbeats ?? 0,
    ...(tokensPerSecond === undefined ? {} : { outputTokensPerSecond: tokensPerSecond }),
  };
}
