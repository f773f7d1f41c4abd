import type { ProtocolId } from "../../src/unified/index.js";
import { clientRoutes } from "./client-protocol-routes.js";
import { testProxyKey } from "./start-test-gateway.js";

/** A streaming generate call as a raw client of `protocol` makes it, with the test proxy key. */
export function postClientStream(baseUrl: string, protocol: ProtocolId, model: string, signal?: AbortSignal): Promise<Response> {
  const route = clientRoutes[protocol];
  return fetch(`${baseUrl}${route.path(model, true)}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...route.keyHeader(testProxyKey) },
    body: JSON.stringify(route.body(model, true)),
    ...(signal === undefined ? {} : { signal }),
  });
}

/** Frames each provider protocol's mock text stream sends up to and including its first text delta. */
export const framesToFirstText: Readonly<Record<ProtocolId, number>> = { "openai-chat": 2, "openai-responses": 5, "anthropic-messages": 4, gemini: 1 };
