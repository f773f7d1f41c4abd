import { createHash } from "node:crypto";
import type { StateStore } from "../state/index.js";

/** Session → credential bindings of one provider. */
export interface SessionAffinity {
  lookup(sessionKey: string, now: number): Promise<string | undefined>;
  /** `persist` false: this process only (a first turn known by its content: worth nothing after a restart). */
  bind(sessionKey: string, credentialId: string, now: number, persist?: boolean): Promise<void>;
  /** Bindings held in this process (for tests and status). */
  readonly size: number;
}

/** Limits of the binding table. */
export interface SessionAffinityLimits {
  ttlMs: number;
  maxEntries: number;
}

/**
 * A bounded LRU of bindings in this process, mirrored to the store with the same TTL so they survive a restart (a
 * miss here falls back to the store once). Session keys are hashed: they can be user ids, and the store and status
 * must not reveal them. Evicting a local binding deletes its store copy too, so the bound holds for both.
 */
export function createSessionAffinity(provider: string, limits: SessionAffinityLimits, store: StateStore): SessionAffinity {
  const local = new Map<string, { credentialId: string; expiresAt: number; storedUntil: number; mayBeStored: boolean }>();
  const prefix = `affinity:${encodeURIComponent(provider)}:`;
  const hashOf = (sessionKey: string): string => createHash("sha256").update(sessionKey).digest("base64url").slice(0, 22);

  /** `mayBeStored` false: the binding never reached the store, so evicting it needs no store delete. */
  const remember = async (hash: string, credentialId: string, expiresAt: number, storedUntil: number, mayBeStored = true): Promise<void> => {
    local.delete(hash);
    local.set(hash, { credentialId, expiresAt, storedUntil, mayBeStored });
    const evicted: string[] = [];
    for (const [key, entry] of local) {
      if (local.size <= limits.maxEntries) break;
      local.delete(key);
      if (entry.mayBeStored) evicted.push(key);
    }
    await Promise.all(evicted.map((key) => store.delete(prefix + key)));
  };

  return {
    get size() {
      return local.size;
    },
    async lookup(sessionKey, now) {
      const hash = hashOf(sessionKey);
      const held = local.get(hash);
      if (held !== undefined) {
        if (held.expiresAt > now) return held.credentialId;
        local.delete(hash);
        return undefined;
      }
      const stored = await store.get(prefix + hash);
      if (typeof stored !== "string") return undefined;
      // The stored copy's own expiry is unknown here; treat it as due for a refresh at the next bind.
      await remember(hash, stored, now + limits.ttlMs, now);
      return stored;
    },
    async bind(sessionKey, credentialId, now, persist = true) {
      const hash = hashOf(sessionKey);
      const held = local.get(hash);
      const expiresAt = now + limits.ttlMs;
      // Refreshing an unchanged binding in memory is enough most of the time; write through only on a change or when
      // the stored copy is past half its TTL, so a restart still finds every live binding.
      const writeThrough = persist && (held === undefined || held.credentialId !== credentialId || held.storedUntil - now < limits.ttlMs / 2);
      await remember(hash, credentialId, expiresAt, writeThrough ? expiresAt : (held?.storedUntil ?? now), persist || held !== undefined);
      if (writeThrough) await store.set(prefix + hash, credentialId, { ttlMs: limits.ttlMs });
    },
  };
}
