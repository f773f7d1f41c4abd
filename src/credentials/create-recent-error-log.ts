import { z } from "zod";
import type { StateStore } from "../state/index.js";
import { gatewayErrorCodes } from "../unified/index.js";
import type { RecentError } from "./credential-pool-settings.js";

/** The newest failed attempts per credential, for status and `switchyard credentials list`. */
export interface RecentErrorLog {
  record(credentialId: string, error: RecentError): void;
  /** Newest last; a copy. */
  list(credentialId: string): RecentError[];
  /** Load what an earlier process (or the server, for the CLI) left in the store. */
  hydrate(): Promise<void>;
}

const recentErrorsSchema = z.array(z.object({ code: z.enum(gatewayErrorCodes), status: z.number().optional(), at: z.number() }));

/**
 * Keeps `limits.count` errors (default 10) per credential of `credentialIds` in memory and mirrors each list to the
 * store (TTL `limits.ttlMs`, default a day), so the CLI, which reads the state file, and a restarted server show them
 * too. Only class, status and time are kept: never a message or body, which could quote a key or a prompt.
 */
export function createRecentErrorLog(
  provider: string,
  credentialIds: readonly string[],
  store: StateStore,
  limits: { count: number; ttlMs: number } = { count: 10, ttlMs: 86_400_000 },
): RecentErrorLog {
  const lists = new Map<string, RecentError[]>(credentialIds.map((id) => [id, []]));
  const keyOf = (credentialId: string): string => `recent-errors:${encodeURIComponent(provider)}:${encodeURIComponent(credentialId)}`;
  return {
    record(credentialId, error) {
      const list = lists.get(credentialId);
      if (list === undefined) return;
      list.push(error);
      if (list.length > limits.count) list.splice(0, list.length - limits.count);
      // Not awaited: a failure path must not wait for the store; the memory and file backends apply it at once.
      void store.set(keyOf(credentialId), list.map((entry) => ({ ...entry })), { ttlMs: limits.ttlMs }).catch(() => undefined);
    },
    list: (credentialId) => [...(lists.get(credentialId) ?? [])],
    async hydrate() {
      await Promise.all(
        credentialIds.map(async (id) => {
          const parsed = recentErrorsSchema.safeParse(await store.get(keyOf(id)));
          const list = lists.get(id);
          // Errors recorded in this process before hydration finished are newer: keep them last.
          if (parsed.success && list !== undefined) lists.set(id, [...parsed.data.map(copyOf), ...list].slice(-limits.count));
        }),
      );
    },
  };
}

/** Drops an absent status rather than keeping it as `undefined` (exact optional property types). */
function copyOf(entry: z.infer<typeof recentErrorsSchema>[number]): RecentError {
  return { code: entry.code, at: entry.at, ...(entry.status === undefined ? {} : { status: entry.status }) };
}
