import type { StateStore } from "../state/index.js";

/**
 * Recovery after a cooldown: a credential whose cooldown (credential, credential+model or credential+group) has
 * ended is on probation until one request through it succeeds. Only one probe runs at a time; the rest of the
 * traffic keeps avoiding the credential meanwhile, so a recovering credential is not stampeded by everything that
 * queued behind its cooldown. Probation marks are mirrored to the store, so a credential that cooled before a restart
 * still has to pass its probe after it; whether a probe is in flight is this process's business only.
 */
export interface ProbeTracker {
  /** A cooldown was set on `key` (of `credentialId`): the credential must pass a probe once it ends. */
  cooled(key: string, credentialId: string): void;
  /** Probation marks held; none (the usual case) means every credential is `free`. */
  readonly size: number;
  /** `free`: no probation; `probe`: the next lease is the probe; `probing`: a probe is in flight, stay away. */
  stateOf(keys: readonly string[]): "free" | "probe" | "probing";
  /** The lease just issued is the probe for these keys. */
  startProbe(keys: readonly string[]): void;
  /** The probe ended: success lifts probation, anything else leaves it (the next request probes again). */
  finishProbe(keys: readonly string[], succeeded: boolean): void;
  forget(credentialId?: string): void;
  /** Load the probation marks an earlier process left in the store (of `credentialIds` only). */
  hydrate(credentialIds: readonly string[]): Promise<void>;
}

/** Where probation marks persist: `ttlMs` bounds how long a mark outlives a process that never came back. */
export interface ProbePersistence {
  store: StateStore;
  provider: string;
  ttlMs: number;
}

const maxEntries = 10_000;
const ignore = (): undefined => undefined;

/** An empty tracker; with `persistence`, marks are written through to the store (in the background). */
export function createProbeTracker(persistence?: ProbePersistence): ProbeTracker {
  const entries = new Map<string, { credentialId: string; probing: boolean }>();
  const prefix = persistence === undefined ? "" : `probation:${encodeURIComponent(persistence.provider)}:`;
  // Store writes are not awaited: the map above decides in this process, the store copy only serves the next one,
  // and the memory and file backends apply each call at once, in call order.
  const save = (key: string, credentialId: string): void => void persistence?.store.set(prefix + key, credentialId, { ttlMs: persistence.ttlMs }).catch(ignore);
  const drop = (key: string): void => void persistence?.store.delete(prefix + key).catch(ignore);
  return {
    get size() {
      return entries.size;
    },
    cooled(key, credentialId) {
      const existing = entries.get(key);
      entries.set(key, { credentialId, probing: existing?.probing ?? false });
      if (existing?.credentialId !== credentialId) save(key, credentialId);
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) {
          entries.delete(oldest);
          drop(oldest);
        }
      }
    },
    stateOf(keys) {
      let state: "free" | "probe" | "probing" = "free";
      for (const key of keys) {
        const entry = entries.get(key);
        if (entry === undefined) continue;
        if (entry.probing) return "probing";
        state = "probe";
      }
      return state;
    },
    startProbe(keys) {
      for (const key of keys) {
        const entry = entries.get(key);
        if (entry !== undefined) entry.probing = true;
      }
    },
    finishProbe(keys, succeeded) {
      for (const key of keys) {
        const entry = entries.get(key);
        if (entry === undefined) continue;
        if (succeeded) {
          entries.delete(key);
          drop(key);
        } else entry.probing = false;
      }
    },
    forget(credentialId) {
      for (const [key, entry] of entries) {
        if (credentialId !== undefined && entry.credentialId !== credentialId) continue;
        entries.delete(key);
        drop(key);
      }
    },
    async hydrate(credentialIds) {
      if (persistence === undefined) return;
      for (const { key, value } of await persistence.store.list(prefix)) {
        if (typeof value !== "string" || !credentialIds.includes(value)) continue;
        const probeKey = key.slice(prefix.length);
        if (!entries.has(probeKey)) entries.set(probeKey, { credentialId: value, probing: false });
      }
    },
  };
}
