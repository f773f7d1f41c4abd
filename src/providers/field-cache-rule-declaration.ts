import { z } from "zod";
import { protocolIds, type ProtocolId } from "../unified/index.js";

/**
 * Field-cache rules as plain data: the provider state that clients drop (signed thinking blocks, Gemini
 * `thoughtSignature`, DeepSeek / Kimi `reasoning_content`) is read from one answer by wire path and written back
 * into later requests to the same provider. They live here, beside the declarations that carry them; the engine
 * that runs them is `src/field-cache`.
 */

/**
 * How values are kept and which request sites receive them:
 * - `last`: one value per scope, the latest read; written at every matching site that lacks it.
 * - `all`: every value read, oldest first (bounded by `maxEntries` and `maxTotalBytes`), written as one array.
 * - `last_user_turn`: one value per scope; written only at the last matching site (the last user turn).
 * - `last_assistant_turn`: values keyed by the fingerprint (`keys`) of the assistant turn they came from; written
 *   only at the last matching site (the last assistant turn), and only when its fingerprint is that turn's.
 * - `per_tool_call`: values keyed by tool-call id (or by the call itself); written at every site whose keys match.
 */
export const fieldCacheModes = ["last", "all", "last_user_turn", "last_assistant_turn", "per_tool_call"] as const;
/** One of `fieldCacheModes`. */
export type FieldCacheMode = (typeof fieldCacheModes)[number];

/** Who shares a cached value, broadest first; every scope is also bounded by the provider. */
export const fieldCacheScopes = ["provider", "model", "credential", "proxy-key", "session"] as const;
/** One of `fieldCacheScopes`. */
export type FieldCacheScope = (typeof fieldCacheScopes)[number];

/** A condition on a relative path: the value there is one of a list, or the path is present / absent. */
export type FieldCacheCondition = readonly FieldCacheJson[] | { readonly present: boolean };

/** JSON data as rules and cached values carry it. */
export type FieldCacheJson = null | boolean | number | string | readonly FieldCacheJson[] | { readonly [key: string]: FieldCacheJson };

/** Locations in a wire body: a wire path (keys, indexes incl. `-1`, `*`) whose matches pass every `where`. */
export interface FieldCacheSelector {
  readonly path: string;
  /** Relative path (from each match) → condition; all must hold. */
  readonly where?: Readonly<Record<string, FieldCacheCondition>>;
  /** Relative path read from each passing match (the match itself when absent): `id` of a `tool_use` block. */
  readonly pick?: string;
}

/** Where values are read: sites, the value at each site, the keys that identify it later. */
export interface FieldCacheExtract {
  /** The sites (a turn, a part); absent = the body itself. */
  readonly at?: FieldCacheSelector;
  /** Relative to a site; several matches are kept together as one array, one match as itself. */
  readonly value: FieldCacheSelector;
  /**
   * Relative to a site. `per_tool_call`: with one selector each match is a key (`tool_calls[*].id`); with several,
   * all matches together make one key (Gemini: `functionCall.name` + `functionCall.args`). `last_assistant_turn`:
   * all matches make the turn's fingerprint (its visible text), so a value only returns to the turn it came from.
   */
  readonly keys?: readonly FieldCacheSelector[];
  /**
   * Keyed modes: a site with keys but no value is remembered as "none" under its keys, replacing an older value of
   * an identical key (the same Gemini call answered again, unsigned), which is then neither replayed nor replaced
   * by the fallback.
   */
  readonly recordMissing?: boolean;
}

