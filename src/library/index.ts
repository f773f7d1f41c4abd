export { createGateway, type CreateGatewayOptions, type LibraryCallOptions, type SwitchyardGateway, type WireStreamEvent } from "./create-gateway.js";
export { createEngineFromConfig, type EngineResources } from "./create-engine-from-config.js";
export { createPoolsFromConfig, openStateStoreFromConfig, stateFilePath } from "./create-pools-from-config.js";
export { openLibraryResponses, type LibraryResponses, type LibraryResponsesHandle, type LibraryResponsesOptions } from "./open-library-responses.js";
export { configuredSecrets } from "./create-trace-from-config.js";
