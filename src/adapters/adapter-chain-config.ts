import { z } from "zod";
import { matchModelPattern } from "../providers/index.js";
import type { Adapter } from "./adapter.js";
import type { AdapterReference, AdapterRegistry } from "./adapter-registry.js";

/** `"name"` or `{ name, options?, enabled? }`; `enabled: false` removes an earlier entry of that name (e.g. a provider default). */
export const adapterReferenceSchema = z.union([
  z.string().min(1),
  z.strictObject({ name: z.string().min(1), options: z.unknown().optional(), enabled: z.boolean().optional() }),
]);

/**
 * The `adapters` section of switchyard.json, exported for the config module:
 * `{ "providers": { "codex": ["param-policy"] }, "models": [{ "match": "minimax/*", "adapters": ["tool-args-repair"] }] }`.
 * Model rules match `provider/model` or the bare upstream model id, with `*` and `?` globs.
 */
export const adapterChainConfigSchema = z.strictObject({
  providers: z.record(z.string().min(1), z.array(adapterReferenceSchema)).optional(),
  models: z.array(z.strictObject({ match: z.string().min(1), adapters: z.array(adapterReferenceSchema) })).optional(),
});

/** The parsed `adapters` config section. */
export type AdapterChainConfig = z.output<typeof adapterChainConfigSchema>;

/** Which target a chain is for, and what its provider declares by default. */
export interface AdapterChainTarget {
  provider: string;
  /** Upstream model id. */
  model: string;
  /** The provider declaration's default adapters, applied before configured ones. */
  declared?: readonly AdapterReference[];
}

/**
 * The ordered chain for one target: provider defaults, then the provider's configured list, then every matching
 * model rule in file order; `enabled: false` drops earlier entries of that name; finally `last`-phase adapters move
 * to the end (stable), so a deny list sees the body every other adapter produced.
 */
export function resolveAdapterChain(registry: AdapterRegistry, config: AdapterChainConfig | undefined, target: AdapterChainTarget): Adapter[] {
  const references: AdapterReference[] = [...(target.declared ?? []), ...(config?.providers?.[target.provider] ?? [])];
  const qualified = `${target.provider}/${target.model}`;
  for (const rule of config?.models ?? []) {
    if (matchModelPattern(rule.match, qualified) !== undefined || matchModelPattern(rule.match, target.model) !== undefined) references.push(...rule.adapters);
  }
  let kept: AdapterReference[] = [];
  for (const reference of references) {
    if (typeof reference !== "string" && reference.enabled === false) kept = kept.filter((earlier) => referenceName(earlier) !== reference.name);
    else kept.push(reference);
  }
  const adapters = kept.map((reference) => registry.create(reference));
  return [...adapters.filter((adapter) => adapter.phase !== "last"), ...adapters.filter((adapter) => adapter.phase === "last")];
}

function referenceName(reference: AdapterReference): string {
  return typeof reference === "string" ? reference : reference.name;
}
