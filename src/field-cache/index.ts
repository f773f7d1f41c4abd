/**
 * The field cache: provider state that clients drop (signed thinking, Gemini thought signatures, `reasoning_content`),
 * read from upstream requests and answers by wire path and written back into later requests to the same provider,
 * by rules declared on providers and strengthened (never weakened) in config, on the StateStore interface.
 */
export { createFieldCache, type FieldCache, type FieldCacheOptions, type FieldCachePass, type FieldCacheProvider, type FieldCacheTarget } from "./create-field-cache.js";
export { fieldCacheSettingsSchema, resolveFieldCacheRules, type FieldCacheRuleOverride, type FieldCacheSettings } from "./resolve-field-cache-rules.js";
export { createStreamResponseAssembler, type StreamResponseAssembler } from "./assemble-stream-response.js";
export { extractFieldValues, type ExtractedFieldValue } from "./extract-field-values.js";
export { findInjectionSites, writeInjection, type InjectionSite } from "./inject-field-values.js";
export { fieldCacheKeyPrefix } from "./create-field-cache-store.js";
export { computeResponseTriggers, mayHoldResponseValues } from "./compute-response-triggers.js";
