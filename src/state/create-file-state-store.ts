import * as fsPromises from "node:fs/promises";
import { dirname } from "node:path";
import { GatewayError } from "../unified/index.js";
import { BoundedStateTable } from "./bounded-state-table.js";
import { defaultMaxStateEntries } from "./create-memory-state-store.js";
import { loadStateSnapshot, serializeSnapshotEntry, serializeStateSnapshot, type SnapshotSource } from "./read-state-snapshot.js";
import type { StateClock, StateStore } from "./state-store.js";
import { writeFileAtomically, type StateFileSystem } from "./write-file-atomically.js";

/** Something the file backend wants logged; the store itself never logs (it sits below observability). */
export type FileStateEvent =
  | { kind: "recovered"; source: Exclude<SnapshotSource, "main">; problems: string[] }
  | { kind: "write-failed"; error: unknown }
  | { kind: "trimmed"; droppedEntries: number; maxBytes: number };

/** Options for the file backend. */
export interface FileStateStoreOptions {
  /** The snapshot file (e.g. `<SWITCHYARD_DATA_DIR>/state.json`); `.bak` and temporary files sit beside it. */
  path: string;
  /** The most entries kept (least recently used evicted first); default 100,000. */
  maxEntries?: number;
  /** The largest snapshot written; the least recently used entries are dropped to fit. Default 64 MiB. */
  maxBytes?: number;
  /** Changes are written at most this often (ms); default 1,000. */
  debounceMs?: number;
  clock?: StateClock;
  fileSystem?: StateFileSystem;
  onEvent?: (event: FileStateEvent) => void;
}

/** The file backend: a StateStore plus explicit flushing. */
export interface FileStateStore extends StateStore {
  /** Write pending changes now (and wait for any write under way). Rejects with `internal` if the write fails. */
  flush(): Promise<void>;
  /** Where the state was loaded from at start-up. */
  readonly loadedFrom: SnapshotSource;
}

const defaultMaxBytes = 64 * 1024 * 1024;
const defaultDebounceMs = 1_000;

/**
 * Open the embedded default store: an in-memory table persisted as JSON snapshots. Requests only touch memory;
 * writes are debounced into one background snapshot (atomic: temp, fsync, rename, previous copy kept as `.bak`), so
 * no request ever waits on the disk. Reads the last good snapshot once, here, before any request is served.
 */
export async function openFileStateStore(options: FileStateStoreOptions): Promise<FileStateStore> {
  const fileSystem = options.fileSystem ?? fsPromises;
  const clock = options.clock ?? Date;
  const maxBytes = options.maxBytes ?? defaultMaxBytes;
  const debounceMs = options.debounceMs ?? defaultDebounceMs;
  const report = options.onEvent ?? (() => undefined);
  const table = new BoundedStateTable({ maxEntries: options.maxEntries ?? defaultMaxStateEntries, clock });

  await fileSystem.mkdir(dirname(options.path), { recursive: true });
  const loaded = await loadStateSnapshot(fileSystem, options.path);
  table.load(loaded.entries);
  if (loaded.source !== "main" && loaded.problems.length > 0) report({ kind: "recovered", source: loaded.source, problems: loaded.problems });

  let dirty = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> | undefined;

  const renderSnapshot = (): string => {
    const entries = table.snapshot();
    const lines = entries.map(([key, entry]) => serializeSnapshotEntry(key, entry));
    // Keep the most recently used entries that fit; the overhead allowance covers the envelope and separators.
    let budget = maxBytes - 128;
    let firstKept = lines.length;
    while (firstKept > 0) {
      const cost = Buffer.byteLength(lines[firstKept - 1] ?? "") + 2;
      if (cost > budget) break;
      budget -= cost;
      firstKept--;
    }
    if (firstKept > 0) {
      table.evictOldest(firstKept);
      report({ kind: "trimmed", droppedEntries: firstKept, maxBytes });
    }
    return serializeStateSnapshot(lines.slice(firstKept), clock.now());
  };

  const flush = async (): Promise<void> => {
    // Loop: another flush may start a write while this one waits; only return once nothing is pending or under way.
    while (writing !== undefined) await writing.catch(() => undefined);
    if (!dirty) return;
    dirty = false;
    const text = renderSnapshot();
    writing = writeFileAtomically(fileSystem, options.path, text, { keepBackup: true }).finally(() => {
      writing = undefined;
    });
    try {
      await writing;
    } catch (error) {
      // Still dirty: the next change or flush retries with the then-current state.
      dirty = true;
      report({ kind: "write-failed", error });
      throw new GatewayError("internal", "state snapshot could not be written", { cause: error });
    }
  };

  const markDirty = (): void => {
    dirty = true;
    if (timer !== undefined || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      flush().catch(() => undefined);
    }, debounceMs);
    // A pending snapshot must not keep the process alive; close() flushes what is left.
    timer.unref();
  };

  /** `changed` says whether the call changed anything: a delete of an absent key must not schedule a snapshot. */
  const mutate = <T>(change: () => T, changed: (result: T) => boolean = () => true): Promise<T> => {
    try {
      const result = change();
      if (changed(result)) markDirty();
      return Promise.resolve(result);
    } catch (error) {
      return Promise.reject(error);
    }
  };

  return {
    loadedFrom: loaded.source,
    get: async (key) => table.get(key),
    readNow: (key) => table.get(key),
    set: (key, value, writeOptions) => mutate(() => table.set(key, value, writeOptions)),
    delete: (key) => mutate(() => table.delete(key), (removed) => removed),
    // The pools count every request here: the same as `mutate`, without two closures per call.
    increment: (key, delta, incrementOptions) => {
      try {
        const counted = table.increment(key, delta, incrementOptions);
        markDirty();
        return Promise.resolve(counted);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    compareAndSet: (key, expected, next, writeOptions) => mutate(() => table.compareAndSet(key, expected, next, writeOptions), (written) => written),
    list: async (prefix) => table.list(prefix),
    flush,
    close: async () => {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await flush();
    },
  };
}