/** Where values are written in a later request. */
export interface FieldCacheInject {
  /** The candidate sites (e.g. `messages[*]` with `role: ["assistant"]`). */
  readonly at: FieldCacheSelector;
  /** Relative to a site, read the same way as the extract side's keys. */
  readonly keys?: readonly FieldCacheSelector[];
  /** Relative path written at the site. */
  readonly field: string;
  /** `set`: write the value at `field` when absent; `prepend`: insert the cached array at the start of the array at `field`. */
  readonly how: "set" | "prepend";
  /** Relative selectors: when any matches at a site, the client kept the state and nothing is written there. */
  readonly unless?: readonly FieldCacheSelector[];
  /** Written when nothing is cached for a site (Gemini's documented skip sentinel); only the first such site of a turn. */
  readonly fallback?: FieldCacheJson;
  /** Model globs the fallback is limited to (where the provider validates); absent = every model of the rule. */
  readonly fallbackModels?: readonly string[];
}

/** One field-cache rule. */
export interface FieldCacheRuleDeclaration {
  /** Stable name: overrides in switchyard.json and the trace refer to it. */
  readonly name: string;
  /** The upstream protocol the paths are written for; the rule runs only on targets speaking it. */
  readonly protocol: ProtocolId;
  /** Model glob (`*kimi*`); absent = every model. */
  readonly models?: string;
  /** Read from the upstream request as sent or from the upstream answer (streamed answers are assembled first). */
  readonly from: "request" | "response";
  readonly mode: FieldCacheMode;
  readonly scope: FieldCacheScope;
  readonly extract: FieldCacheExtract;
  readonly inject: FieldCacheInject;
  /** How long a value lives. */
  readonly ttlMs: number;
  /** A value whose JSON is longer is not cached (and the trace says so). */
  readonly maxValueBytes: number;
  /** Bound on the bytes of all this rule's values; the least recently used go first. */
  readonly maxTotalBytes: number;
  /** Bound on the number of this rule's entries; the least recently used go first. */
  readonly maxEntries: number;
  /** Default true; provider-declared rules cannot be switched off by config. */
  readonly enabled?: boolean;
}

const jsonSchema: z.ZodType<FieldCacheJson> = z.lazy(() => z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(jsonSchema), z.record(z.string(), jsonSchema)]));
const conditionSchema = z.union([z.array(jsonSchema), z.strictObject({ present: z.boolean() })]);
const selectorSchema = z.strictObject({ path: z.string().min(1), where: z.record(z.string().min(1), conditionSchema).optional(), pick: z.string().min(1).optional() });
const positive = z.number().int().positive();

/** The zod schema of one rule (declarations at startup, switchyard.json at config load). */
export const fieldCacheRuleSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, { message: "expected lower-case letters, digits, '.', '_' or '-'" }),
  protocol: z.enum(protocolIds),
  models: z.string().min(1).optional(),
  from: z.enum(["request", "response"]),
  mode: z.enum(fieldCacheModes),
  scope: z.enum(fieldCacheScopes),
  extract: z.strictObject({ at: selectorSchema.optional(), value: selectorSchema, keys: z.array(selectorSchema).min(1).optional(), recordMissing: z.boolean().optional() }),
  inject: z.strictObject({
    at: selectorSchema,
    keys: z.array(selectorSchema).min(1).optional(),
    field: z.string().min(1),
    how: z.enum(["set", "prepend"]),
    unless: z.array(selectorSchema).optional(),
    fallback: jsonSchema.optional(),
    fallbackModels: z.array(z.string().min(1)).min(1).optional(),
  }),
  ttlMs: positive,
  maxValueBytes: positive,
  maxTotalBytes: positive,
  maxEntries: positive,
  enabled: z.boolean().optional(),
}).superRefine((rule, context) => {
  const keyed = rule.mode === "per_tool_call" || rule.mode === "last_assistant_turn";
  if (keyed && (rule.extract.keys === undefined || rule.inject.keys === undefined)) {
    context.addIssue({ code: "custom", path: ["mode"], message: `${rule.mode} needs extract.keys and inject.keys` });
  }
  if (!keyed && (rule.extract.keys !== undefined || rule.inject.keys !== undefined)) {
    context.addIssue({ code: "custom", path: ["mode"], message: `${rule.mode} takes no keys` });
  }
});
