import type { JsonValue } from "../state/index.js";
import { isProtocolId, type ProtocolId } from "../unified/index.js";

/** A JSON object as the state store holds it (wire items, usage, echoed fields). */
export type JsonObject = { [key: string]: JsonValue };

/** Every status a Responses response object can have, as the API spells them. */
export const responseStatuses = ["queued", "in_progress", "completed", "incomplete", "failed", "cancelled"] as const;
/** One Responses status. */
export type ResponseStatus = (typeof responseStatuses)[number];

/** Statuses after which a response never changes again. */
export function isTerminalResponseStatus(status: ResponseStatus): boolean {
  return status !== "queued" && status !== "in_progress";
}

/** Where a stored response was served, so a continuation can decide between passing its id on and replaying. */
export interface ResponseTarget {
  /** Provider id (config name). */
  provider: string;
  /** Short keyed hash of the credential (never the secret). */
  credentialId?: string;
  /** The provider's wire protocol. */
  protocol: ProtocolId;
  /** The upstream itself keeps this response (Responses-native and sent with `store` not false). */
  upstreamHoldsState: boolean;
  /** The id the upstream knows it by, when that differs from the gateway's id (background jobs issue their own). */
  upstreamResponseId?: string;
}

/** One response as the gateway keeps it: the request's own input items and the output items, both as wire JSON. */
export interface StoredResponse {
  id: string;
  /** Proxy key id that created it, or "anonymous" when the gateway runs without proxy keys. */
  owner: string;
  model: string;
  /** Unix seconds (the API's `created_at`). */
  createdAt: number;
  status: ResponseStatus;
  /** Unknown while a background job is still queued (routing has not run yet). */
  target?: ResponseTarget;
  /** This request's input items only (the lineage holds the rest), normalized to item objects. */
  input: JsonObject[];
  /** Output items exactly as the client received them (reasoning `encrypted_content`, calls and their ids). */
  output: JsonObject[];
  /** The client-facing `usage` object. */
  usage?: JsonObject;
  previousResponseId?: string;
  background?: boolean;
  /** The client-facing `error` object of a failed response. */
  error?: JsonObject;
  /** Other top-level fields of the client-facing response object (echoed tools, instructions, metadata…). */
  fields?: JsonObject;
}

/** A response that was refused by the size cap: kept as a marker so a follow-up learns why, not just "not found". */
export interface RefusedResponse {
  id: string;
  owner: string;
  reason: string;
}

/** Whether a value is a JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A parsed-JSON value checked to be JSON all the way down. Client bodies arrive parsed by the server, so this only
 * fails for values built in code (undefined, functions, non-finite numbers), which must not reach a shared store.
 */
export function readJsonValue(value: unknown): JsonValue | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (Array.isArray(value)) {
    const list: JsonValue[] = [];
    for (const entry of value) {
      const read = readJsonValue(entry);
      if (read === undefined) return undefined;
      list.push(read);
    }
    return list;
  }
  if (typeof value === "object") {
    const object: JsonObject = {};
    for (const [key, entry] of Object.entries(value)) {
      // Absent optional fields are `undefined` in objects built in code; JSON.stringify drops them too.
      if (entry === undefined) continue;
      const read = readJsonValue(entry);
      if (read === undefined) return undefined;
      object[key] = read;
    }
    return object;
  }
  return undefined;
}

/** A stored response as the JSON the state store holds (optional fields left out, not set to null). */
export function encodeStoredResponse(record: StoredResponse): JsonObject {
  const value: JsonObject = {
    kind: "response",
    id: record.id,
    owner: record.owner,
    model: record.model,
    createdAt: record.createdAt,
    status: record.status,
    input: record.input,
    output: record.output,
  };
  if (record.target !== undefined) value["target"] = encodeTarget(record.target);
  if (record.usage !== undefined) value["usage"] = record.usage;
  if (record.previousResponseId !== undefined) value["previousResponseId"] = record.previousResponseId;
  if (record.background !== undefined) value["background"] = record.background;
  if (record.error !== undefined) value["error"] = record.error;
  if (record.fields !== undefined) value["fields"] = record.fields;
  return value;
}

/** The size-cap marker as stored JSON. */
export function encodeRefusedResponse(refused: RefusedResponse): JsonObject {
  return { kind: "refused", id: refused.id, owner: refused.owner, reason: refused.reason };
}

/** What a key of the response store holds, read back. */
export type DecodedStoreEntry = { kind: "response"; record: StoredResponse } | { kind: "refused"; refused: RefusedResponse };

/**
 * Reads a stored value back. Anything malformed (a snapshot from another version, a hand-edited file) reads as
 * absent rather than failing the request: the client then gets the same 404 as for an expired response.
 */
export function decodeStoreEntry(value: JsonValue | undefined): DecodedStoreEntry | undefined {
  if (!isJsonObject(value)) return undefined;
  const { id, owner } = value;
  if (typeof id !== "string" || typeof owner !== "string") return undefined;
  if (value["kind"] === "refused") {
    const reason = value["reason"];
    return typeof reason === "string" ? { kind: "refused", refused: { id, owner, reason } } : undefined;
  }
  if (value["kind"] !== "response") return undefined;
  const { model, createdAt, status, input, output } = value;
  if (typeof model !== "string" || typeof createdAt !== "number" || !isResponseStatus(status)) return undefined;
  if (!isObjectList(input) || !isObjectList(output)) return undefined;
  const record: StoredResponse = { id, owner, model, createdAt, status, input, output };
  const target = decodeTarget(value["target"]);
  if (target !== undefined) record.target = target;
  if (isJsonObject(value["usage"])) record.usage = value["usage"];
  if (typeof value["previousResponseId"] === "string") record.previousResponseId = value["previousResponseId"];
  if (typeof value["background"] === "boolean") record.background = value["background"];
  if (isJsonObject(value["error"])) record.error = value["error"];
  if (isJsonObject(value["fields"])) record.fields = value["fields"];
  return { kind: "response", record };
}

function encodeTarget(target: ResponseTarget): JsonObject {
  const value: JsonObject = { provider: target.provider, protocol: target.protocol, upstreamHoldsState: target.upstreamHoldsState };
  if (target.credentialId !== undefined) value["credentialId"] = target.credentialId;
  if (target.upstreamResponseId !== undefined) value["upstreamResponseId"] = target.upstreamResponseId;
  return value;
}

function decodeTarget(value: JsonValue | undefined): ResponseTarget | undefined {
  if (!isJsonObject(value)) return undefined;
  const { provider, protocol, upstreamHoldsState } = value;
  if (typeof provider !== "string" || typeof protocol !== "string" || !isProtocolId(protocol) || typeof upstreamHoldsState !== "boolean") return undefined;
  const target: ResponseTarget = { provider, protocol, upstreamHoldsState };
  if (typeof value["credentialId"] === "string") target.credentialId = value["credentialId"];
  if (typeof value["upstreamResponseId"] === "string") target.upstreamResponseId = value["upstreamResponseId"];
  return target;
}

function isResponseStatus(value: JsonValue | undefined): value is ResponseStatus {
  return typeof value === "string" && (responseStatuses as readonly string[]).includes(value);
}

function isObjectList(value: JsonValue | undefined): value is JsonObject[] {
  return Array.isArray(value) && value.every(isJsonObject);
}
