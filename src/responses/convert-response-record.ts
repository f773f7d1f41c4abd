import { GatewayError } from "../unified/index.js";
import {
  isJsonObject,
  readJsonValue,
  responseStatuses,
  type JsonObject,
  type ResponseStatus,
  type ResponseTarget,
  type StoredResponse,
} from "./convert-stored-response.js";

/** The owner recorded when the gateway runs without proxy keys. */
export const anonymousOwner = "anonymous";

/** The owner of a call: its proxy key id, or "anonymous". */
export function responseOwner(proxyKeyId: string | undefined): string {
  return proxyKeyId === undefined || proxyKeyId === "" ? anonymousOwner : proxyKeyId;
}

/** What the pipeline knows when a response is complete. */
export interface ResponseRecordInput {
  /** The response object exactly as the client receives it (non-stream body, or the terminal event's `response`). */
  body: Record<string, unknown>;
  owner: string;
  /** This request's own input, already normalized by `convertResponseInput` (not the replayed history). */
  input: JsonObject[];
  target?: ResponseTarget;
  previousResponseId?: string;
  background?: boolean;
}

/** Fields the record holds apart; everything else in the body is kept in `fields` for GET. */
const recordedApart = new Set(["id", "object", "created_at", "status", "model", "output", "usage", "error", "previous_response_id", "background"]);

/**
 * A stored record from the client-facing response object. Storing what the client saw (not the upstream body)
 * means a replay gives every backend the same items the client holds, ids and `encrypted_content` included.
 */
export function convertResponseRecord(input: ResponseRecordInput): StoredResponse {
  const body = readJsonValue(input.body);
  if (!isJsonObject(body)) throw new GatewayError("internal", "response body to store is not JSON");
  const { id, model, output, status } = body;
  if (typeof id !== "string" || id === "") throw new GatewayError("internal", "response body to store has no id");
  if (!Array.isArray(output) || !output.every(isJsonObject)) throw new GatewayError("internal", `response '${id}' to store has no output item list`);
  const createdAt = typeof body["created_at"] === "number" ? body["created_at"] : 0;
  const record: StoredResponse = {
    id,
    owner: input.owner,
    model: typeof model === "string" ? model : "",
    createdAt,
    status: readStatus(status),
    input: input.input,
    output,
  };
  if (input.target !== undefined) record.target = input.target;
  if (isJsonObject(body["usage"])) record.usage = body["usage"];
  if (isJsonObject(body["error"])) record.error = body["error"];
  if (input.previousResponseId !== undefined) record.previousResponseId = input.previousResponseId;
  if (input.background !== undefined) record.background = input.background;
  const fields: JsonObject = {};
  for (const [key, value] of Object.entries(body)) if (!recordedApart.has(key)) fields[key] = value;
  if (Object.keys(fields).length > 0) record.fields = fields;
  return record;
}

/** The `GET /v1/responses/{id}` body of a stored response. */
export function renderStoredResponse(record: StoredResponse): JsonObject {
  const body: JsonObject = {
    id: record.id,
    object: "response",
    created_at: record.createdAt,
    status: record.status,
    background: record.background ?? false,
    error: record.error ?? null,
    ...record.fields,
    model: record.model,
    output: record.output,
    previous_response_id: record.previousResponseId ?? null,
  };
  if (record.usage !== undefined) body["usage"] = record.usage;
  return body;
}

function readStatus(value: unknown): ResponseStatus {
  // A body without a status (some upstreams omit it on success) finished: it is being stored at its end.
  return typeof value === "string" && (responseStatuses as readonly string[]).includes(value) ? (value as ResponseStatus) : "completed";
}
