/** A value the state store can hold: plain JSON, so every backend (memory, file, Redis) can carry it unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Milliseconds since the epoch; injected so TTLs and windows are testable without real time. */
export interface StateClock {
  now(): number;
}

/** Options for `set` and `compareAndSet`. */
export interface StateWriteOptions {
  /** Time to live in milliseconds; absent = no expiry (the entry still counts towards the size bound). */
  ttlMs?: number;
}

/** Options for `increment`: how the counter's window ends. At most one of the two applies; `expiresAt` wins. */
export interface IncrementOptions {
  /** A fixed window that starts with the first increment after the previous window expired. */
  windowMs?: number;
  /** An absolute end of the window (e.g. the next UTC midnight for daily counters). */
  expiresAt?: number;
}

/** A counter after an increment. */
export interface CounterValue {
  value: number;
  /** When the counter's window ends; absent for counters without a window. */
  expiresAt?: number;
}

/** One entry returned by `list`. */
export interface StateEntry {
  key: string;
  value: JsonValue;
  expiresAt?: number;
}

/**
 * Shared state for cooldowns, usage counters, rotation and affinity. Every method is asynchronous so that a remote
 * backend (Redis) fits the same contract; each single call is atomic with respect to other calls on the same store.
 * Values are copied in and out: mutating a returned value never changes the store.
 */
export interface StateStore {
  /** The value under `key`, or undefined when absent or expired. */
  get(key: string): Promise<JsonValue | undefined>;
  /**
   * What `get` would answer, synchronously; only backends that hold their state in this process (memory, file) have
   * it. The credential pools read a dozen keys per request: answering them without a promise each keeps that off the
   * request path. A wrapper that changes `get` must change or drop this too.
   */
  readNow?(key: string): JsonValue | undefined;
  /** Store `value` under `key`, replacing any previous value and TTL. */
  set(key: string, value: JsonValue, options?: StateWriteOptions): Promise<void>;
  /** Remove `key`; true when something (unexpired) was removed. */
  delete(key: string): Promise<boolean>;
  /**
   * Add `delta` to the number under `key` (absent or expired counts as 0). When the previous window has ended the
   * counter restarts from `delta` in a new window. Throws `internal` if the key holds a non-number.
   */
  increment(key: string, delta: number, options?: IncrementOptions): Promise<CounterValue>;
  /**
   * Write `next` only if the current value deep-equals `expected` (undefined = absent or expired); `next` undefined
   * deletes. True when the write happened.
   */
  compareAndSet(key: string, expected: JsonValue | undefined, next: JsonValue | undefined, options?: StateWriteOptions): Promise<boolean>;
  /** Unexpired entries whose key starts with `prefix`, in key order. */
  list(prefix: string): Promise<StateEntry[]>;
  /** Persist what is pending (if the backend persists) and stop background work. */
  close(): Promise<void>;
}
