export * from "./read-wire-value.js";
export * from "./serialize-sse-frame.js";
export * from "./parse-wire-json.js";
export * from "./map-openai-error-code.js";
export * from "./read-trailing-json-member.js";
export * from "./track-without-output.js";
