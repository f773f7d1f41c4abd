export * from "./parse-sse.js";
export * from "./encode-heartbeat.js";
export * from "./supervise-stream.js";
export * from "./stream-settings.js";
