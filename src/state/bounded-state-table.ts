import { isDeepStrictEqual } from "node:util";
import { GatewayError } from "../unified/index.js";
import type { CounterValue, IncrementOptions, JsonValue, StateClock, StateEntry, StateWriteOptions } from "./state-store.js";

/** One stored value with its absolute expiry. */
export interface TableEntry {
  value: JsonValue;
  expiresAt?: number;
}

/** Limits and clock of a table. */
export interface BoundedStateTableOptions {
  /** The most entries kept; the least recently used go first. */
  maxEntries: number;
  clock: StateClock;
}

/**
 * The synchronous core of the memory and file backends: a Map kept in least-recently-used order (a Map iterates in
 * insertion order, so touching an entry re-inserts it at the end) with lazy TTL expiry. Being synchronous is what
 * makes each store call atomic in a single process.
 */
export class BoundedStateTable {
  readonly #entries = new Map<string, TableEntry>();
  readonly #maxEntries: number;
  readonly #clock: StateClock;
  /** Writes since the last full sweep; a sweep every `maxEntries` writes keeps expired entries from piling up at O(1) amortised cost. */
  #writesSinceSweep = 0;

  constructor(options: BoundedStateTableOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new GatewayError("config", `state store maxEntries must be a positive integer, got ${options.maxEntries}`);
    }
    this.#maxEntries = options.maxEntries;
    this.#clock = options.clock;
  }

  /** Number of entries held, expired ones not yet swept included. */
  get size(): number {
    return this.#entries.size;
  }

  get(key: string): JsonValue | undefined {
    const entry = this.#live(key);
    if (entry === undefined) return undefined;
    this.#touch(key, entry);
    return copyOf(entry.value);
  }

  set(key: string, value: JsonValue, options: StateWriteOptions = {}): void {
    this.#write(key, { value: copyOf(value), ...expiryFrom(options, this.#clock.now()) });
  }

  delete(key: string): boolean {
    const existed = this.#live(key) !== undefined;
    this.#entries.delete(key);
    return existed;
  }

  increment(key: string, delta: number, options: IncrementOptions = {}): CounterValue {
    if (!Number.isFinite(delta)) throw new GatewayError("internal", `state increment of ${key} by a non-finite delta`);
    const now = this.#clock.now();
    const entry = this.#live(key);
    if (entry !== undefined && typeof entry.value !== "number") {
      throw new GatewayError("internal", `state key ${key} holds a non-number and cannot be incremented`);
    }
    if (entry !== undefined && typeof entry.value === "number") {
      // Entries never leave the table except in a synchronous snapshot: counting in place saves an entry per increment.
      entry.value += delta;
      this.#write(key, entry);
      return counterOf(entry);
    }
    // A new window starts here: the previous one (if any) has expired.
    const fresh: TableEntry = { value: delta };
    const expiresAt = options.expiresAt ?? (options.windowMs === undefined ? undefined : now + options.windowMs);
    if (expiresAt !== undefined) fresh.expiresAt = expiresAt;
    this.#write(key, fresh);
    return counterOf(fresh);
  }

  compareAndSet(key: string, expected: JsonValue | undefined, next: JsonValue | undefined, options: StateWriteOptions = {}): boolean {
    const current = this.#live(key);
    const matches = current === undefined ? expected === undefined : expected !== undefined && isDeepStrictEqual(current.value, expected);
    if (!matches) return false;
    if (next === undefined) this.#entries.delete(key);
    else this.set(key, next, options);
    return true;
  }

  list(prefix: string): StateEntry[] {
    const found: StateEntry[] = [];
    for (const key of [...this.#entries.keys()]) {
      if (!key.startsWith(prefix)) continue;
      const entry = this.#live(key);
      if (entry === undefined) continue;
      const listed: StateEntry = { key, value: copyOf(entry.value) };
      if (entry.expiresAt !== undefined) listed.expiresAt = entry.expiresAt;
      found.push(listed);
    }
    return found.sort((left, right) => (left.key < right.key ? -1 : left.key > right.key ? 1 : 0));
  }

  /** Unexpired entries, least recently used first (the order a snapshot keeps so a reload keeps LRU order). */
  snapshot(): Array<[string, TableEntry]> {
    const now = this.#clock.now();
    return [...this.#entries].filter(([, entry]) => !isExpired(entry, now));
  }

  /** Replace the contents with `entries` (least recently used first), dropping expired ones and applying the bound. */
  load(entries: Iterable<[string, TableEntry]>): void {
    this.#entries.clear();
    const now = this.#clock.now();
    for (const [key, entry] of entries) {
      if (!isExpired(entry, now)) this.#write(key, entry);
    }
  }

  /** Drop the `count` least recently used entries (the file backend's size bound). */
  evictOldest(count: number): void {
    let left = count;
    for (const key of this.#entries.keys()) {
      if (left-- <= 0) break;
      this.#entries.delete(key);
    }
  }

  /** Remove every expired entry. */
  sweep(): void {
    const now = this.#clock.now();
    for (const [key, entry] of this.#entries) if (isExpired(entry, now)) this.#entries.delete(key);
    this.#writesSinceSweep = 0;
  }

  #live(key: string): TableEntry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    // Most entries never expire: no clock read for them.
    if (entry.expiresAt !== undefined && isExpired(entry, this.#clock.now())) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #touch(key: string, entry: TableEntry): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
  }

  #write(key: string, entry: TableEntry): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (++this.#writesSinceSweep >= this.#maxEntries) this.sweep();
    if (this.#entries.size > this.#maxEntries) this.evictOldest(this.#entries.size - this.#maxEntries);
  }
}

/**
 * Values are copied in and out; numbers, strings and the like are immutable, so only objects need a copy. Plain JSON
 * arrays and objects (all the pools and caches store) are copied by hand: `structuredClone` costs ~20 µs per call on
 * the request path, a walk of a small record well under one. Anything else that slipped past the types keeps the clone.
 */
function copyOf(value: JsonValue): JsonValue {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(copyOf);
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return structuredClone(value);
  const copy: { [key: string]: JsonValue } = {};
  for (const key of Object.keys(value)) {
    const item = copyOf(value[key] as JsonValue);
    // An own "__proto__" key (JSON.parse makes those) must stay a property, not become the copy's prototype.
    if (key === "__proto__") Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
    else copy[key] = item;
  }
  return copy;
}

function isExpired(entry: TableEntry, now: number): boolean {
  return entry.expiresAt !== undefined && entry.expiresAt <= now;
}

function expiryFrom(options: StateWriteOptions, now: number): { expiresAt?: number } {
  return options.ttlMs === undefined ? {} : { expiresAt: now + Math.max(0, options.ttlMs) };
}

function counterOf(entry: TableEntry): CounterValue {
  const value = typeof entry.value === "number" ? entry.value : 0;
  return entry.expiresAt === undefined ? { value } : { value, expiresAt: entry.expiresAt };
}
