/**
 * Recovery after a cooldown: a credential whose cooldown (credential, credential+model or credential+group) has
 * ended is on probation until one request through it succeeds. Only one probe runs at a time; the rest of the
 * traffic keeps avoiding the credential meanwhile, so a recovering credential is not stampeded by everything that
 * queued behind its cooldown. In this process only: after a restart a cooled credential simply serves again.
 */
export interface ProbeTracker {
  /** A cooldown was set on `key` (of `credentialId`): the credential must pass a probe once it ends. */
  cooled(key: string, credentialId: string): void;
  /** `free`: no probation; `probe`: the next lease is the probe; `probing`: a probe is in flight, stay away. */
  stateOf(keys: readonly string[]): "free" | "probe" | "probing";
  /** The lease just issued is the probe for these keys. */
  startProbe(keys: readonly string[]): void;
  /** The probe ended: success lifts probation, anything else leaves it (the next request probes again). */
  finishProbe(keys: readonly string[], succeeded: boolean): void;
  forget(credentialId?: string): void;
}

const maxEntries = 10_000;

/** An empty tracker. */
export function createProbeTracker(): ProbeTracker {
  const entries = new Map<string, { credentialId: string; probing: boolean }>();
  return {
    cooled(key, credentialId) {
      const existing = entries.get(key);
      entries.set(key, { credentialId, probing: existing?.probing ?? false });
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
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
        if (succeeded) entries.delete(key);
        else entry.probing = false;
      }
    },
    forget(credentialId) {
      for (const [key, entry] of entries) if (credentialId === undefined || entry.credentialId === credentialId) entries.delete(key);
    },
  };
}
