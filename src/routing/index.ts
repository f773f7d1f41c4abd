/** Routing: model strings → provider and upstream model (aliases, `provider/model`, model lists, defaults). */
export {
  resolveModel,
  type ModelListLookup,
  type ModelResolutionStep,
  type ResolvedModel,
  type ResolveModelOptions,
} from "./resolve-model.js";
export { aliasesFromRecord, mergeModelAliases, parseModelAliases, type ModelAlias } from "./parse-model-aliases.js";
export { parseGeminiModelPath, type GeminiModelPath } from "./parse-gemini-model-path.js";
export {
  decideFallback,
  hardStopCodes,
  isCredentialProblem,
  isHardStop,
  mayFailOver,
  type FailedAttempt,
  type FallbackDecision,
  type FallbackPolicyOptions,
} from "./fallback-policy.js";
export {
  fallbackGroupsFromRecord,
  groupModelPrefix,
  groupNamePattern,
  groupTargetPattern,
  mergeFallbackGroups,
  parseFallbackGroups,
  type FallbackGroup,
} from "./parse-fallback-groups.js";
export { resolveRoute, type ResolvedRoute } from "./resolve-route.js";
export { createRouteResolver, type RouteResolver } from "./create-route-resolver.js";
