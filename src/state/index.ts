/**
 * State: one StateStore interface (get/set with TTL, delete, windowed increment, compare-and-set, list by prefix)
 * and its backends. Cooldowns, usage counters, rotation and affinity state are written against the interface only.
 */
export type { CounterValue, IncrementOptions, JsonValue, StateClock, StateEntry, StateStore, StateWriteOptions } from "./state-store.js";
export { createMemoryStateStore, defaultMaxStateEntries, type MemoryStateStoreOptions } from "./create-memory-state-store.js";
export { openFileStateStore, type FileStateEvent, type FileStateStore, type FileStateStoreOptions } from "./create-file-state-store.js";
export type { SnapshotSource } from "./read-state-snapshot.js";
export type { StateFileSystem } from "./write-file-atomically.js";
