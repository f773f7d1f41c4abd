import { BoundedStateTable } from "./bounded-state-table.js";
import type { StateClock, StateStore } from "./state-store.js";

/** Options for the memory backend. */
export interface MemoryStateStoreOptions {
  /** The most entries kept (least recently used evicted first); default 100,000. */
  maxEntries?: number;
  /** Injected clock; default `Date`. */
  clock?: StateClock;
}

/** The default bound: cooldowns, counters and affinity for thousands of credentials and sessions, still a few MB. */
export const defaultMaxStateEntries = 100_000;

/** A store that lives in this process only: bounded by entry count (LRU) and TTL, lost on restart. */
export function createMemoryStateStore(options: MemoryStateStoreOptions = {}): StateStore {
  const table = new BoundedStateTable({ maxEntries: options.maxEntries ?? defaultMaxStateEntries, clock: options.clock ?? Date });
  return {
    get: async (key) => table.get(key),
    readNow: (key) => table.get(key),
    set: async (key, value, writeOptions) => table.set(key, value, writeOptions),
    delete: async (key) => table.delete(key),
    increment: async (key, delta, incrementOptions) => table.increment(key, delta, incrementOptions),
    compareAndSet: async (key, expected, next, writeOptions) => table.compareAndSet(key, expected, next, writeOptions),
    list: async (prefix) => table.list(prefix),
    close: async () => undefined,
  };
}
