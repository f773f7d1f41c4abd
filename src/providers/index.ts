/**
 * Providers: declarations (data plus the closed hook set), the registry built from settings and the environment,
 * credentials, upstream request building, model discovery, and the built-in demo provider.
 */
export type {
  CapabilityRule,
  ModelCapabilities,
  ModelDiscoveryDeclaration,
  ModelInfo,
  ModelListShape,
  PathTemplateKey,
  PathTemplates,
  ProviderAdapterReference,
  ProviderAuth,
  ProviderDeclaration,
  ProviderDefinition,
  ProviderHooks,
  ProviderModelsDeclaration,
  ProviderOperation,
  ProviderTransport,
  RateLimitInfo,
  RateLimitWindow,
  RequestHookContext,
  TransportResponse,
  UpstreamErrorResponse,
  UpstreamRequest,
  UrlHookContext,
} from "./provider-declaration.js";
export { defineProvider, isHttpUrl } from "./define-provider.js";
export {
  fieldCacheModes,
  fieldCacheRuleSchema,
  fieldCacheScopes,
  type FieldCacheCondition,
  type FieldCacheExtract,
  type FieldCacheInject,
  type FieldCacheJson,
  type FieldCacheMode,
  type FieldCacheRuleDeclaration,
  type FieldCacheScope,
  type FieldCacheSelector,
} from "./field-cache-rule-declaration.js";
export { builtinFieldCacheRules, sharedFieldCacheRules } from "./builtin-field-cache-rules.js";
export { modelListShapeByProtocol, protocolPathTemplates, resolveOperationPath, supportsOperation } from "./resolve-operation-path.js";
export {
  anthropicProvider,
  builtinProviders,
  cerebrasProvider,
  chutesProvider,
  deepSeekProvider,
  fireworksProvider,
  geminiProvider,
  groqProvider,
  llamaCppProvider,
  lmStudioProvider,
  mistralProvider,
  nvidiaProvider,
  ollamaProvider,
  openAiProvider,
  openRouterProvider,
  togetherProvider,
  vllmProvider,
  xAiProvider,
} from "./builtin-providers.js";
export { createCredential, createKeylessCredential, hashCredentialSecret, type Credential } from "./create-credential.js";
export { describeSettingsField, type ProviderSettings, type ProviderSettingsField, type SettingsOrigin } from "./provider-settings.js";
export { readProviderEnvironment, type ProviderEnvironment } from "./read-provider-environment.js";
export {
  createProviderRegistry,
  type ConfiguredProvider,
  type DemoProviderOptions,
  type ProviderRegistry,
  type ProviderRegistryOptions,
} from "./create-provider-registry.js";
export { resolveModelCapabilities } from "./resolve-model-capabilities.js";
export { isModelGlob, matchModelPattern } from "./match-model-pattern.js";
export { buildUpstreamRequest, selectForwardedHeaders, type ClientHeaders, type UpstreamRequestInput } from "./build-upstream-request.js";
export { parseModelListPage, type ModelListPage } from "./parse-model-list.js";
export {
  createModelCatalog,
  type ModelCatalog,
  type ModelCatalogOptions,
  type ModelListFetcher,
  type ModelListFetchResult,
  type ModelListSource,
  type ModelListState,
} from "./create-model-catalog.js";
export { createDemoProvider, demoProviderId } from "./demo/demo-provider.js";
export { createDemoTransport, type DemoTransportOptions } from "./demo/serve-demo-transport.js";
export { generateDemoCompletion, type DemoCompletion, type DemoReply, type DemoToolCall } from "./demo/generate-demo-reply.js";
