import { defineProvider } from "../define-provider.js";
import type { ProviderDefinition } from "../provider-declaration.js";
import { createDemoTransport, type DemoTransportOptions } from "./serve-demo-transport.js";

/** The demo provider's id; model strings `demo/<anything>` reach it explicitly. */
export const demoProviderId = "demo";

/**
 * The built-in demo provider: active when no provider is configured, serves any model name, and answers from a
 * deterministic local generator through an in-process OpenAI Chat transport. The base URL is never dialled
 * (`.invalid` is reserved and cannot resolve), it only gives the transport a path to route on.
 */
export function createDemoProvider(options: DemoTransportOptions = {}): ProviderDefinition {
  return defineProvider({
    id: demoProviderId,
    displayName: "Demo (local generator)",
    protocol: "openai-chat",
    baseUrl: "http://demo.switchyard.invalid/v1",
    auth: { type: "none" },
    keyRequired: false,
    models: { static: ["demo"], discovery: false },
    capabilities: { tools: true, vision: true, reasoning: false, streaming: true },
    transport: createDemoTransport(options),
  });
}
