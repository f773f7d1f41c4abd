/** Switchyard's library surface: the unified types and the protocol codecs. */
export * from "./unified/index.js";
export { codecs, getCodec } from "./protocols/index.js";
export { createSseParser, parseSseText } from "./streaming/index.js";
