import { parseWirePath, type ConcretePath, type PathSegment } from "../adapters/index.js";
import type { FieldCacheCondition, FieldCacheSelector } from "../providers/index.js";

/** One location a selector matched: where it is and what is there (after `pick`). */
export interface SelectedField {
  path: ConcretePath;
  value: unknown;
}

/** Whether a selector can match more than one location (a `*` anywhere in its path). */
export function selectsMany(selector: FieldCacheSelector): boolean {
  return parseWirePath(selector.path).some((segment) => segment.wildcard);
}

/**
 * Every location under `root` the selector matches whose `where` conditions all hold, in document order. The walk
 * is the wire-path engine's semantics (keys, indexes incl. negative, `*` over items and values) without building a
 * path per visited node: this runs on every request to a provider with rules, mostly to find that nothing is needed.
 */
export function selectWireFields(root: unknown, selector: FieldCacheSelector): SelectedField[] {
  const selected: SelectedField[] = [];
  visitSelector(root, selector, (value, path) => {
    selected.push({ path: [...path], value });
    return false;
  });
  return selected;
}

/** Whether any selector matches under `root` (stops at the first match). */
export function anySelected(root: unknown, selectors: readonly FieldCacheSelector[] | undefined): boolean {
  if (selectors === undefined) return false;
  return selectors.some((selector) => visitSelector(root, selector, () => true));
}

/** Calls `visit` for each match (path valid only during the call); true from `visit` stops the walk. */
function visitSelector(root: unknown, selector: FieldCacheSelector, visit: (value: unknown, path: readonly (string | number)[]) => boolean): boolean {
  const segments = parseWirePath(selector.path);
  const pick = selector.pick === undefined ? undefined : parseWirePath(selector.pick);
  const stack: (string | number)[] = [];
  return walk(root, segments, 0, stack, (match) => {
    if (!matchesConditions(match, selector.where)) return false;
    if (pick === undefined) return visit(match, stack);
    return walk(match, pick, 0, stack, (picked) => visit(picked, stack));
  });
}

function walk(value: unknown, segments: readonly PathSegment[], depth: number, stack: (string | number)[], visit: (value: unknown) => boolean): boolean {
  if (depth === segments.length) return visit(value);
  const segment = segments[depth] as PathSegment;
  if (Array.isArray(value)) {
    if (segment.wildcard) {
      for (let position = 0; position < value.length; position += 1) {
        stack.push(position);
        const stop = walk(value[position], segments, depth + 1, stack, visit);
        stack.pop();
        if (stop) return true;
      }
      return false;
    }
    const position = arrayIndex(segment.key, value.length);
    if (position === undefined) return false;
    stack.push(position);
    const stop = walk(value[position], segments, depth + 1, stack, visit);
    stack.pop();
    return stop;
  }
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  if (segment.wildcard) {
    for (const key of Object.keys(record)) {
      stack.push(key);
      const stop = walk(record[key], segments, depth + 1, stack, visit);
      stack.pop();
      if (stop) return true;
    }
    return false;
  }
  if (!Object.hasOwn(record, segment.key)) return false;
  stack.push(segment.key);
  const stop = walk(record[segment.key], segments, depth + 1, stack, visit);
  stack.pop();
  return stop;
}

function arrayIndex(key: string, length: number): number | undefined {
  const raw = Number(key);
  if (!Number.isInteger(raw) || key === "") return undefined;
  const resolved = raw < 0 ? length + raw : raw;
  return resolved >= 0 && resolved < length ? resolved : undefined;
}

function matchesConditions(match: unknown, where: Readonly<Record<string, FieldCacheCondition>> | undefined): boolean {
  if (where === undefined) return true;
  for (const path in where) {
    const condition = where[path] as FieldCacheCondition;
    const segments = parseWirePath(path);
    const scratch: (string | number)[] = [];
    const holds = isPresenceCondition(condition)
      ? walk(match, segments, 0, scratch, (found) => found !== null) === condition.present
      : walk(match, segments, 0, scratch, (found) => condition.includes(found as never));
    if (!holds) return false;
  }
  return true;
}

function isPresenceCondition(condition: FieldCacheCondition): condition is { readonly present: boolean } {
  return !Array.isArray(condition);
}
