import type { JsonValue, StateStore } from "../state/index.js";
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
  /** Settles when the count is written (with the store's answer, which callers ignore). */
  record(credentialId: string, now: number): Promise<unknown>;
  read(credentialIds: readonly string[], now: number): Promise<Map<string, WindowUsage>>;
  /** What `read` answers, synchronously; undefined when the store has no synchronous read (`readNow`). */
  readNow(credentialIds: readonly string[], now: number): Map<string, WindowUsage> | undefined;
  /** Start the count of `credentialId` over (a cap whose action is a fixed cooldown restarts its count after it). */
  clear(credentialId: string, now: number): Promise<void>;
}

/**
 * Rolling windows use the sliding-window-counter estimate (current bucket plus the previous bucket weighted by how
 * much of it still overlaps the window): two keys per credential instead of one entry per request, which keeps the
 * store bounded at any request rate. Calendar windows (daily, weekly, monthly) are fixed buckets; the provider
 * window counts like a rolling hour here and is overridden by the provider's own figures where the pool has them.
 */
export function createUsageCounter(provider: string, window: UsageWindow, store: StateStore): UsageCounter {
  const prefix = `usage:${encodeURIComponent(provider)}:`;
  const bucket = bucketing(window);
  const buildKeyOf = (credentialId: string, index: number): string => `${prefix}${encodeURIComponent(credentialId)}:${window.kind}:${index}`;
  // Every acquire reads two buckets per credential and writes one: the keys change once per bucket, not per request.
  const recentKeys = new Map<string, { index: number; key: string }[]>();
  const keyOf = (credentialId: string, index: number): string => {
    let keys = recentKeys.get(credentialId);
    if (keys === undefined) {
      // Cap counters key by credential and quota key (models come from clients): bound the memo.
      if (recentKeys.size >= 4096) recentKeys.clear();
      keys = [];
      recentKeys.set(credentialId, keys);
    }
    for (const entry of keys) if (entry.index === index) return entry.key;
    const key = buildKeyOf(credentialId, index);
    // The current and the previous bucket are the ones read; older ones are not asked for again.
    if (keys.length >= 2) keys.shift();
    keys.push({ index, key });
    return key;
  };
  const readNow = store.readNow?.bind(store);
  /** Rolling windows estimate: the current bucket plus the previous one weighted by how much of it the window still covers. */
  const windowUsageOf = (current: JsonValue | undefined, previous: () => JsonValue | undefined, index: number, now: number): WindowUsage => {
    let count = numberOf(current);
    if (window.kind === "rolling" || window.kind === "provider") {
      const overlap = 1 - (now - bucket.startOf(index)) / bucket.lengthMs;
      count += numberOf(previous()) * overlap;
    }
    return { count, resetsAt: bucket.endOf(index) };
  };

  /** An in-process store answers at once: no promise per key. */
  const readAtOnce = (credentialIds: readonly string[], now: number): Map<string, WindowUsage> | undefined => {
    if (readNow === undefined) return undefined;
    const index = bucket.indexAt(now);
    const usage = new Map<string, WindowUsage>();
    for (const credentialId of credentialIds) usage.set(credentialId, windowUsageOf(readNow(keyOf(credentialId, index)), () => readNow(keyOf(credentialId, index - 1)), index, now));
    return usage;
  };

  return {
    // The store's own promise, not an async wrapper around it: every acquire awaits this, one turn instead of two.
    record(credentialId, now) {
      try {
        const index = bucket.indexAt(now);
        // Rolling buckets live one extra window: the next window's estimate still reads them as "previous".
        const expiresAt = bucket.endOf(index) + (window.kind === "rolling" || window.kind === "provider" ? bucket.lengthMs : 0);
        return store.increment(keyOf(credentialId, index), 1, { expiresAt });
      } catch (error) {
        return Promise.reject(error);
      }
    },

    async clear(credentialId, now) {
      const index = bucket.indexAt(now);
      await Promise.all([store.delete(keyOf(credentialId, index)), store.delete(keyOf(credentialId, index - 1))]);
    },

    readNow: readAtOnce,

    async read(credentialIds, now) {
      const known = readAtOnce(credentialIds, now);
      if (known !== undefined) return known;
      const index = bucket.indexAt(now);
      const usage = new Map<string, WindowUsage>();
      await Promise.all(
        credentialIds.map(async (credentialId) => {
          const current = await store.get(keyOf(credentialId, index));
          const previous = window.kind === "rolling" || window.kind === "provider" ? await store.get(keyOf(credentialId, index - 1)) : undefined;
          usage.set(credentialId, windowUsageOf(current, () => previous, index, now));
        }),
      );
      return usage;
    },
  };
}

function numberOf(value: JsonValue | undefined): number {
  return typeof value === "number" ? value : 0;
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
    case "weekly": {
      const weekMs = 7 * dayMs;
      const day = window.resetDayUtc ?? 1;
      if (!(Number.isInteger(day) && day >= 0 && day <= 6)) throw new GatewayError("config", `weekly usage window resetDayUtc must be 0-6, got ${day}`);
      // 1970-01-01 was a Thursday (day 4): shift the epoch to the first reset instant on or after it.
      const offset = ((day - 4 + 7) % 7) * dayMs + (window.resetHourUtc ?? 0) * 3_600_000;
      return {
        lengthMs: weekMs,
        indexAt: (now) => Math.floor((now - offset) / weekMs),
        startOf: (index) => index * weekMs + offset,
        endOf: (index) => (index + 1) * weekMs + offset,
      };
    }
    case "monthly": {
      const dayOfMonth = window.resetDayOfMonth ?? 1;
      // Up to 28 so that every month has the reset day.
      if (!(Number.isInteger(dayOfMonth) && dayOfMonth >= 1 && dayOfMonth <= 28)) throw new GatewayError("config", `monthly usage window resetDayOfMonth must be 1-28, got ${dayOfMonth}`);
      const hour = window.resetHourUtc ?? 0;
      const startOf = (index: number): number => Date.UTC(Math.floor(index / 12), ((index % 12) + 12) % 12, dayOfMonth, hour);
      return {
        // Months differ in length; only rolling windows use lengthMs.
        lengthMs: 30 * dayMs,
        indexAt: (now) => {
          const date = new Date(now);
          const index = date.getUTCFullYear() * 12 + date.getUTCMonth();
          return now < startOf(index) ? index - 1 : index;
        },
        startOf,
        endOf: (index) => startOf(index + 1),
      };
    }
    case "provider":
      return bucketing({ kind: "rolling", durationMs: 3_600_000 });
    default: {
      const unreachable: never = window;
      throw new GatewayError("config", `unknown usage window ${JSON.stringify(unreachable)}`);
    }
  }
}
