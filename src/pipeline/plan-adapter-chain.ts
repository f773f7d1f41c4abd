import {
  builtinAdapterFactories,
  createAdapterRegistry,
  resolveAdapterChain,
  type Adapter,
  type AdapterChainConfig,
  type AdapterFactory,
  type AdapterRegistry,
} from "../adapters/index.js";
import type { ConfiguredProvider, ProviderDefinition } from "../providers/index.js";

/** The adapter chain of one target, with what the pipeline must know before running it. */
export interface AdapterPlan {
  readonly adapters: readonly Adapter[];
  /** Some adapter has a request side. */
  readonly request: boolean;
  /**
   * Substrings of which one must occur in a passthrough body text for the request side to change it; undefined
   * when some request adapter may change any body.
   */
  readonly passthroughTriggers: readonly string[] | undefined;
  /**
   * Some adapter has a response, stream or stream-data side. Without one, which adapters an attempt engages never
   * matters (only those sides read it), so it is not asked.
   */
  readonly answerSide: boolean;
  /** Some adapter can ask for a retry after an upstream error. */
  readonly recover: boolean;
  /** Streaming requests go upstream without streaming and are re-emitted as streams (`stream-via-nonstream`). */
  readonly viaNonStream: boolean;
}

/** The plan of a target with no adapters: every check on it is one property read. */
export const emptyAdapterPlan: AdapterPlan = { adapters: [], request: false, passthroughTriggers: [], answerSide: false, recover: false, viaNonStream: false };

/** The adapter plan for a (provider, upstream model). */
export type AdapterPlanner = (provider: ConfiguredProvider, model: string) => AdapterPlan;

/** What the planner is built from. */
export interface AdapterPlannerOptions {
  /** The `adapters` section of switchyard.json. */
  config?: AdapterChainConfig;
  /** Adapter factories beyond the built-ins (library users). */
  factories?: readonly AdapterFactory[];
  /** Providers whose declared and configured adapters are checked now, so a bad name fails at startup. */
  providers?: readonly ProviderDefinition[];
  /**
   * Most (provider, model) chains kept; a chain evicted is rebuilt. What adapters remember about targets lives in
   * the registry (adapter-memory.ts), so a rebuilt chain still knows it.
   */
  maxChains?: number;
  /** Most targets each adapter name remembers (tool-emulation's "needs emulation" list); default 10,000. */
  maxRemembered?: number;
}

/**
 * Builds the registry once and resolves each target's chain once: plans are cached per (provider, model), because
 * resolution creates adapter instances (validating options). Per-target memory (tool-emulation remembers which
 * models need emulating) is the registry's, so it outlives any chain. Every reference in config and in the given provider
 * declarations is created once here, so an unknown adapter or bad options are a startup `config` error.
 */
export function createAdapterPlanner(options: AdapterPlannerOptions = {}): AdapterPlanner {
  const registry = createAdapterRegistry([...builtinAdapterFactories, ...(options.factories ?? [])], options.maxRemembered === undefined ? {} : { maxRemembered: options.maxRemembered });
  validateReferences(registry, options);
  const maxChains = options.maxChains ?? 1_000;
  const modelRules = (options.config?.models?.length ?? 0) > 0;
  // provider id → model → plan: two lookups and no key string built per request.
  const plans = new Map<string, Map<string, AdapterPlan>>();
  let size = 0;
  return (provider, model) => {
    // Nothing declared or configured for this provider: the common case answers without any lookup.
    if (!modelRules && provider.definition.adapters.length === 0 && options.config?.providers?.[provider.id] === undefined) return emptyAdapterPlan;
    let byModel = plans.get(provider.id);
    const cached = byModel?.get(model);
    if (cached !== undefined) return cached;
    const adapters = resolveAdapterChain(registry, options.config, { provider: provider.id, model, declared: provider.definition.adapters });
    const plan = adapters.length === 0 ? emptyAdapterPlan : planOf(adapters);
    if (size >= maxChains) {
      // Bounded because clients choose model names; forgetting everything at once keeps this simple and rare.
      plans.clear();
      size = 0;
      byModel = undefined;
    }
    if (byModel === undefined) {
      byModel = new Map();
      plans.set(provider.id, byModel);
    }
    byModel.set(model, plan);
    size += 1;
    return plan;
  };
}

function planOf(adapters: readonly Adapter[]): AdapterPlan {
  const requestAdapters = adapters.filter((adapter) => adapter.request !== undefined);
  const everyDeclaresTriggers = requestAdapters.every((adapter) => adapter.passthroughTriggers !== undefined);
  return {
    adapters,
    request: requestAdapters.length > 0,
    passthroughTriggers: everyDeclaresTriggers ? requestAdapters.flatMap((adapter) => adapter.passthroughTriggers ?? []) : undefined,
    answerSide: adapters.some((adapter) => adapter.response !== undefined || adapter.openStream !== undefined || adapter.streamData !== undefined),
    recover: adapters.some((adapter) => adapter.recover !== undefined),
    viaNonStream: adapters.some((adapter) => adapter.streamViaNonStream === true),
  };
}

function validateReferences(registry: AdapterRegistry, options: AdapterPlannerOptions): void {
  for (const definition of options.providers ?? []) for (const reference of definition.adapters) registry.create(reference);
  for (const references of Object.values(options.config?.providers ?? {})) for (const reference of references) create(registry, reference);
  for (const rule of options.config?.models ?? []) for (const reference of rule.adapters) create(registry, reference);
}

/** `enabled: false` entries only remove earlier ones, so their options are not built. */
function create(registry: AdapterRegistry, reference: Parameters<AdapterRegistry["create"]>[0]): void {
  if (typeof reference !== "string" && reference.enabled === false) {
    if (!registry.has(reference.name)) registry.create(reference.name);
    return;
  }
  registry.create(reference);
}
