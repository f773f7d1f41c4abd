import { GatewayError, invalidRequest } from "../unified/index.js";
import { renderStoredResponse } from "./convert-response-record.js";
import { isTerminalResponseStatus, type JsonObject, type StoredResponse } from "./convert-stored-response.js";

/** `GET /v1/responses/{id}?stream=true&starting_after=<n>`, read from the query string. */
export interface ResponseStreamQuery {
  stream: boolean;
  /** Events with a sequence number above this one; all when absent. */
  startingAfter?: number;
}

/**
 * Reads `stream` and `starting_after` of the retrieve route (values arrive as strings); anything else than
 * `true`/`false` and a non-negative integer is a 400 naming the parameter.
 * @see https://platform.openai.com/docs/api-reference/responses/get
 */
export function readResponseStreamQuery(query: Record<string, unknown>): ResponseStreamQuery {
  const stream = query["stream"];
  if (stream !== undefined && stream !== "true" && stream !== "false") throw invalidRequest("stream", `expected true or false, got ${JSON.stringify(stream)}`);
  const after = query["starting_after"];
  if (after === undefined) return { stream: stream === "true" };
  if (typeof after !== "string" || !/^\d+$/.test(after)) throw invalidRequest("starting_after", `expected a sequence number, got ${JSON.stringify(after)}`);
  if (stream !== "true") throw invalidRequest("starting_after", "starting_after needs stream=true");
  return { stream: true, startingAfter: Number(after) };
}

/**
 * The events of a finished stored response, condensed: `response.created`, `response.in_progress`, each output item
 * added and done, and the terminal event (`response.completed|incomplete|failed`, or an `error` event for a
 * cancelled one, since the API has no `response.cancelled`). Used where the live event log is not held (another
 * instance ran the job, or its retention ended): the items are whole, without their deltas.
 */
export function renderStoredResponseEvents(record: StoredResponse): JsonObject[] {
  const done = renderStoredResponse(record);
  const opening: JsonObject = { ...done, status: "in_progress", output: [] };
  const events: JsonObject[] = [
    { type: "response.created", response: opening },
    { type: "response.in_progress", response: opening },
  ];
  record.output.forEach((item, index) => {
    events.push({ type: "response.output_item.added", output_index: index, item });
    events.push({ type: "response.output_item.done", output_index: index, item });
  });
  switch (record.status) {
    case "completed":
    case "incomplete":
    case "failed":
      events.push({ type: `response.${record.status}`, response: done });
      break;
    case "cancelled":
      events.push({ type: "error", code: "response_cancelled", message: `Response '${record.id}' was cancelled.`, param: null });
      break;
    case "queued":
    case "in_progress":
      throw new GatewayError("internal", `response '${record.id}' is still ${record.status}`);
    default: {
      const unreachable: never = record.status;
      throw new GatewayError("internal", `unknown response status ${String(unreachable)}`);
    }
  }
  return events.map((event, sequence) => ({ ...event, sequence_number: sequence }));
}

/**
 * A stored response as SSE frames after `startingAfter`: at once when it has finished, else once a poll (`read`,
 * every `pollMs`) finds it finished. Ends early, without a frame, when `signal` aborts.
 */
export async function* streamStoredResponse(
  read: () => Promise<StoredResponse>,
  record: StoredResponse,
  options: { startingAfter?: number; pollMs: number; signal?: AbortSignal },
): AsyncGenerator<string> {
  let current = record;
  while (!isTerminalResponseStatus(current.status)) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, options.pollMs);
      function done(): void {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", done);
        resolve();
      }
      options.signal?.addEventListener("abort", done, { once: true });
    });
    if (options.signal?.aborted === true) return;
    current = await read();
  }
  for (const event of renderStoredResponseEvents(current)) {
    if (options.startingAfter !== undefined && Number(event["sequence_number"]) <= options.startingAfter) continue;
    yield `event: ${String(event["type"])}\ndata: ${JSON.stringify(event)}\n\n`;
  }
}
