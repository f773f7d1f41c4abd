/**
 * What an adapter remembers about targets for a while (tool-emulation: "this model rejects native tools"). It is
 * owned by the registry, one per adapter name, not by an adapter instance: the planner's chain cache may evict and
 * rebuild a chain at any time (clients choose model names), and a rebuilt chain must not forget what its
 * predecessor learnt, or every eviction would cost one more rejected upstream call per model.
 *
 * Bounded because keys come from client-chosen model names. Time is passed in by the caller (the engine's clock in
 * the adapter context), so expiry is testable without waiting.
 */
export interface AdapterMemory {
  /** Remembers `key` until `now + ttlMs` (a later call extends or shortens it). */
  remember(key: string, now: number, ttlMs: number): void;
  /** Whether `key` is remembered at `now`; an expired entry is forgotten on the way. */
  recalls(key: string, now: number): boolean;
  /** Entries held (expired ones included until they are looked at or pruned). */
  readonly size: number;
}

/** Most keys one adapter name remembers, unless the registry is told otherwise. */
export const defaultAdapterMemoryEntries = 10_000;

/** A bounded memory: when full, expired entries go first, then the least recently remembered. */
export function createAdapterMemory(maxEntries = defaultAdapterMemoryEntries): AdapterMemory {
  // Map keeps insertion order; re-inserting on `remember` makes the first key the least recently remembered.
  const until = new Map<string, number>();
  return {
    remember(key, now, ttlMs) {
      until.delete(key);
      if (until.size >= maxEntries) {
        for (const [held, expiry] of until) if (expiry <= now) until.delete(held);
        while (until.size >= maxEntries) {
          const oldest = until.keys().next();
          if (oldest.done === true) break;
          until.delete(oldest.value);
        }
      }
      until.set(key, now + ttlMs);
    },
    recalls(key, now) {
      const expiry = until.get(key);
      if (expiry === undefined) return false;
      if (now < expiry) return true;
      until.delete(key);
      return false;
    },
    get size() {
      return until.size;
    },
  };
}
