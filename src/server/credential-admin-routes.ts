import type { FastifyInstance, FastifyReply } from "fastify";
import type { Gateway } from "../pipeline/index.js";
import { getCodec } from "../protocols/index.js";
import { GatewayError } from "../unified/index.js";
import { readClientKey, type ProxyKeySet } from "./check-proxy-key.js";

/**
 * `POST /v1/admin/credentials/{id}/reset` (one credential) and `POST /v1/admin/credentials/reset` (all): clear
 * cooldowns, failure history, probation and the disabled mark, as `switchyard credentials reset` does for a stopped
 * server. The proxy key is required even when the gateway otherwise runs without one: an anonymous caller must not be
 * able to bring back a credential the provider rejected. Answers with the id and how many entries went, never a key.
 */
export function registerCredentialAdminRoutes(app: FastifyInstance, gateway: Gateway, proxyKeys: ProxyKeySet): void {
  const reset = async (credentialId: string | undefined, headers: Record<string, string | string[] | undefined>, rawUrl: string | undefined, reply: FastifyReply) => {
    const query = new URLSearchParams((rawUrl ?? "").split("?")[1] ?? "");
    if (!proxyKeys.enabled || proxyKeys.match(readClientKey(headers, query)) === undefined) {
      return sendError(reply, new GatewayError("authentication", proxyKeys.enabled ? "missing or invalid proxy key" : "the admin routes need a proxy key to be configured"));
    }
    const administration = gateway.credentials;
    if (administration === undefined) return sendError(reply, new GatewayError("not_found", "this gateway has no credential pools"));
    if (credentialId !== undefined) {
      const known = (await administration.status()).some((provider) => provider.credentials.some((credential) => credential.id === credentialId));
      if (!known) return sendError(reply, new GatewayError("not_found", `no credential ${credentialId} is configured`));
    }
    const cleared = await administration.reset(credentialId);
    return reply.code(200).send({ ...(credentialId === undefined ? { all: true } : { id: credentialId }), cleared });
  };
  app.post<{ Params: { id: string } }>("/v1/admin/credentials/:id/reset", (request, reply) => reset(request.params.id, request.headers, request.raw.url, reply));
  app.post("/v1/admin/credentials/reset", (request, reply) => reset(undefined, request.headers, request.raw.url, reply));
}

function sendError(reply: FastifyReply, error: GatewayError) {
  const encoded = getCodec("openai-chat").encodeError(error);
  return reply.code(encoded.status).headers(encoded.headers ?? {}).send(encoded.body);
}
