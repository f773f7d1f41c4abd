import { GatewayError, invalidRequest } from "../unified/index.js";
import { convertResponseInput } from "./convert-response-input.js";
import { renderStoredResponse, responseOwner } from "./convert-response-record.js";
import type { JsonObject, StoredResponse } from "./convert-stored-response.js";
import { responseNotFound, type ResponseStore } from "./create-response-store.js";
import type { ResponseIdIssuer } from "./issue-response-id.js";
import { decideResponseStorage, saveBeforeTerminal } from "./save-before-terminal.js";

/** What a prewarm needs: the stores it may write to and the id issuer. */
export interface PrewarmContext {
  store: ResponseStore;
  connection?: ResponseStore;
  ids: ResponseIdIssuer;
  now: () => number;
}

/**
 * A WebSocket `response.create` with `generate: false` (Codex's prewarm): no upstream call, an empty completed
 * response whose input is kept like any other, so the next frame can continue from it with `previous_response_id`
 * and only its new items. Returns the events to send (`response.created`, `response.completed`).
 */
export async function answerResponsePrewarm(body: Record<string, unknown>, proxyKeyId: string | undefined, context: PrewarmContext): Promise<JsonObject[]> {
  if (body["background"] === true) throw invalidRequest("background", "a prewarm (generate: false) cannot run in the background");
  const storage = decideResponseStorage(body, "websocket");
  const owner = responseOwner(proxyKeyId);
  const previous = body["previous_response_id"];
  if (previous !== undefined && previous !== null && (typeof previous !== "string" || previous === "")) throw invalidRequest("previous_response_id", "expected a response id");
  // A prewarm chained to a missing or foreign parent gets its 404 now, as a generating frame would, not one turn later.
  if (typeof previous === "string") await requireParent(previous, owner, context);
  const record: StoredResponse = {
    id: context.ids.fresh(),
    owner,
    model: typeof body["model"] === "string" ? body["model"] : "",
    createdAt: Math.floor(context.now() / 1000),
    status: "completed",
    input: convertResponseInput(body["input"]),
    output: [],
  };
  if (typeof previous === "string") record.previousResponseId = previous;
  const targets = context.connection === undefined ? { persistent: context.store } : { persistent: context.store, connection: context.connection };
  // Saved before the completed event, as for every response: the next frame may name it at once.
  await saveBeforeTerminal(targets, storage, record);
  const completed = renderStoredResponse(record);
  return [
    { type: "response.created", sequence_number: 0, response: { ...completed, status: "in_progress" } },
    { type: "response.completed", sequence_number: 1, response: completed },
  ];
}

/** The parent must be readable by `owner`, on the connection or in the shared store. */
async function requireParent(id: string, owner: string, context: PrewarmContext): Promise<void> {
  let lookup = context.connection === undefined ? undefined : await context.connection.lookup(id, owner);
  if (lookup === undefined || lookup.kind === "missing") lookup = await context.store.lookup(id, owner);
  switch (lookup.kind) {
    case "found":
      return;
    case "missing":
      throw responseNotFound(id, "previous_response_id");
    case "refused":
      throw new GatewayError("not_found", `Previous response with id '${id}' was not stored: ${lookup.reason}.`, { path: "previous_response_id" });
    default: {
      const unreachable: never = lookup;
      throw new GatewayError("internal", `unknown lookup ${JSON.stringify(unreachable)}`);
    }
  }
}
