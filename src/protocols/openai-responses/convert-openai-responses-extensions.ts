import type { Extensions } from "../../unified/index.js";
import { isWireObject, type WireObject } from "../common/index.js";
import { responsesProtocol, wireShapeKey, type ResponsesWireShape } from "./types.js";

/**
 * Wire leftovers ↔ `extensions["openai-responses"]`. A leftover is a field the unified form does not hold: unknown
 * fields, and known fields whose wire value was `null` (so `null` vs absent survives a same-protocol round trip).
 */

/** The fields of `object` that are not consumed, plus consumed fields whose value is null. */
export function collectLeftovers(object: WireObject, consumed: ReadonlySet<string>): WireObject | undefined {
  let leftovers: WireObject | undefined;
  for (const key in object) {
    const value = object[key];
    if (consumed.has(key) && value !== null) continue;
    leftovers ??= {};
    leftovers[key] = value;
  }
  return leftovers;
}

/** Adds one field to a leftovers record, creating it when needed. */
export function addLeftover(leftovers: WireObject | undefined, key: string, value: unknown): WireObject {
  const target = leftovers ?? {};
  target[key] = value;
  return target;
}

/** Builds `extensions` from wire leftovers and markers; undefined when there is nothing to keep. */
export function makeResponsesExtensions(leftovers: WireObject | undefined, shape?: ResponsesWireShape): Extensions | undefined {
  const hasShape = shape !== undefined && Object.keys(shape).length > 0;
  if (leftovers === undefined && !hasShape) return undefined;
  const record: WireObject = leftovers ?? {};
  if (hasShape) record[wireShapeKey] = shape;
  return { [responsesProtocol]: record };
}

/** The markers recorded on an object, if any. */
export function readWireShape(extensions: Extensions | undefined): ResponsesWireShape | undefined {
  const record = extensions?.[responsesProtocol];
  if (record === undefined) return undefined;
  const shape = record[wireShapeKey];
  return isWireObject(shape) ? (shape as ResponsesWireShape) : undefined;
}

/** Copies the recorded wire fields (not the markers) onto `target`. */
export function spreadWireFields(target: WireObject, extensions: Extensions | undefined): void {
  const record = extensions?.[responsesProtocol];
  if (record === undefined) return;
  for (const key in record) {
    if (key !== wireShapeKey) target[key] = record[key];
  }
}

/** One recorded wire field. */
export function readWireField(extensions: Extensions | undefined, key: string): unknown {
  return extensions?.[responsesProtocol]?.[key];
}
