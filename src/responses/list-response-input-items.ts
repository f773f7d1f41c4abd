import { invalidRequest } from "../unified/index.js";
import type { JsonObject, StoredResponse } from "./convert-stored-response.js";

/** Paging of `GET /v1/responses/{id}/input_items`, validated. */
export interface InputItemsQuery {
  /** An item id: the page starts after it (in the chosen order). */
  after?: string;
  /** 1–100; default 20. */
  limit: number;
  /** `desc` (newest first) by default, as the API does. */
  order: "asc" | "desc";
}

/** One page, in the API's list shape. */
export interface InputItemsPage {
  object: "list";
  data: JsonObject[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

const defaultLimit = 20;
const maxLimit = 100;

/**
 * Reads the query string of the input-items route (values arrive as strings, or string lists when repeated).
 * Anything out of range is a 400 naming the parameter rather than silently clamped.
 * @see https://platform.openai.com/docs/api-reference/responses/input-items
 */
export function readInputItemsQuery(query: Record<string, unknown>): InputItemsQuery {
  const after = readSingle(query, "after");
  const limitText = readSingle(query, "limit");
  const orderText = readSingle(query, "order");
  let limit = defaultLimit;
  if (limitText !== undefined) {
    limit = /^\d+$/.test(limitText) ? Number(limitText) : Number.NaN;
    if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) throw invalidRequest("limit", `expected an integer from 1 to ${maxLimit}, got "${limitText}"`);
  }
  let order: InputItemsQuery["order"] = "desc";
  if (orderText !== undefined) {
    if (orderText !== "asc" && orderText !== "desc") throw invalidRequest("order", `expected "asc" or "desc", got "${orderText}"`);
    order = orderText;
  }
  return after === undefined || after === "" ? { limit, order } : { after, limit, order };
}

/**
 * The id an input item is listed under: its own (clients such as Codex give every item one), else one derived from
 * the response id and the item's position, so the same item has the same id on every page and every call.
 */
export function inputItemId(item: JsonObject, responseId: string, index: number): string {
  const own = item["id"];
  if (typeof own === "string" && own !== "") return own;
  const base = responseId.startsWith("resp_") ? responseId.slice(5) : responseId;
  const kind = item["type"] === undefined || item["type"] === "message" ? "msg" : "item";
  return `${kind}_${base}_in${index}`;
}

/** One page of a stored response's input items (its own input only, as sent, each with its listing id). */
export function pageInputItems(record: StoredResponse, query: InputItemsQuery): InputItemsPage {
  const listed = record.input.map((item, index): JsonObject => {
    const { id: _ownId, ...rest } = item;
    return { id: inputItemId(item, record.id, index), ...rest };
  });
  if (query.order === "desc") listed.reverse();
  let start = 0;
  if (query.after !== undefined) {
    const position = listed.findIndex((item) => item["id"] === query.after);
    if (position < 0) throw invalidRequest("after", `no input item with id '${query.after}' in response '${record.id}'`);
    start = position + 1;
  }
  const data = listed.slice(start, start + query.limit);
  const first = data[0];
  const last = data[data.length - 1];
  return {
    object: "list",
    data,
    first_id: first === undefined ? null : String(first["id"]),
    last_id: last === undefined ? null : String(last["id"]),
    has_more: start + data.length < listed.length,
  };
}

function readSingle(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value === "string") return value;
  throw invalidRequest(name, "expected a single value");
}
