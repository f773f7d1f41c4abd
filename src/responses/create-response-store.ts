import type { JsonValue, StateStore } from "../state/index.js";
import { GatewayError } from "../unified/index.js";
import {
  decodeStoreEntry,
  encodeRefusedResponse,
  encodeStoredResponse,
  type JsonObject,
  type StoredResponse,
} from "./convert-stored-response.js";
import { pageInputItems, type InputItemsPage, type InputItemsQuery } from "./list-response-input-items.js";

/** Options for the response store. */
export interface ResponseStoreOptions {
  /** The shared state (memory, file, Redis): the store is written against the interface only. */
  state: StateStore;
  /**
   * How long a response is kept after its last write or use (ms); default 30 days, as the OpenAI API keeps them.
   * Reading a response or continuing from it restarts the TTL of it and every response before it in its chain.
   */
  ttlMs?: number;
  /** The largest stored entry in bytes of JSON; larger ones are refused with a reason. Default 8 MiB. */
  maxEntryBytes?: number;
  /** Key prefix inside the shared state; default `responses:`. */
  keyPrefix?: string;
}

/** What a save did: kept, or refused with a reason the pipeline logs (and a follow-up's 404 repeats). */
export type SaveOutcome = { saved: true; bytes: number } | { saved: false; reason: string };

/** A lookup that tells a refused entry apart from a missing one; foreign entries read as missing. */
export type ResponseLookup = { kind: "found"; record: StoredResponse } | { kind: "missing" } | { kind: "refused"; reason: string };

/** The `DELETE /v1/responses/{id}` body. */
export interface DeletedResponse {
  id: string;
  object: "response";
  deleted: true;
}

/** Stored Responses API responses, scoped to their owner. */
export interface ResponseStore {
  /**
   * Keep a response (replacing the same owner's one with the same id); entries over the size cap are refused, not
   * trimmed, and so is an id another owner's response holds.
   */
  save(record: StoredResponse): Promise<SaveOutcome>;
  /** The response if `owner` may see it. */
  lookup(id: string, owner: string): Promise<ResponseLookup>;
  /** The response, or `not_found` (also for another owner's id, so ids never leak). */
  get(id: string, owner: string): Promise<StoredResponse>;
  /** Remove a response; `not_found` as for `get`. */
  delete(id: string, owner: string): Promise<DeletedResponse>;
  /** One page of a response's input items, as `GET /v1/responses/{id}/input_items` returns it. */
  listInputItems(id: string, owner: string, query: InputItemsQuery): Promise<InputItemsPage>;
  /**
   * Atomically replace a response with `change(current)` (compare-and-set, retried on a concurrent write);
   * `change` returning undefined leaves it alone. Returns the record now stored. `not_found` as for `get`.
   */
  update(id: string, owner: string, change: (current: StoredResponse) => StoredResponse | undefined): Promise<StoredResponse>;
  /**
   * Restarts the TTL of the entries under `ids` (sliding expiry: a conversation in use keeps its oldest links).
   * Callers pass ids they have already read for their owner; absent ones are skipped, and an entry changed meanwhile
   * is left to the writer that changed it (whose write set a fresh TTL anyway).
   */
  refresh(ids: readonly string[]): Promise<void>;
  /** Raises the cancel flag of a background response: a small key the instance running it polls. */
  flagCancel(id: string): Promise<void>;
  /** Which of `ids` have their cancel flag raised (one small read each, never the records themselves). */
  readCancelFlags(ids: readonly string[]): Promise<Set<string>>;
  /**
   * Takes or renews the run lease of background responses `ids` for `ttlMs`: a small key that says the instance
   * running them is alive. A job whose lease is gone while it is still queued or in progress has lost its runner.
   */
  renewLeases(ids: readonly string[], ttlMs: number): Promise<void>;
  /** Whether the run lease of `id` is held (unexpired). */
  holdsLease(id: string): Promise<boolean>;
  /** Drops the run lease of `id` once its run has settled. */
  releaseLease(id: string): Promise<void>;
}

const defaultTtlMs = 30 * 24 * 60 * 60 * 1000;
const defaultMaxEntryBytes = 8 * 1024 * 1024;
/** Compare-and-set retries: writers of one response are its request and at most one cancel, so a few suffice. */
const maxUpdateAttempts = 8;
/** A cancel flag only has to outlive the run it stops; background runs are bounded by the request timeout. */
const cancelFlagTtlMs = 24 * 60 * 60 * 1000;

/** The 404 every missing, expired or foreign id gets, worded as the OpenAI API words it. */
export function responseNotFound(id: string, path?: string): GatewayError {
  const subject = path === "previous_response_id" ? "Previous response" : "Response";
  return new GatewayError("not_found", `${subject} with id '${id}' not found.`, path === undefined ? {} : { path });
}

