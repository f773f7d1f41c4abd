import { GatewayError } from "../unified/index.js";

/**
 * Paths into wire bodies, as written in config: dotted keys (`generationConfig.topK`), array indexes in either form
 * (`messages.0`, `messages[0]`), negative indexes from the end (`messages[-1]`), wildcards over array items or object
 * values (`tools[*].name`, `messages.*.role`), and quoted keys for names with dots (`metadata["a.b"]`). The
 * field cache uses the same syntax, so it lives here behind the module's index.
 */
export interface PathSegment {
  key: string;
  wildcard: boolean;
}

/** A path resolved against one body: object keys and non-negative array indexes. */
export type ConcretePath = readonly (string | number)[];

const parsedPaths = new Map<string, PathSegment[]>();
const maxParsedPaths = 1_000;

/** Parses a path; a malformed one is a `config` error naming it (paths come from config). */
export function parseWirePath(path: string): PathSegment[] {
  const cached = parsedPaths.get(path);
  if (cached !== undefined) return cached;
  const segments: PathSegment[] = [];
  let index = 0;
  const fail = (reason: string): never => {
    throw new GatewayError("config", `invalid path "${path}": ${reason}`);
  };
  if (path === "") fail("empty");
  while (index < path.length) {
    const character = path[index];
    if (character === "[") {
      const close = path.indexOf("]", index);
      if (close < 0) fail("unclosed [");
      const inner = path.slice(index + 1, close);
      if (inner.startsWith('"') && inner.endsWith('"') && inner.length >= 2) segments.push({ key: inner.slice(1, -1), wildcard: false });
      else if (inner === "*") segments.push({ key: "*", wildcard: true });
      else if (/^-?\d+$/.test(inner)) segments.push({ key: inner, wildcard: false });
      else fail(`"[${inner}]" is not an index, * or a quoted key`);
      index = close + 1;
      if (path[index] === ".") index += 1;
      continue;
    }
    let end = index;
    while (end < path.length && path[end] !== "." && path[end] !== "[") end += 1;
    const key = path.slice(index, end);
    if (key === "") fail(`empty key at ${index}`);
    segments.push({ key, wildcard: key === "*" });
    index = path[end] === "." ? end + 1 : end;
    if (path[end] === "." && index === path.length) fail("trailing dot");
  }
  if (parsedPaths.size >= maxParsedPaths) parsedPaths.clear();
  parsedPaths.set(path, segments);
  return segments;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An array index from a segment key (negative counts from the end), or undefined when out of range. */
function arrayIndex(key: string, length: number): number | undefined {
  if (!/^-?\d+$/.test(key)) return undefined;
  const raw = Number(key);
  const resolved = raw < 0 ? length + raw : raw;
  return resolved >= 0 && resolved < length ? resolved : undefined;
}

/** Every existing location the path matches, in document order. */
export function findWirePaths(root: unknown, path: string | readonly PathSegment[]): ConcretePath[] {
  const segments = typeof path === "string" ? parseWirePath(path) : path;
  const found: ConcretePath[] = [];
  const walk = (value: unknown, depth: number, prefix: (string | number)[]): void => {
    if (depth === segments.length) {
      found.push(prefix);
      return;
    }
    const segment = segments[depth] as PathSegment;
    if (Array.isArray(value)) {
      if (segment.wildcard) value.forEach((item, position) => walk(item, depth + 1, [...prefix, position]));
      else {
        const position = arrayIndex(segment.key, value.length);
        if (position !== undefined) walk(value[position], depth + 1, [...prefix, position]);
      }
    } else if (isRecord(value)) {
      if (segment.wildcard) for (const key of Object.keys(value)) walk(value[key], depth + 1, [...prefix, key]);
      else if (Object.hasOwn(value, segment.key)) walk(value[segment.key], depth + 1, [...prefix, segment.key]);
    }
  };
  walk(root, 0, []);
  return found;
}

/** The concrete path as the trace and warnings show it: `messages[2].content`. */
export function formatWirePath(path: ConcretePath): string {
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) text += text === "" ? part : `.${part}`;
    else text += `["${part}"]`;
  }
  return text;
}

/** The value at a concrete path, or undefined. */
export function readWirePath(root: unknown, path: ConcretePath): unknown {
  let value = root;
  for (const part of path) {
    if (typeof part === "number") value = Array.isArray(value) ? value[part] : undefined;
    else value = isRecord(value) ? value[part] : undefined;
    if (value === undefined) return undefined;
  }
  return value;
}

/**
 * A copy of `root` with `value` at `path`, copying only the containers on the way (structural sharing). Missing
 * containers are created: an array where the next part is a number, else an object.
 */
export function writeWirePath<T>(root: T, path: ConcretePath, value: unknown): T {
  if (path.length === 0) return value as T;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (typeof head === "number" && Array.isArray(root)) {
    const copy = [...root];
    copy[head] = writeWirePath(root[head], rest, value);
    return copy as T;
  }
  const base: Record<string, unknown> = isRecord(root) ? { ...root } : {};
  const key = String(head);
  const child = base[key] ?? (typeof rest[0] === "number" ? [] : {});
  base[key] = writeWirePath(child, rest, value);
  return base as T;
}

/** A copy of `root` without the value at `path` (array items are spliced out); `root` itself when absent. */
export function removeWirePath<T>(root: T, path: ConcretePath): T {
  if (path.length === 0) return root;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (Array.isArray(root) && typeof head === "number") {
    if (head >= root.length) return root;
    if (rest.length === 0) return [...root.slice(0, head), ...root.slice(head + 1)] as T;
    const child = removeWirePath(root[head], rest);
    if (child === root[head]) return root;
    const copy = [...root];
    copy[head] = child;
    return copy as T;
  }
  if (!isRecord(root) || !Object.hasOwn(root, String(head))) return root;
  const key = String(head);
  if (rest.length === 0) {
    const { [key]: _removed, ...kept } = root;
    return kept as T;
  }
  const child = removeWirePath(root[key], rest);
  return child === root[key] ? root : ({ ...root, [key]: child } as T);
}

/**
 * Removes every match of `path`, deepest and last first so earlier array indexes stay valid while splicing.
 * Returns the new root and the concrete paths removed (in document order).
 */
export function removeAllWirePaths<T>(root: T, path: string | readonly PathSegment[]): { value: T; removed: ConcretePath[] } {
  const removed = findWirePaths(root, path);
  let value = root;
  for (const concrete of [...removed].reverse()) value = removeWirePath(value, concrete);
  return { value, removed };
}
