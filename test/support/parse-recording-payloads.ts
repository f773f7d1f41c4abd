import type { SseMessage } from "../../src/unified/index.js";

/** A JSON object as read from a recording. */
export type RecordedObject = Record<string, unknown>;

/** The JSON payloads of a recording's data lines; `[DONE]` and non-object payloads are skipped. */
export function parseRecordingPayloads(messages: readonly SseMessage[]): RecordedObject[] {
  const payloads: RecordedObject[] = [];
  for (const message of messages) {
    const data = message.data.trim();
    if (data === "" || data === "[DONE]") continue;
    const parsed = JSON.parse(data) as unknown;
    if (isRecordedObject(parsed)) payloads.push(parsed);
  }
  return payloads;
}

/** True for a plain JSON object. */
export function isRecordedObject(value: unknown): value is RecordedObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A nested object field, or an empty object (recordings are trusted, but fields may be absent or null). */
export function objectAt(value: unknown, key: string): RecordedObject {
  if (!isRecordedObject(value)) return {};
  const field = value[key];
  return isRecordedObject(field) ? field : {};
}

/** A string field or undefined. */
export function stringAt(value: unknown, key: string): string | undefined {
  if (!isRecordedObject(value)) return undefined;
  const field = value[key];
  return typeof field === "string" ? field : undefined;
}

/** A number field or undefined. */
export function numberAt(value: unknown, key: string): number | undefined {
  if (!isRecordedObject(value)) return undefined;
  const field = value[key];
  return typeof field === "number" ? field : undefined;
}

/** An array field of objects (non-objects dropped), or an empty array. */
export function objectsAt(value: unknown, key: string): RecordedObject[] {
  if (!isRecordedObject(value)) return [];
  const field = value[key];
  return Array.isArray(field) ? field.filter(isRecordedObject) : [];
}

/**
 * The gateway error code an in-band provider error maps to, per the codec brief: overloaded for
 * overloaded_error / server_is_overloaded / UNAVAILABLE, rate_limited, quota_exhausted for insufficient_quota,
 * else upstream_server.
 */
export function expectedInBandErrorCode(type: string | undefined): "overloaded" | "rate_limited" | "quota_exhausted" | "upstream_server" {
  switch (type) {
    case "overloaded_error":
    case "server_is_overloaded":
    case "UNAVAILABLE":
      return "overloaded";
    case "rate_limit_error":
    case "rate_limit_exceeded":
    case "RESOURCE_EXHAUSTED":
      return "rate_limited";
    case "insufficient_quota":
      return "quota_exhausted";
    default:
      return "upstream_server";
  }
}
