export * from "./parse-sse.js";
