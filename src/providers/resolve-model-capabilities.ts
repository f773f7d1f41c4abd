import type { ConfiguredProvider } from "./create-provider-registry.js";
import { matchModelPattern } from "./match-model-pattern.js";
import type { ModelCapabilities, ModelInfo } from "./provider-declaration.js";

/**
 * What a model can do: the provider's defaults, then every matching capability rule in order, then what its static
 * entry says, then what discovery reported (most specific last).
 */
export function resolveModelCapabilities(provider: ConfiguredProvider, model: string, discovered?: ModelInfo): ModelCapabilities {
  const capabilities: ModelCapabilities = { ...provider.definition.capabilities };
  for (const rule of provider.definition.capabilityRules) {
    if (matchModelPattern(rule.match, model) !== undefined) Object.assign(capabilities, rule.capabilities);
  }
  const listed = provider.models.find((entry) => entry.id === model);
  if (listed?.capabilities !== undefined) Object.assign(capabilities, listed.capabilities);
  if (discovered?.capabilities !== undefined) Object.assign(capabilities, discovered.capabilities);
  return capabilities;
}
