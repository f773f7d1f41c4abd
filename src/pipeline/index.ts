export * from "./gateway-call.js";
export * from "./gateway.js";
export { createGatewayEngine, type GatewayEngineOptions } from "./create-gateway-engine.js";
export { translateStream, type StreamObserver } from "./translate-stream.js";
export { passthroughStream } from "./passthrough-stream.js";
export { mayRetry, isVisibleEvent, type StreamProgress } from "./stream-progress.js";
export type { ResponsesAttemptTarget, ResponsesCallHooks } from "./responses-call-hooks.js";
export { createCredentialAdministration, type CredentialAdministration, type CredentialStatusView, type ProviderStatusView } from "./describe-credential-status.js";
export { readSessionKey } from "./read-session-key.js";
