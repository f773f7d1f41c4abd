import { formatWirePath, type ConcretePath } from "../adapters/index.js";
import type { FieldCacheRuleDeclaration } from "../providers/index.js";
import type { JsonValue } from "../state/index.js";
import { readSiteKeys } from "./compute-field-cache-key.js";
import { selectsMany, selectWireFields, type SelectedField } from "./select-wire-fields.js";

/** One value read from a body: where, and the keys it is stored under (empty = the scope's single slot). */
export interface ExtractedFieldValue {
  path: string;
  keys: string[];
  value: JsonValue;
}

/**
 * Reads a rule's values from one body (an upstream request, or an upstream answer in its non-streamed wire shape).
 * Pure. Sites without a value, and keyed modes' sites without a key, give nothing: an empty value has nothing to
 * replay, and a value nobody could ask for again would only take room.
 */
export function extractFieldValues(rule: FieldCacheRuleDeclaration, body: unknown): ExtractedFieldValue[] {
  const sites: SelectedField[] = rule.extract.at === undefined ? [{ path: [], value: body }] : selectWireFields(body, rule.extract.at);
  const extracted: ExtractedFieldValue[] = [];
  const many = selectsMany(rule.extract.value);
  for (const site of sites) {
    const matches = selectWireFields(site.value, rule.extract.value);
    const found = collectValue(matches.map((match) => match.value), many);
    // Keyed modes may remember "none" for a site without a value (see `recordMissing`).
    const value = found ?? (rule.extract.recordMissing === true && rule.mode === "per_tool_call" ? null : undefined);
    if (value === undefined) continue;
    const path = formatWirePath([...site.path, ...(matches.length === 1 ? (matches[0] as SelectedField).path : [])] as ConcretePath);
    switch (rule.mode) {
      case "per_tool_call":
      case "last_assistant_turn": {
        const keys = readSiteKeys(site.value, rule.extract.keys ?? [], rule.mode === "per_tool_call");
        if (keys.length > 0) extracted.push({ path, keys, value });
        break;
      }
      case "last":
      case "all":
      case "last_user_turn":
        extracted.push({ path, keys: [], value });
        break;
      default: {
        const unreachable: never = rule.mode;
        throw new Error(`unknown field-cache mode ${String(unreachable)}`);
      }
    }
  }
  // One slot per scope: only the last site's value would survive anyway.
  if (rule.mode === "last" || rule.mode === "last_user_turn" || rule.mode === "last_assistant_turn") return extracted.slice(-1);
  return extracted;
}

/** The value of a site: a wildcard selector's matches as one array (in order), else the one match. */
function collectValue(values: unknown[], many: boolean): JsonValue | undefined {
  const kept = values.filter((value) => value !== undefined && value !== null && value !== "");
  if (kept.length === 0) return undefined;
  return (many ? kept : kept[0]) as JsonValue;
}
