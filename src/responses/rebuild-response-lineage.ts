import { GatewayError, invalidRequest } from "../unified/index.js";
import { convertResponseInput, orderToolOutputs } from "./convert-response-input.js";
import { isTerminalResponseStatus, type JsonObject, type StoredResponse } from "./convert-stored-response.js";
import { responseNotFound, type ResponseStore } from "./create-response-store.js";

/** Limits of a lineage walk. */
export interface LineageOptions {
  /** The most stored responses followed; default 500 (each is one store read). */
  maxDepth?: number;
  /**
   * Brings a link still queued or in progress up to date (the background runner's lease check), so a parent whose
   * runner died reads as failed instead of "still in progress" for ever. Finished links are not passed to it.
   */
  reconcile?: (record: StoredResponse) => Promise<StoredResponse>;
}

/** A conversation rebuilt from the store: the responses oldest first and their items in order. */
export interface ResponseLineage {
  /** Oldest first; the last one is the `previous_response_id` itself. */
  responses: StoredResponse[];
  /** Each response's input items then its output items, oldest response first. */
  items: JsonObject[];
}

const defaultMaxDepth = 500;

/**
 * Follows `previous_response_id` links from `previousResponseId` back to the start of the conversation. Every link
 * must belong to `owner`: a missing, expired, refused or foreign id anywhere in the chain is a 404 (the client gets
 * the same answer for all of them, so ids of other keys never leak), raised before any stream starts.
 */
export async function rebuildResponseLineage(
  store: ResponseStore,
  previousResponseId: string,
  owner: string,
  options: LineageOptions = {},
): Promise<ResponseLineage> {
  const maxDepth = options.maxDepth ?? defaultMaxDepth;
  const newestFirst: StoredResponse[] = [];
  const seen = new Set<string>();
  let id: string | undefined = previousResponseId;
  while (id !== undefined) {
    // A cycle can only come from a tampered store; it must not become an endless loop.
    if (newestFirst.length >= maxDepth || seen.has(id)) {
      throw invalidRequest("previous_response_id", `the conversation is longer than ${maxDepth} stored responses; send the full input instead`);
    }
    seen.add(id);
    const lookup = await store.lookup(id, owner);
    if (lookup.kind !== "found") {
      if (lookup.kind === "refused") {
        throw new GatewayError("not_found", `Previous response with id '${id}' was not stored: ${lookup.reason}.`, { path: "previous_response_id" });
      }
      throw responseNotFound(id, "previous_response_id");
    }
    let record = lookup.record;
    if (!isTerminalResponseStatus(record.status) && options.reconcile !== undefined) record = await options.reconcile(record);
    if (!isTerminalResponseStatus(record.status)) {
      throw invalidRequest("previous_response_id", `Previous response with id '${id}' is still ${record.status}; wait for it to finish.`);
    }
    newestFirst.push(record);
    id = record.previousResponseId;
  }
  const responses = newestFirst.reverse();
  // Continuing from a chain is using all of it: its oldest links must not expire while its newest are in use.
  await store.refresh(responses.map((record) => record.id));
  const items: JsonObject[] = [];
  for (const record of responses) items.push(...record.input, ...record.output);
  return { responses, items };
}

/**
 * Restarts the TTL of `record` and of every response before it that `owner` can still read (sliding expiry on
 * `GET`). Unlike a continuation, a read does not need the whole chain, so a gap just ends the walk.
 */
export async function refreshResponseLineage(store: ResponseStore, record: StoredResponse, owner: string, options: LineageOptions = {}): Promise<void> {
  const maxDepth = options.maxDepth ?? defaultMaxDepth;
  const ids = [record.id];
  let id = record.previousResponseId;
  while (id !== undefined && ids.length < maxDepth && !ids.includes(id)) {
    const lookup = await store.lookup(id, owner);
    if (lookup.kind !== "found") break;
    ids.push(id);
    id = lookup.record.previousResponseId;
  }
  await store.refresh(ids);
}

/**
 * A complete Responses request body: the stored history followed by this request's input, with
 * `previous_response_id` removed (the upstream must not see an id it never issued). The result decodes with the
 * openai-responses codec like any full-history request, so every provider protocol can serve it.
 * Instructions are not carried over, as the API specifies for `previous_response_id`.
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-previous_response_id
 */
export function mergeLineageIntoBody(body: Record<string, unknown>, history: readonly JsonObject[]): Record<string, unknown> {
  const { previous_response_id: _previous, ...rest } = body;
  const input = orderToolOutputs([...history, ...convertResponseInput(body["input"])], history.length);
  return { ...rest, input };
}
