import type { StateStore } from "../state/index.js";
import { GatewayError } from "../unified/index.js";
import type { UsageWindow } from "./credential-pool-settings.js";

const dayMs = 86_400_000;

/** A credential's usage in the current window. */
export interface WindowUsage {
  count: number;
  /** When a cap hit now would lift: the end of the current (rolling: bucket) window. */
  resetsAt: number;
}

/** Counts requests per credential in one window kind, in the state store. */
export interface UsageCounter {
  record(credentialId: string, now: number): Promise<void>;
  read(credentialIds: readonly string[], now: number): Promise<Map<string, WindowUsage>>;
}

/**
 * Rolling windows use the sliding-window-counter estimate (current bucket plus the previous bucket weighted by how
 * much of it still overlaps the window): two keys per credential instead of one entry per request, which keeps the
 * store bounded at any request rate. Daily windows are fixed and reset at `resetHourUtc`.
 */
export function createUsageCounter(provider: string, window: UsageWindow, store: StateStore): UsageCounter {
  const prefix = `usage:${encodeURIComponent(provider)}:`;
  const bucket = bucketing(window);
  const keyOf = (credentialId: string, index: number): string => `${prefix}${encodeURIComponent(credentialId)}:${window.kind}:${index}`;
  const numberAt = async (key: string): Promise<number> => {
    const value = await store.get(key);
    return typeof value === "number" ? value : 0;
  };

  return {
    async record(credentialId, now) {
      const index = bucket.indexAt(now);
      // Rolling buckets live one extra window: the next window's estimate still reads them as "previous".
      const expiresAt = bucket.endOf(index) + (window.kind === "rolling" ? bucket.lengthMs : 0);
      await store.increment(keyOf(credentialId, index), 1, { expiresAt });
    },

    async read(credentialIds, now) {
      const index = bucket.indexAt(now);
      const usage = new Map<string, WindowUsage>();
      await Promise.all(
        credentialIds.map(async (credentialId) => {
          const current = await numberAt(keyOf(credentialId, index));
          let count = current;
          if (window.kind === "rolling") {
            const previous = await numberAt(keyOf(credentialId, index - 1));
            const overlap = 1 - (now - bucket.startOf(index)) / bucket.lengthMs;
            count = current + previous * overlap;
          }
          usage.set(credentialId, { count, resetsAt: bucket.endOf(index) });
        }),
      );
      return usage;
    },
  };
}

interface Bucketing {
  lengthMs: number;
  indexAt(now: number): number;
  startOf(index: number): number;
  endOf(index: number): number;
}

function bucketing(window: UsageWindow): Bucketing {
  switch (window.kind) {
    case "rolling": {
      if (!(window.durationMs > 0)) throw new GatewayError("config", `usage window durationMs must be positive, got ${window.durationMs}`);
      const lengthMs = window.durationMs;
      return { lengthMs, indexAt: (now) => Math.floor(now / lengthMs), startOf: (index) => index * lengthMs, endOf: (index) => (index + 1) * lengthMs };
    }
    case "daily": {
      const offset = (window.resetHourUtc ?? 0) * 3_600_000;
      return {
        lengthMs: dayMs,
        indexAt: (now) => Math.floor((now - offset) / dayMs),
        startOf: (index) => index * dayMs + offset,
        endOf: (index) => (index + 1) * dayMs + offset,
      };
    }
    default: {
      const unreachable: never = window;
      throw new GatewayError("config", `unknown usage window ${JSON.stringify(unreachable)}`);
    }
  }
}
