export * from "./gateway-call.js";
export * from "./gateway.js";
