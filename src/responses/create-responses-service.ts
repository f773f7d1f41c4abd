import type { Logger } from "pino";
import type { Gateway, GatewayCall, GatewayResult } from "../pipeline/index.js";
import { createMemoryStateStore, type StateStore } from "../state/index.js";
import { answerResponsePrewarm } from "./answer-response-prewarm.js";
import { renderStoredResponse } from "./convert-response-record.js";
import type { JsonObject } from "./convert-stored-response.js";
import { createResponseStore, type DeletedResponse, type ResponseStore, type ResponseStoreOptions } from "./create-response-store.js";
import { createResponseIdIssuer, type ResponseIdIssuer } from "./issue-response-id.js";
import { readInputItemsQuery, type InputItemsPage } from "./list-response-input-items.js";
import { createBackgroundResponses, type BackgroundResponses } from "./run-background-responses.js";
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

/** Responses one WebSocket connection keeps for itself (a long agent session makes one per turn). */
const connectionStoreEntries = 1_000;

/** Builds the Responses service over a StateStore. */
export function createResponsesService(options: ResponsesServiceOptions): ResponsesService {
  const store = createResponseStore({ ...options.storeLimits, state: options.state ?? createMemoryStateStore() });
  const background = createBackgroundResponses({ store });
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
    retrieve: async (id, owner) => renderStoredResponse(await store.get(id, owner)),
    // A background run finishing after a delete cannot resurrect it: its compare-and-set finds nothing to update.
    delete: (id, owner) => store.delete(id, owner),
    listInputItems: (id, owner, query) => store.listInputItems(id, owner, readInputItemsQuery(query)),
    cancel: async (id, owner) => renderStoredResponse(await background.cancel(id, owner)),
    close: () => background.close(),
  };
}
