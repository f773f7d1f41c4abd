import {
  demoProviderId,
  isModelGlob,
  matchModelPattern,
  type ConfiguredProvider,
  type ModelInfo,
  type ProviderRegistry,
} from "../providers/index.js";
import { GatewayError, invalidRequest } from "../unified/index.js";
import type { ModelAlias } from "./parse-model-aliases.js";

/** Which rule picked the target. */
export type ModelResolutionStep = "alias" | "glob-alias" | "provider-prefix" | "model-list" | "default-provider" | "demo" | "group";

/** Current model lists without I/O; the model catalog (`peek`) satisfies it. */
export interface ModelListLookup {
  peek(providerId: string): readonly ModelInfo[];
}

/** What model resolution consults. */
export interface ResolveModelOptions {
  providers: ProviderRegistry;
  /** In precedence order; exact patterns are tried before any glob regardless of position. */
  aliases?: readonly ModelAlias[];
  /** Provider for bare names no alias or model list claims (SWITCHYARD_DEFAULT_PROVIDER). */
  defaultProvider?: string;
  /** Discovered model lists; the providers' static lists when absent. */
  models?: ModelListLookup;
}

/** Where a model string goes. */
export interface ResolvedModel {
  provider: ConfiguredProvider;
  /** The model id to send upstream. */
  upstreamModel: string;
  via: ModelResolutionStep;
  /** The model string as the client sent it (trimmed). */
  requested: string;
  /** The alias that applied, if any. */
  alias?: ModelAlias;
}

/**
 * Resolves a client's model string: an exact alias; `provider/model` when the first segment names an active
 * provider (the rest may contain slashes: `openrouter/anthropic/claude-x`); a glob alias (`claude-*`, whose `*`
 * captures may be reused as `*` in the target); the first active provider whose model list has the name; the
 * default provider; the demo provider when it is active. Alias targets resolve by the same rules minus aliases
 * (no chains, no loops). Unknown → `not_found` saying what was tried.
 */
export function resolveModel(model: string, options: ResolveModelOptions): ResolvedModel {
  const requested = model.trim();
  if (requested === "") throw invalidRequest("model", "is required");
  const matched = matchAlias(requested, options);
  if (matched !== undefined) return resolveAliasTarget(matched.target, matched.alias, matched.via, requested, options);

  const prefixed = resolveProviderPrefix(requested, options.providers);
  if (prefixed !== undefined) return { ...prefixed, via: "provider-prefix", requested };

  const bare = resolveBareModel(requested, options);
  if (bare !== undefined) return { ...bare, requested };
  throw new GatewayError("not_found", describeNotFound(requested, options));
}

/** An alias that applies to `requested` and its target (glob captures substituted): exact aliases first, then
 * `provider/model` (which no glob overrides), then globs in order. */
export function matchAlias(
  requested: string,
  options: Pick<ResolveModelOptions, "aliases" | "providers">,
): { alias: ModelAlias; target: string; via: "alias" | "glob-alias" } | undefined {
  const aliases = options.aliases ?? [];
  const exact = aliases.find((alias) => !isModelGlob(alias.pattern) && alias.pattern === requested);
  if (exact !== undefined) return { alias: exact, target: exact.target, via: "alias" };
  if (resolveProviderPrefix(requested, options.providers) !== undefined) return undefined;
  for (const alias of aliases) {
    if (!isModelGlob(alias.pattern)) continue;
    const captures = matchModelPattern(alias.pattern, requested);
    if (captures === undefined) continue;
    let index = 0;
    return { alias, target: alias.target.replace(/\*/g, () => captures[index++] ?? ""), via: "glob-alias" };
  }
  return undefined;
}

function resolveAliasTarget(
  target: string,
  alias: ModelAlias,
  via: ModelResolutionStep,
  requested: string,
  options: ResolveModelOptions,
): ResolvedModel {
  const resolved = resolveProviderPrefix(target, options.providers) ?? resolveBareModel(target, options);
  if (resolved === undefined) {
    throw new GatewayError(
      "not_found",
      `model "${requested}" matches alias "${alias.pattern}" → "${target}", but ${describeNotFound(target, options, false)}`,
    );
  }
  return { provider: resolved.provider, upstreamModel: resolved.upstreamModel, via, requested, alias };
}

/** `provider/model` when the first segment names an active provider. */
export function resolveProviderPrefix(model: string, providers: ProviderRegistry): Omit<ResolvedModel, "via" | "requested"> | undefined {
  const slash = model.indexOf("/");
  if (slash <= 0 || slash === model.length - 1) return undefined;
  const provider = providers.get(model.slice(0, slash));
  return provider === undefined ? undefined : { provider, upstreamModel: model.slice(slash + 1) };
}

function resolveBareModel(model: string, options: ResolveModelOptions): Omit<ResolvedModel, "requested"> | undefined {
  for (const provider of options.providers.providers) {
    if (provider.id === demoProviderId) continue;
    const listed = options.models?.peek(provider.id) ?? provider.models;
    if (listed.some((entry) => entry.id === model)) return { provider, upstreamModel: model, via: "model-list" };
  }
  if (options.defaultProvider !== undefined) {
    const provider = options.providers.get(options.defaultProvider);
    if (provider !== undefined) return { provider, upstreamModel: model, via: "default-provider" };
  }
  const demo = options.providers.get(demoProviderId);
  if (demo !== undefined) return { provider: demo, upstreamModel: model, via: "demo" };
  return undefined;
}

/** "model "x" not found: …" listing each rule that was tried and why it did not apply. */
function describeNotFound(model: string, options: ResolveModelOptions, withSubject = true): string {
  const reasons: string[] = [];
  const slash = model.indexOf("/");
  if (slash > 0) {
    const prefix = model.slice(0, slash);
    const inactive = options.providers.inactiveReason(prefix);
    if (inactive !== undefined) reasons.push(`provider "${prefix}" is not active (${inactive})`);
    else reasons.push(`"${prefix}" is not a configured provider`);
  }
  if (withSubject) {
    const aliasCount = options.aliases?.length ?? 0;
    reasons.push(aliasCount === 0 ? "no aliases are configured" : `none of ${aliasCount} aliases match`);
  }
  const listing = options.providers.providers.filter((provider) => provider.id !== demoProviderId).map((provider) => provider.id);
  reasons.push(listing.length === 0 ? "no provider is configured" : `no configured provider lists it (checked ${listing.join(", ")})`);
  if (options.defaultProvider === undefined) reasons.push("no default provider is set (SWITCHYARD_DEFAULT_PROVIDER)");
  else reasons.push(`the default provider "${options.defaultProvider}" is not active`);
  const detail = reasons.join("; ");
  return withSubject ? `model "${model}" not found: ${detail}` : detail;
}
