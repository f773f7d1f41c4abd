import { invalidRequest, toGatewayError } from "../unified/index.js";
import type { StoredResponse } from "./convert-stored-response.js";
import type { ResponseStore, SaveOutcome } from "./create-response-store.js";

/**
 * Where a response is kept: the shared store, only for the WebSocket connection that made it (Codex sends
 * `store: false` and still continues with `previous_response_id` on the same socket), or nowhere.
 */
export type ResponseStorage = "persistent" | "connection" | "none";

/** The transport a Responses request came over. */
export type ResponsesTransport = "http" | "websocket";

/**
 * Reads `store` and `background` from a request body. `store: false` over HTTP keeps nothing after the request;
 * background responses must be stored (they are polled), so `background: true` with `store: false` is a 400.
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-store
 */
export function decideResponseStorage(body: Record<string, unknown>, transport: ResponsesTransport): ResponseStorage {
  const store = body["store"];
  if (store !== undefined && store !== null && typeof store !== "boolean") throw invalidRequest("store", "expected a boolean");
  if (store !== false) return "persistent";
  if (body["background"] === true) throw invalidRequest("store", "background responses must be stored; drop store: false");
  return transport === "websocket" ? "connection" : "none";
}

/** Where to write for each storage kind: the shared store and, for a WebSocket, that connection's own store. */
export interface StorageTargets {
  persistent: ResponseStore;
  /** A store on a per-connection memory StateStore; absent outside WebSocket connections. */
  connection?: ResponseStore;
}

/** What `saveBeforeTerminal` did. */
export type TerminalSaveOutcome = SaveOutcome | { saved: false; reason: "store: false" };

/**
 * Writes the finished response so that a follow-up sent the instant the client sees the terminal event finds it
 * (LESSONS §8). The promise resolves only once the record is readable from the store, and never rejects: a failed
 * write is reported (to log) and the client still gets its terminal event.
 *
 * How the pipeline calls it: in the streaming path, when the translated stream is about to yield the terminal
 * frame (`response.completed` / `response.incomplete` / `response.failed`), build the record from that event's
 * `response` object (`convertResponseRecord`), `await saveBeforeTerminal(...)`, and only then yield the frame; in the
 * JSON path, await it before returning the body. It must run before the frame is written to the socket (not in an
 * `onFinish` observer called afterwards), or a fast client races it.
 */
export async function saveBeforeTerminal(targets: StorageTargets, storage: ResponseStorage, record: StoredResponse): Promise<TerminalSaveOutcome> {
  let store: ResponseStore | undefined;
  switch (storage) {
    case "persistent":
      store = targets.persistent;
      break;
    case "connection":
      store = targets.connection;
      break;
    case "none":
      return { saved: false, reason: "store: false" };
    default: {
      const unreachable: never = storage;
      return { saved: false, reason: `unknown storage ${String(unreachable)}` };
    }
  }
  // store: false over a transport without a connection store: nothing may outlive the request.
  if (store === undefined) return { saved: false, reason: "store: false" };
  try {
    return await store.save(record);
  } catch (error) {
    return { saved: false, reason: `response store write failed: ${toGatewayError(error).message}` };
  }
}
