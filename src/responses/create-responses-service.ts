import type { Logger } from "pino";
import type { Gateway, GatewayCall, GatewayResult } from "../pipeline/index.js";
import { createMemoryStateStore, type StateStore } from "../state/index.js";
import { answerResponsePrewarm } from "./answer-response-prewarm.js";
import { renderStoredResponse } from "./convert-response-record.js";
import { isTerminalResponseStatus, type JsonObject, type StoredResponse } from "./convert-stored-response.js";
import { eventStreamHeaders } from "./create-response-event-log.js";
import { createResponseStore, type DeletedResponse, type ResponseStore, type ResponseStoreOptions } from "./create-response-store.js";
import { createResponseIdIssuer, type ResponseIdIssuer } from "./issue-response-id.js";
import { readInputItemsQuery, type InputItemsPage } from "./list-response-input-items.js";
import { streamStoredResponse, type ResponseStreamQuery } from "./replay-stored-response-events.js";
import { createBackgroundResponses, type BackgroundResponses, type BackgroundResponsesOptions } from "./run-background-responses.js";
import { refreshResponseLineage } from "./rebuild-response-lineage.js";
import { runResponseCreate } from "./run-response-create.js";
import type { ResponsesTransport } from "./save-before-terminal.js";

/** What the Responses service is built from. */
export interface ResponsesServiceOptions {
  /** The pipeline every `response.create` runs through. */
  gateway: Gateway;
  /** Where responses are kept: the engine's StateStore (file-backed for the server); a memory store when absent. */
  state?: StateStore;
  /** TTL and size cap of stored responses (defaults: 30 days, 8 MiB). */
  storeLimits?: Omit<ResponseStoreOptions, "state">;
  /** Background jobs: the per-instance cap, the cancel-flag poll interval, event retention (defaults in the runner). */
  background?: Omit<BackgroundResponsesOptions, "store">;
  ids?: ResponseIdIssuer;
  now?: () => number;
  logger?: Logger;
}

/** Per-call options of `create`: the transport and, on a WebSocket, that connection's own store. */
export interface ResponseCreateOptions {
  transport?: ResponsesTransport;
  connection?: ResponseStore;
}

/** The Responses API on top of the pipeline: create (stored, continued, background) and the stored-response routes. */
export interface ResponsesService {
  /** `POST /v1/responses`; errors are thrown as GatewayErrors before any stream starts. */
  create(call: GatewayCall, options?: ResponseCreateOptions): Promise<GatewayResult>;
  /** A WebSocket `generate: false` prewarm: the events to send, with no upstream call. */
  prewarm(body: Record<string, unknown>, proxyKeyId: string | undefined, connection?: ResponseStore): Promise<JsonObject[]>;
  /** A per-connection store for a WebSocket (memory, bounded), for its `store: false` continuations. */
  createConnectionStore(): ResponseStore;
  /** `GET /v1/responses/{id}`. */
  retrieve(id: string, owner: string): Promise<JsonObject>;
  /**
   * `GET /v1/responses/{id}?stream=true&starting_after=<n>`: the events of a streamed background job run by this
   * instance, live; otherwise the stored response's condensed events once it has finished. Ends when `signal` aborts.
   */
  streamEvents(id: string, owner: string, query: ResponseStreamQuery, signal?: AbortSignal): Promise<GatewayResult>;
  /** `DELETE /v1/responses/{id}`. */
  delete(id: string, owner: string): Promise<DeletedResponse>;
  /** `GET /v1/responses/{id}/input_items` with the raw query (`after`, `limit`, `order`). */
  listInputItems(id: string, owner: string, query: Record<string, unknown>): Promise<InputItemsPage>;
  /** `POST /v1/responses/{id}/cancel` (background responses only). */
  cancel(id: string, owner: string): Promise<JsonObject>;
  readonly store: ResponseStore;
  readonly background: BackgroundResponses;
  /** Aborts running background jobs on this instance and waits for them (the state store is its owner's to close). */
  close(): Promise<void>;
}

/** How often a stream of a job running elsewhere checks the store for its end (the runner's cancel poll by default). */
const defaultStreamPollMs = 1_000;

/** Responses one WebSocket connection keeps for itself (a long agent session makes one per turn). */
const connectionStoreEntries = 1_000;

/** Builds the Responses service over a StateStore. */
export function createResponsesService(options: ResponsesServiceOptions): ResponsesService {
  const store = createResponseStore({ ...options.storeLimits, state: options.state ?? createMemoryStateStore() });
  const background = createBackgroundResponses({ ...options.background, store });
  const pollMs = options.background?.cancelPollMs ?? defaultStreamPollMs;
  const ids = options.ids ?? createResponseIdIssuer();
  const now = options.now ?? Date.now;
  const onSaveRefused = (id: string, reason: string): void => {
    options.logger?.warn({ event: "responses.store_refused", responseId: id, reason }, "response not stored");
  };
  return {
    store,
    background,
    create: (call, createOptions = {}) =>
      runResponseCreate(call, {
        gateway: options.gateway,
        store,
        background,
        ids,
        now,
        onSaveRefused,
        transport: createOptions.transport ?? "http",
        ...(createOptions.connection === undefined ? {} : { connection: createOptions.connection }),
      }),
    prewarm: (body, proxyKeyId, connection) =>
      answerResponsePrewarm(body, proxyKeyId, { store, ids, now, ...(connection === undefined ? {} : { connection }) }),
    // A connection's responses die with it; the bound keeps a long Codex session from growing without end.
    createConnectionStore: () => createResponseStore({ ...options.storeLimits, state: createMemoryStateStore({ maxEntries: connectionStoreEntries }) }),
    streamEvents: async (id, owner, query, signal) => {
      const record = await background.reconcile(await store.get(id, owner));
      await refreshResponseLineage(store, record, owner);
      const events = background.events(id);
      const startingAfter = query.startingAfter === undefined ? {} : { startingAfter: query.startingAfter };
      // Each poll reconciles too: a stream attached to a job whose runner dies ends with its failure, not never.
      const read = async (): Promise<StoredResponse> => background.reconcile(await store.get(id, owner));
      const chunks = events === undefined ? streamStoredResponse(read, record, { ...startingAfter, pollMs, ...(signal === undefined ? {} : { signal }) }) : events.subscribe(query.startingAfter, signal);
      return { kind: "stream", status: 200, headers: { ...eventStreamHeaders }, chunks };
    },
    retrieve: async (id, owner) => {
      const record = await background.reconcile(await store.get(id, owner));
      await refreshResponseLineage(store, record, owner);
      return renderStoredResponse(record);
    },
    // A background run finishing after a delete cannot resurrect it: its compare-and-set finds nothing to update.
    // One still running is cancelled first, so its upstream call stops too, wherever it runs.
    delete: async (id, owner) => {
      const record = await store.get(id, owner).catch(() => undefined);
      if (record?.background === true && !isTerminalResponseStatus(record.status)) await background.cancel(id, owner);
      return store.delete(id, owner);
    },
    listInputItems: async (id, owner, query) => {
      const page = await store.listInputItems(id, owner, readInputItemsQuery(query));
      await refreshResponseLineage(store, await store.get(id, owner), owner);
      return page;
    },
    cancel: async (id, owner) => renderStoredResponse(await background.cancel(id, owner)),
    close: () => background.close(),
  };
}
