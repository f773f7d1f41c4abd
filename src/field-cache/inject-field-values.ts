import { formatWirePath, readWirePath, writeWirePath, type ConcretePath } from "../adapters/index.js";
import type { FieldCacheRuleDeclaration } from "../providers/index.js";
import type { JsonValue } from "../state/index.js";
import { readSiteKeys } from "./compute-field-cache-key.js";
import { anySelected, selectWireFields } from "./select-wire-fields.js";

/** A request site that lacks the rule's field: where it is and the keys to look values up by. */
export interface InjectionSite {
  path: ConcretePath;
  keys: string[];
  /** Whether this site may take the rule's fallback (the first candidate of its container). */
  fallback: boolean;
}

/**
 * The sites of a request a rule could write to: candidates (`inject.at`) where the client did not keep the state
 * (the field is absent, no `unless` selector matches). `last_*_turn` modes consider only the last candidate. Pure,
 * and cheap when the client kept everything: nothing is looked up for sites that need nothing.
 */
export function findInjectionSites(rule: FieldCacheRuleDeclaration, body: unknown): InjectionSite[] {
  let candidates = selectWireFields(body, rule.inject.at);
  if (rule.mode === "last_assistant_turn" || rule.mode === "last_user_turn") candidates = candidates.slice(-1);
  const field = rule.inject.field;
  const sites: InjectionSite[] = [];
  const seenContainers = new Set<string>();
  for (const candidate of candidates) {
    const container = formatWirePath(candidate.path.slice(0, -1));
    const firstOfContainer = !seenContainers.has(container);
    seenContainers.add(container);
    if (anySelected(candidate.value, rule.inject.unless)) continue;
    const current = readWirePath(candidate.value, fieldPath(field));
    // The fallback already there (the Gemini codec writes the sentinel itself) counts as missing: a cached value replaces it.
    if (rule.inject.how === "set" && current !== undefined && current !== null && !isFallback(rule, current)) continue;
    if (rule.inject.how === "prepend" && !Array.isArray(current)) continue;
    const keys = rule.inject.keys === undefined ? [] : readSiteKeys(candidate.value, rule.inject.keys, rule.mode === "per_tool_call");
    if (rule.inject.keys !== undefined && keys.length === 0 && rule.inject.fallback === undefined) continue;
    sites.push({ path: candidate.path, keys, fallback: firstOfContainer && rule.inject.fallback !== undefined });
  }
  return sites;
}

/** `body` with `value` written at one site (structural sharing: only containers on the way are copied). */
export function writeInjection(rule: FieldCacheRuleDeclaration, body: unknown, site: InjectionSite, value: JsonValue): unknown {
  const target = [...site.path, ...fieldPath(rule.inject.field)];
  if (rule.inject.how === "set") return writeWirePath(body, target, value);
  const current = readWirePath(body, target);
  const items = Array.isArray(value) ? value : [value];
  return writeWirePath(body, target, [...items, ...(Array.isArray(current) ? current : [])]);
}

function isFallback(rule: FieldCacheRuleDeclaration, value: unknown): boolean {
  const fallback = rule.inject.fallback;
  return fallback !== undefined && JSON.stringify(fallback) === JSON.stringify(value);
}

/** The relative field as a concrete path (fields are plain keys and indexes, no wildcards). */
function fieldPath(field: string): ConcretePath {
  return field.split(".").map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}
