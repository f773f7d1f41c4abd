/**
 * Adapters: named, ordered, pure transforms of wire bodies (request and response side, in the target's protocol)
 * and of unified stream events, declared per provider and per model pattern, each pass reported for the trace.
 */
export { unchanged, type Adapter, type AdapterChange, type AdapterContext, type AdapterPass, type AdapterPhase, type AdapterStream, type WireBody } from "./adapter.js";
export {
  createAdapterRegistry,
  defineAdapterFactory,
  type AdapterFactory,
  type AdapterReference,
  type AdapterRegistry,
  type AdapterRegistryOptions,
  type AdapterScope,
} from "./adapter-registry.js";
export { createAdapterMemory, type AdapterMemory } from "./adapter-memory.js";
export { adapterChainConfigSchema, adapterReferenceSchema, resolveAdapterChain, type AdapterChainConfig, type AdapterChainTarget } from "./adapter-chain-config.js";
export {
  openStreamAdapters,
  runRequestAdapters,
  runResponseAdapters,
  runStreamDataAdapters,
  type AdapterChainResult,
  type AdapterPassRecord,
  type AdapterStreamChain,
} from "./run-adapter-chain.js";
export { builtinAdapterFactories } from "./builtin-adapters.js";
export { paramPolicyPresets } from "./param-policy-adapter.js";
export { repairToolArguments, type ToolArgumentsRepair } from "./repair-truncated-json.js";
export {
  findWirePaths,
  formatWirePath,
  parseWirePath,
  readWirePath,
  removeAllWirePaths,
  removeWirePath,
  writeWirePath,
  type ConcretePath,
  type PathSegment,
} from "./wire-path.js";
