import { parseWirePath } from "../adapters/index.js";
import type { FieldCacheRuleDeclaration, FieldCacheSelector } from "../providers/index.js";

/**
 * Quoted literals of which one must occur in an answer text for any of the response rules to read a value from it;
 * undefined when some rule could read from any text. Lets a passthrough answer skip JSON.parse when no rule can
 * apply (the common answer: no thinking blocks, no `reasoning_content`).
 *
 * A rule reads nothing unless its selectors match, so each rule contributes what its match needs: the values one of
 * its `where` lists names (`"thinking"`, `"redacted_thinking"`), else a key its path walks through. The `value`
 * selector counts only when a site without a value gives nothing (not `recordMissing`).
 */
export function computeResponseTriggers(rules: readonly FieldCacheRuleDeclaration[]): readonly string[] | undefined {
  const triggers = new Set<string>();
  for (const rule of rules) {
    if (rule.from !== "response") continue;
    // The value's path ends deeper than the site's, so it is the more telling one.
    const selectors = [rule.extract.recordMissing === true ? undefined : rule.extract.value, rule.extract.at].filter((selector) => selector !== undefined);
    const needed = selectors.map(whereTriggers).find((found) => found !== undefined) ?? selectors.map((selector) => pathTrigger(selector.path)).find((found) => found !== undefined);
    if (needed === undefined) return undefined;
    for (const trigger of needed) triggers.add(trigger);
  }
  return [...triggers];
}

/**
 * Whether an answer text may hold a value for the rules `triggers` came from. A text with escapes that could spell a
 * trigger's characters another way (`\u0074hinking`, `\/`) is always read.
 */
export function mayHoldResponseValues(triggers: readonly string[] | undefined, text: string): boolean {
  if (triggers === undefined || text.includes("\\u") || text.includes("\\/")) return true;
  for (const trigger of triggers) if (text.includes(trigger)) return true;
  return false;
}

/**
 * What the selector's first usable `where` condition needs, quoted: one of the strings of a list, or the key of a
 * path that must be present; undefined when it has no such condition.
 */
function whereTriggers(selector: FieldCacheSelector): string[] | undefined {
  for (const path in selector.where ?? {}) {
    const condition = selector.where?.[path];
    if (condition === undefined) continue;
    if (!Array.isArray(condition)) {
      const key = (condition as { readonly present: boolean }).present ? pathTrigger(path) : undefined;
      if (key !== undefined) return key;
      continue;
    }
    if (condition.length > 0 && condition.every((value) => typeof value === "string")) return condition.map((value) => JSON.stringify(value));
  }
  return undefined;
}

/** The last plain key of a path, quoted (an index or `*` could match anything); undefined when it has none. */
function pathTrigger(path: string): string[] | undefined {
  const keys = parseWirePath(path).filter((segment) => !segment.wildcard && !/^-?\d+$/.test(segment.key));
  const last = keys[keys.length - 1];
  return last === undefined ? undefined : [JSON.stringify(last.key)];
}
