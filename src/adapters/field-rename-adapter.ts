import { z } from "zod";
import { unchanged, type AdapterChange, type AdapterPass, type WireBody } from "./adapter.js";
import { defineAdapterFactory } from "./adapter-registry.js";
import { findWirePaths, formatWirePath, parseWirePath, readWirePath, removeWirePath, writeWirePath } from "./wire-path.js";

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

/** Applies one rename to a body; every match of `from` is handled, wildcards bound positionally into `to`. */
function applyRename(body: WireBody, rename: Rename, changes: AdapterChange[]): WireBody {
  const toSegments = parseWirePath(rename.to);
  const fromSegments = parseWirePath(rename.from);
  const wildcardPositions = fromSegments.flatMap((segment, position) => (segment.wildcard ? [position] : []));
  let value = body;
  const made: AdapterChange[] = [];
  const matches = findWirePaths(body, fromSegments);
  // Moves splice array items, so later matches are handled first to keep earlier indexes valid.
  for (const source of [...matches].reverse()) {
    let bound = 0;
    const target = toSegments.map((segment) => {
      if (!segment.wildcard) return /^\d+$/.test(segment.key) ? Number(segment.key) : segment.key;
      const position = wildcardPositions[bound++];
      return position === undefined ? segment.key : (source[position] ?? segment.key);
    });
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
      let value = body;
      for (const rename of renames) value = applyRename(value, rename, changes);
      return changes.length === 0 ? unchanged(body) : { value, changes, warnings: [] };
    };
    return { name: "field-rename", phase: "normal", ...(side === "request" ? { request: run } : { response: run }) };
  },
});
