import { GatewayError } from "../unified/index.js";

/** Which quota group a model draws from (`undefined`: its own quota). */
export type QuotaGroupMatcher = (model: string) => string | undefined;

/** Distinct models seen are few; the bound only guards against a client inventing model names. */
const maxCachedModels = 1_000;

/**
 * The matcher of a provider's `quotaGroups` (`{ "gemini-pro": ["gemini-2.5-pro*", "gemini-3-pro*"] }`): patterns are
 * exact names or `*` wildcards, groups are tried in declaration order and the first match wins.
 */
export function createQuotaGroupMatcher(groups: Readonly<Record<string, readonly string[]>> | undefined): QuotaGroupMatcher {
  const compiled = Object.entries(groups ?? {}).map(([name, patterns]) => {
    if (patterns.length === 0) throw new GatewayError("config", `quota group ${name} lists no models`);
    return { name, patterns: patterns.map(compilePattern) };
  });
  if (compiled.length === 0) return () => undefined;
  const cache = new Map<string, string | undefined>();
  return (model) => {
    if (cache.has(model)) return cache.get(model);
    const group = compiled.find((entry) => entry.patterns.some((pattern) => pattern.test(model)))?.name;
    if (cache.size >= maxCachedModels) cache.clear();
    cache.set(model, group);
    return group;
  };
}

/** `gemini-2.5-pro*` → /^gemini-2\.5-pro.*$/; everything but `*` is literal. */
export function compilePattern(pattern: string): RegExp {
  return new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
}
