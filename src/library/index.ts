export { createGateway, type CreateGatewayOptions, type LibraryCallOptions, type SwitchyardGateway, type WireStreamEvent } from "./create-gateway.js";
export { createEngineFromConfig } from "./create-engine-from-config.js";
