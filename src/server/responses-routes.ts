import type { FastifyReply, FastifyRequest } from "fastify";
import { responseOwner, type ResponsesService } from "../responses/index.js";
import { GatewayError } from "../unified/index.js";
import type { ResponsesStoreAction } from "./match-route.js";

/**
 * The stored-response routes, owner-scoped by the proxy key that authenticated the call ("anonymous" without
 * keys): another key's id reads as missing, so ids never leak. Errors are thrown as GatewayErrors; the caller
 * answers them in Responses shape.
 * @see https://platform.openai.com/docs/api-reference/responses/get
 */
export async function handleResponsesStoreRoute(
  responses: ResponsesService,
  request: FastifyRequest,
  reply: FastifyReply,
  route: { responseId: string; action: ResponsesStoreAction },
  proxyKeyId: string | undefined,
): Promise<FastifyReply> {
  const owner = responseOwner(proxyKeyId);
  const id = route.responseId;
  switch (route.action) {
    case "retrieve":
      return reply.send(await responses.retrieve(id, owner));
    case "delete":
      return reply.send(await responses.delete(id, owner));
    case "input-items":
      return reply.send(await responses.listInputItems(id, owner, readQuery(request)));
    case "cancel":
      return reply.send(await responses.cancel(id, owner));
    default: {
      const unreachable: never = route.action;
      throw new GatewayError("internal", `unknown responses route ${String(unreachable)}`);
    }
  }
}

/** The query string as name → value, repeated names as lists (the input-items reader rejects those). */
function readQuery(request: FastifyRequest): Record<string, unknown> {
  const url = request.raw.url ?? "/";
  const at = url.indexOf("?");
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(at < 0 ? "" : url.slice(at + 1))) {
    const previous = query[name];
    query[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return query;
}
