import { z } from "zod";
import { unchanged, type AdapterChange, type WireBody } from "./adapter.js";
import { defineAdapterFactory } from "./adapter-registry.js";
import { formatWirePath, parseWirePath, removeAllWirePaths } from "./wire-path.js";
import type { UnifiedWarning } from "../unified/index.js";

/**
 * Known rejections, kept as presets so a provider declaration can say `{ preset: "codex" }`.
 * The Codex (ChatGPT) backend answers 400 to token limits, `temperature`, `top_p`, `metadata` and `stream_options`
 * (observed by the agent-framework seed's LiteLLM wrapper, not documented by OpenAI).
 * @see https://docs.anthropic.com/en/api/messages (no `stream_options`; OpenAI-style senders add it)
 */
export const paramPolicyPresets = {
  "anthropic-messages": { deny: ["stream_options"] },
  codex: { deny: ["max_output_tokens", "max_tokens", "max_completion_tokens", "temperature", "top_p", "metadata", "stream_options"] },
} as const satisfies Record<string, { deny: readonly string[] }>;

const options = z
  .strictObject({
    preset: z.enum(Object.keys(paramPolicyPresets) as [keyof typeof paramPolicyPresets, ...(keyof typeof paramPolicyPresets)[]]).optional(),
    /** Top-level fields the target accepts; any other top-level field is dropped. */
    allow: z.array(z.string().min(1)).optional(),
    /** Paths the target rejects (dotted keys, [n], [-1], *); added to the preset's. */
    deny: z.array(z.string().min(1)).optional(),
  })
  .refine((value) => value.preset !== undefined || value.allow !== undefined || value.deny !== undefined, { message: "set preset, allow or deny" });

/**
 * `param-policy`: per-target allow/deny of request fields. It runs last (phase `last`) so it sees fields other
 * adapters added, and every dropped field becomes a `param-dropped` warning: a silent drop would look like the
 * provider ignoring the parameter.
 */
export const paramPolicyAdapter = defineAdapterFactory({
  name: "param-policy",
  description: "Drop request fields a target rejects (allow list of top-level fields, deny list of paths); runs last.",
  options,
  create: ({ preset, allow, deny }) => {
    const denied = [...(preset === undefined ? [] : paramPolicyPresets[preset].deny), ...(deny ?? [])];
    for (const path of denied) parseWirePath(path); // malformed paths fail at config time, not on the first request
    const allowed = allow === undefined ? undefined : new Set(allow);
    // A deny list can only act when the body names a denied key; an allow list may act on any body.
    const triggers = allowed === undefined ? denied.map((path) => `"${lastKey(path)}"`) : undefined;
    return {
      name: "param-policy",
      phase: "last",
      ...(triggers === undefined ? {} : { passthroughTriggers: triggers }),
      request(body) {
        let value: WireBody = body;
        const changes: AdapterChange[] = [];
        const warnings: UnifiedWarning[] = [];
        const drop = (path: string, reason: string): void => {
          changes.push({ path, action: "removed", detail: reason });
          warnings.push({ code: "param-dropped", message: `${path} dropped: ${reason}`, path });
        };
        if (allowed !== undefined) {
          const kept: WireBody = {};
          for (const [key, field] of Object.entries(value)) {
            if (allowed.has(key)) kept[key] = field;
            else drop(key, "not in the target's allow list");
          }
          if (changes.length > 0) value = kept;
        }
        for (const path of denied) {
          const result = removeAllWirePaths(value, path);
          value = result.value;
          for (const removed of result.removed) drop(formatWirePath(removed), "rejected by the target");
        }
        return changes.length === 0 ? unchanged(body) : { value, changes, warnings };
      },
    };
  },
});

/** The last named key of a path (`tools[*].cache_control` → `cache_control`), which a matching body text must contain. */
function lastKey(path: string): string {
  const named = parseWirePath(path).filter((segment) => !segment.wildcard && !/^-?\d+$/.test(segment.key));
  return named.at(-1)?.key ?? "";
}
