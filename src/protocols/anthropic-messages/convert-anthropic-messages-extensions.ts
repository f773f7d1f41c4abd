import type { Extensions } from "../../unified/index.js";
import type { WireObject } from "../common/index.js";
import { anthropicMessagesProtocol } from "./types.js";

/** The codec's own slice of an `extensions` record. */
export function ownExtensions(extensions: Extensions | undefined): Record<string, unknown> | undefined {
  return extensions?.[anthropicMessagesProtocol];
}

/** Wraps wire fields as an `extensions` record, or undefined when there are none. */
export function toExtensions(fields: Record<string, unknown> | undefined): Extensions | undefined {
  return fields === undefined ? undefined : { [anthropicMessagesProtocol]: fields };
}

/**
 * The fields of `object` not in `known`, plus known fields that are `null` (so `"citations": null` survives a
 * round trip: the encoder spreads these first and known fields override them only when they have a value).
 */
export function collectExtraFields(object: WireObject, known: ReadonlySet<string>): Record<string, unknown> | undefined {
  let extra: Record<string, unknown> | undefined;
  for (const key in object) {
    const value = object[key];
    if (known.has(key) && value !== null) continue;
    extra ??= {};
    extra[key] = value;
  }
  return extra;
}

/** Copies the wire fields of an extension record onto `target` (shape markers starting with `$` stay behind). */
export function spreadExtraFields(target: WireObject, fields: Record<string, unknown> | undefined): void {
  if (fields === undefined) return;
  for (const key in fields) {
    if (key.charCodeAt(0) === 36 /* $ */) continue;
    target[key] = fields[key];
  }
}
