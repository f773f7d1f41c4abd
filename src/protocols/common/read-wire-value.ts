import { invalidRequest } from "../../unified/index.js";

/**
 * Boundary readers for client request bodies: each checks one value's structure and throws `invalid_request`
 * naming the JSON path. They read what they are asked for and never walk the rest, so unknown fields cost nothing.
 */
export type WireObject = Record<string, unknown>;

/** Child path helpers: `joinPath("messages", 3)` → `messages[3]`, `joinPath("a", "b")` → `a.b`. */
export function joinPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  return parent === "" ? key : `${parent}.${key}`;
}

/** True for a plain JSON object. */
export function isWireObject(value: unknown): value is WireObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value as an object, or `invalid_request`. */
export function expectObject(value: unknown, path: string): WireObject {
  if (!isWireObject(value)) throw invalidRequest(path, `expected an object, got ${describeJsonType(value)}`);
  return value;
}

/** The value as an array, or `invalid_request`. */
export function expectArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw invalidRequest(path, `expected an array, got ${describeJsonType(value)}`);
  return value;
}

/** The value as a string, or `invalid_request`. */
export function expectString(value: unknown, path: string): string {
  if (typeof value !== "string") throw invalidRequest(path, `expected a string, got ${describeJsonType(value)}`);
  return value;
}

/** A string field that may be absent (undefined or null). */
export function optionalString(object: WireObject, key: string, path: string): string | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  return expectString(value, joinPath(path, key));
}

/** A number field that may be absent (undefined or null). */
export function optionalNumber(object: WireObject, key: string, path: string): number | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw invalidRequest(joinPath(path, key), `expected a number, got ${describeJsonType(value)}`);
  }
  return value;
}

/** A boolean field that may be absent (undefined or null). */
export function optionalBoolean(object: WireObject, key: string, path: string): boolean | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw invalidRequest(joinPath(path, key), `expected a boolean, got ${describeJsonType(value)}`);
  return value;
}

/** An object field that may be absent (undefined or null). */
export function optionalObject(object: WireObject, key: string, path: string): WireObject | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  return expectObject(value, joinPath(path, key));
}

/** An array field that may be absent (undefined or null). */
export function optionalArray(object: WireObject, key: string, path: string): unknown[] | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  return expectArray(value, joinPath(path, key));
}

/** A required string field. */
export function requiredString(object: WireObject, key: string, path: string): string {
  const value = object[key];
  if (value === undefined || value === null) throw invalidRequest(joinPath(path, key), "is required");
  return expectString(value, joinPath(path, key));
}

/** The fields of `object` not in `known`, or undefined when there are none (they ride in `extensions`). */
export function collectUnknownFields(object: WireObject, known: ReadonlySet<string>): Record<string, unknown> | undefined {
  let unknown: Record<string, unknown> | undefined;
  for (const key in object) {
    if (known.has(key)) continue;
    unknown ??= {};
    unknown[key] = object[key];
  }
  return unknown;
}

/** A short JSON type name for error messages. */
export function describeJsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
