/** Switchyard's library surface: the in-process gateway, the server builder, the codecs and the unified types. */
export * from "./unified/index.js";
export { codecs, getCodec } from "./protocols/index.js";
export { createSseParser, parseSseText } from "./streaming/index.js";
export { createGateway, type CreateGatewayOptions, type LibraryCallOptions, type SwitchyardGateway, type WireStreamEvent } from "./library/index.js";
export { buildServer, type ServerOptions } from "./server/index.js";
export { loadConfig, type GatewayConfig } from "./config/index.js";
export { defineProvider, type ProviderDeclaration } from "./providers/index.js";