/** A response store on any StateStore backend. */
export function createResponseStore(options: ResponseStoreOptions): ResponseStore {
  const { state } = options;
  const ttlMs = options.ttlMs ?? defaultTtlMs;
  const maxEntryBytes = options.maxEntryBytes ?? defaultMaxEntryBytes;
  const prefix = options.keyPrefix ?? "responses:";
  const keyOf = (id: string): string => `${prefix}${id}`;
  // Outside the records' key space: a response id never starts with "#".
  const flagKeyOf = (id: string): string => `${prefix}#cancel:${id}`;
  const leaseKeyOf = (id: string): string => `${prefix}#lease:${id}`;

  /** The value to write for a record: itself, or the refusal marker when it is over the cap. */
  const prepare = (record: StoredResponse): { value: JsonObject; outcome: SaveOutcome } => {
    const value = encodeStoredResponse(record);
    const bytes = Buffer.byteLength(JSON.stringify(value));
    if (bytes <= maxEntryBytes) return { value, outcome: { saved: true, bytes } };
    // Refused rather than trimmed: a history with items cut out would replay a conversation that never happened.
    const reason = `response is ${bytes} bytes, over the response store cap of ${maxEntryBytes} bytes; send the full input instead of previous_response_id`;
    return { value: encodeRefusedResponse({ id: record.id, owner: record.owner, reason }), outcome: { saved: false, reason } };
  };

  /** The raw value (for compare-and-set) and what `owner` may see of it. */
  const readOwned = async (id: string, owner: string): Promise<{ raw: JsonValue | undefined; lookup: ResponseLookup }> => {
    const raw = await state.get(keyOf(id));
    const entry = decodeStoreEntry(raw);
    if (entry === undefined) return { raw, lookup: { kind: "missing" } };
    if (entry.kind === "refused") {
      return { raw, lookup: entry.refused.owner === owner ? { kind: "refused", reason: entry.refused.reason } : { kind: "missing" } };
    }
    return { raw, lookup: entry.record.owner === owner ? { kind: "found", record: entry.record } : { kind: "missing" } };
  };

  const get = async (id: string, owner: string): Promise<StoredResponse> => {
    const { lookup } = await readOwned(id, owner);
    return requireFound(lookup, id);
  };

  return {
    save: async (record) => {
      // Ids of Responses-native targets are the upstream's: one repeating an id (a local server counting from 1)
      // must not let one key's response replace another's. The existing one stays; this one is not kept.
      const holder = ownerOf(decodeStoreEntry(await state.get(keyOf(record.id))));
      if (holder !== undefined && holder !== record.owner) return { saved: false, reason: `response id '${record.id}' is already held by another proxy key's response` };
      const { value, outcome } = prepare(record);
      await state.set(keyOf(record.id), value, { ttlMs });
      return outcome;
    },
    lookup: async (id, owner) => (await readOwned(id, owner)).lookup,
    get,
    delete: async (id, owner) => {
      const { lookup } = await readOwned(id, owner);
      if (lookup.kind === "missing") throw responseNotFound(id);
      await state.delete(keyOf(id));
      return { id, object: "response", deleted: true };
    },
    listInputItems: async (id, owner, query) => pageInputItems(await get(id, owner), query),
    update: async (id, owner, change) => {
      for (let attempt = 0; attempt < maxUpdateAttempts; attempt++) {
        const { raw, lookup } = await readOwned(id, owner);
        const current = requireFound(lookup, id);
        const next = change(current);
        if (next === undefined) return current;
        const { value } = prepare({ ...next, id, owner });
        if (await state.compareAndSet(keyOf(id), raw, value, { ttlMs })) return requireFound(decodeLookup(value, owner), id);
      }
      throw new GatewayError("internal", `response '${id}' kept changing while being updated`);
    },
    refresh: async (ids) => {
      await Promise.all(
        ids.map(async (id) => {
          const raw = await state.get(keyOf(id));
          // Compare-and-set with the same value: only the TTL changes, and a concurrent write is never undone.
          if (raw !== undefined) await state.compareAndSet(keyOf(id), raw, raw, { ttlMs });
        }),
      );
    },
    flagCancel: (id) => state.set(flagKeyOf(id), true, { ttlMs: cancelFlagTtlMs }),
    readCancelFlags: async (ids) => {
      const values = await Promise.all(ids.map((id) => state.get(flagKeyOf(id))));
      return new Set(ids.filter((_id, index) => values[index] === true));
    },
    renewLeases: async (ids, leaseTtlMs) => {
      await Promise.all(ids.map((id) => state.set(leaseKeyOf(id), true, { ttlMs: leaseTtlMs })));
    },
    holdsLease: async (id) => (await state.get(leaseKeyOf(id))) === true,
    releaseLease: async (id) => {
      await state.delete(leaseKeyOf(id));
    },
  };
}

function ownerOf(entry: ReturnType<typeof decodeStoreEntry>): string | undefined {
  if (entry === undefined) return undefined;
  return entry.kind === "refused" ? entry.refused.owner : entry.record.owner;
}

function decodeLookup(value: JsonObject, owner: string): ResponseLookup {
  const entry = decodeStoreEntry(value);
  if (entry === undefined) return { kind: "missing" };
  if (entry.kind === "refused") return { kind: "refused", reason: entry.refused.reason };
  return entry.record.owner === owner ? { kind: "found", record: entry.record } : { kind: "missing" };
}

function requireFound(lookup: ResponseLookup, id: string): StoredResponse {
  switch (lookup.kind) {
    case "found":
      return lookup.record;
    case "missing":
      throw responseNotFound(id);
    case "refused":
      throw new GatewayError("not_found", `Response with id '${id}' was not stored: ${lookup.reason}.`);
    default: {
      const unreachable: never = lookup;
      throw new GatewayError("internal", `unknown lookup ${JSON.stringify(unreachable)}`);
    }
  }
}
