import { z } from "zod";
import { unchanged, type AdapterChange, type AdapterPass, type WireBody } from "./adapter.js";
import { defineAdapterFactory } from "./adapter-registry.js";
import type { UnifiedWarning } from "../unified/index.js";
import { findWirePaths, formatWirePath, parseWirePath, readWirePath, removeWirePath, writeWirePath, type ConcretePath, type PathSegment } from "./wire-path.js";

const renameSchema = z.strictObject({
  from: z.string().min(1),
  /** Destination; `*` in `from` may appear in `to` at the same positions and takes the matched index or key. */
  to: z.string().min(1),
  mode: z.enum(["move", "copy"]).default("move"),
  /** Keep an existing destination value instead of overwriting it. */
  keepExisting: z.boolean().default(false),
});

const options = z.strictObject({
  /** Which side to edit: request bodies (default) or provider response bodies. */
  side: z.enum(["request", "response"]).default("request"),
  renames: z.array(renameSchema).min(1),
});

type Rename = z.output<typeof renameSchema>;

/**
 * The concrete destination of one match: wildcards take the match's index or key at the same position, and a
 * negative index counts from the end of the array found there (`messages[-1]`). Undefined when a negative index has
 * no array item to name: writing `"-1"` as a key would turn the array into an object.
 */
function resolveTarget(body: WireBody, toSegments: readonly PathSegment[], source: ConcretePath, wildcardPositions: readonly number[]): ConcretePath | undefined {
  const target: (string | number)[] = [];
  let bound = 0;
  for (const segment of toSegments) {
    if (segment.wildcard) {
      const position = wildcardPositions[bound++];
      target.push(position === undefined ? segment.key : (source[position] ?? segment.key));
    } else if (/^\d+$/.test(segment.key)) target.push(Number(segment.key));
    else if (/^-\d+$/.test(segment.key)) {
      const container = readWirePath(body, target);
      const position = Array.isArray(container) ? container.length + Number(segment.key) : -1;
      if (position < 0) return undefined;
      target.push(position);
    } else target.push(segment.key);
  }
  return target;
}

/** Applies one rename to a body; every match of `from` is handled, wildcards bound positionally into `to`. */
function applyRename(body: WireBody, rename: Rename, changes: AdapterChange[], warnings: UnifiedWarning[]): WireBody {
  const toSegments = parseWirePath(rename.to);
  const fromSegments = parseWirePath(rename.from);
  const wildcardPositions = fromSegments.flatMap((segment, position) => (segment.wildcard ? [position] : []));
  let value = body;
  const made: AdapterChange[] = [];
  const matches = findWirePaths(body, fromSegments);
  // Moves splice array items, so later matches are handled first to keep earlier indexes valid.
  for (const source of [...matches].reverse()) {
    const target = resolveTarget(value, toSegments, source, wildcardPositions);
    if (target === undefined) {
      warnings.push({ code: "field-rename-skipped", message: `${formatWirePath(source)}: destination ${rename.to} names no array item; left in place`, path: formatWirePath(source) });
      continue;
    }
    if (rename.keepExisting && readWirePath(value, target) !== undefined) continue;
    const moved = readWirePath(value, source);
    if (rename.mode === "move") value = removeWirePath(value, source);
    value = writeWirePath(value, target, moved);
    made.unshift({ path: formatWirePath(target), action: rename.mode === "move" ? "moved" : "copied", detail: `from ${formatWirePath(source)}` });
  }
  changes.push(...made);
  return value;
}

/**
 * `field-rename`: copies or moves values by path, for providers that spell a field their own way (e.g. an
 * OpenAI-compatible server that wants `max_tokens` rather than `max_completion_tokens`).
 */
export const fieldRenameAdapter = defineAdapterFactory({
  name: "field-rename",
  description: "Copy or move fields by path (dotted keys, [n], [-1], *).",
  options,
  create: ({ side, renames }) => {
    const run = (body: WireBody): AdapterPass<WireBody> => {
      const changes: AdapterChange[] = [];
      const warnings: UnifiedWarning[] = [];
      let value = body;
      for (const rename of renames) value = applyRename(value, rename, changes, warnings);
      return changes.length === 0 && warnings.length === 0 ? unchanged(body) : { value, changes, warnings };
    };
    return { name: "field-rename", phase: "normal", ...(side === "request" ? { request: run } : { response: run }) };
  },
});
