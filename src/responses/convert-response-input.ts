import { invalidRequest } from "../unified/index.js";
import { isJsonObject, readJsonValue, type JsonObject } from "./convert-stored-response.js";

/**
 * A request's `input` as a list of item objects: a plain string becomes one user message item (the form the API
 * lists it in), absent input an empty list. Items are kept as sent otherwise (ids, unknown item types), because a
 * replay must give the model exactly what it saw.
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-input
 */
export function convertResponseInput(input: unknown): JsonObject[] {
  if (input === undefined || input === null || input === "") return [];
  if (typeof input === "string") return [{ type: "message", role: "user", content: [{ type: "input_text", text: input }] }];
  if (!Array.isArray(input)) throw invalidRequest("input", "expected a string or an array");
  return input.map((item, index) => {
    const read = readJsonValue(item);
    if (!isJsonObject(read)) throw invalidRequest(`input[${index}]`, "expected an item object");
    return read;
  });
}

/** The call type an output item answers (`function_call_output` → `function_call`), or undefined for other items. */
export function callTypeAnsweredBy(item: JsonObject): string | undefined {
  const type = item["type"];
  if (typeof type !== "string" || !type.endsWith("_call_output") || typeof item["call_id"] !== "string") return undefined;
  return type.slice(0, -"_output".length);
}

function isCallItem(item: JsonObject): boolean {
  const type = item["type"];
  return typeof type === "string" && type.endsWith("_call") && typeof item["call_id"] === "string";
}

/**
 * Puts every tool output after its call. Replayed history ends with the parent's calls, so a follow-up carrying
 * only outputs is already in order; an output placed before its call (possible only within one input) moves to the
 * end of the run of calls it belongs to, the shape every protocol accepts (assistant calls, then their results).
 * An output with no call anywhere is a 400 here rather than an opaque upstream 400 later (LESSONS §8).
 * `clientStart` is where the client's own items begin, for error paths that name its `input[i]`.
 */
export function orderToolOutputs(items: readonly JsonObject[], clientStart: number): JsonObject[] {
  const callIndex = new Map<string, number>();
  items.forEach((item, index) => {
    if (isCallItem(item)) callIndex.set(String(item["call_id"]), index);
  });
  const deferred = new Map<string, JsonObject[]>();
  items.forEach((item, index) => {
    if (callTypeAnsweredBy(item) === undefined) return;
    const callId = String(item["call_id"]);
    const at = callIndex.get(callId);
    if (at === undefined) {
      const path = index >= clientStart ? `input[${index - clientStart}].call_id` : "previous_response_id";
      throw invalidRequest(path, `no tool call with call_id "${callId}" precedes this output in the conversation`);
    }
    if (at > index) deferred.set(callId, [...(deferred.get(callId) ?? []), item]);
  });
  if (deferred.size === 0) return [...items];

  const ordered: JsonObject[] = [];
  let pending: JsonObject[] = [];
  items.forEach((item) => {
    if (callTypeAnsweredBy(item) !== undefined && deferred.get(String(item["call_id"]))?.includes(item) === true) return;
    if (!isCallItem(item) && pending.length > 0) {
      ordered.push(...pending);
      pending = [];
    }
    ordered.push(item);
    if (isCallItem(item)) pending.push(...(deferred.get(String(item["call_id"])) ?? []));
  });
  ordered.push(...pending);
  return ordered;
}
