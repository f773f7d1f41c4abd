import type { Extensions } from "../../unified/index.js";
import { chatMarkerNames, openAiChatProtocol, type ChatWireObject } from "./types.js";

/** The codec's own record (unknown wire fields plus markers) inside an object's extensions, if any. */
export function readChatExtensions(extensions: Extensions | undefined): Record<string, unknown> | undefined {
  return extensions?.[openAiChatProtocol];
}

/**
 * Extensions holding unknown wire fields and codec markers, or undefined when there is nothing to keep (so decoded
 * objects stay small). Unknown fields are stored under their wire names so the encoder can put them back verbatim.
 */
export function convertToChatExtensions(
  unknownFields: Record<string, unknown> | undefined,
  markers?: Record<string, unknown>,
): Extensions | undefined {
  if (unknownFields === undefined && markers === undefined) return undefined;
  if (markers === undefined) return { [openAiChatProtocol]: unknownFields };
  return { [openAiChatProtocol]: unknownFields === undefined ? markers : { ...unknownFields, ...markers } };
}

/** Writes the unknown wire fields kept in `record` onto `target`, skipping the codec's markers. */
export function writeChatUnknownFields(target: ChatWireObject, record: Record<string, unknown> | undefined): void {
  if (record === undefined) return;
  for (const key in record) {
    if (!chatMarkerNames.has(key)) target[key] = record[key];
  }
}

/** Adds one marker to a markers record being built (creating it on first use). */
export function addChatMarker(
  markers: Record<string, unknown> | undefined,
  name: string,
  value: unknown,
): Record<string, unknown> {
  const record = markers ?? {};
  record[name] = value;
  return record;
}
