import type { FastifyReply, FastifyRequest } from "fastify";
import { readResponseStreamQuery, responseOwner, type ResponseStreamQuery, type ResponsesService } from "../responses/index.js";
import { GatewayError } from "../unified/index.js";
import type { ResponsesStoreAction } from "./match-route.js";
import { startStream, writeStreamResult } from "./write-gateway-result.js";

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
    case "retrieve": {
      const query = readResponseStreamQuery(readQuery(request));
      if (!query.stream) return reply.send(await responses.retrieve(id, owner));
      return streamEvents(responses, reply, { id, owner, query });
    }
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

/**
 * Re-attaches to a response's events (`stream=true`, `starting_after`). The subscription ends when the client
 * leaves; the background job it watches runs on.
 */
async function streamEvents(responses: ResponsesService, reply: FastifyReply, target: { id: string; owner: string; query: ResponseStreamQuery }): Promise<FastifyReply> {
  const left = new AbortController();
  reply.raw.on("close", () => left.abort());
  const result = await responses.streamEvents(target.id, target.owner, target.query, left.signal);
  if (result.kind !== "stream") return reply.code(result.status).headers(result.headers).send(result.body);
  const started = await startStream(result);
  // Nothing written yet: a failure before the first event is still a plain HTTP error (a 400 for dropped events).
  if (started.kind === "failed") throw started.error;
  reply.hijack();
  await writeStreamResult(reply.raw, result, started);
  return reply;
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
