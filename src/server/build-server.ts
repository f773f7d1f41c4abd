import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { getCodec } from "../protocols/index.js";
import { GatewayError, toGatewayError, type ProtocolId } from "../unified/index.js";
import type { Gateway, GatewayCall } from "../pipeline/index.js";
import { createResponsesService, type ResponsesService, type ResponsesServiceOptions } from "../responses/index.js";
import { createProxyKeySet, readClientKey } from "./check-proxy-key.js";
import { encodeModelList, encodeSingleModel } from "./encode-model-list.js";
import { deferRequestLogger } from "./defer-request-logger.js";
import { matchRoute, type RouteMatch } from "./match-route.js";
import { exceedsJsonDepth } from "./measure-json-depth.js";
import { handleResponsesStoreRoute } from "./responses-routes.js";
import { attachResponsesWebSocket } from "./responses-websocket.js";
import { registerCredentialAdminRoutes } from "./credential-admin-routes.js";
import { startStream, writeStreamResult } from "./write-gateway-result.js";

/** What the HTTP server needs; everything else lives in the gateway it fronts. */
export interface ServerOptions {
  gateway: Gateway;
  /** Proxy keys; none = no client auth (the CLI then refuses to bind beyond loopback). */
  proxyKeys?: readonly string[];
  /** Largest accepted body; 32 MiB by default. */
  bodyLimitBytes?: number;
  /** Deepest accepted JSON nesting; 256 by default (agent conversations nest well under 64). */
  jsonDepthLimit?: number;
  logger?: Logger | boolean;
  /** The Responses API service; by default one over the gateway's StateStore (memory when it has none). */
  responses?: ResponsesService;
  /** Background job cap and cancel-flag poll of the default Responses service (`config.responses`). */
  backgroundResponses?: ResponsesServiceOptions["background"];
}

interface RawBody {
  text: string;
  parsed: unknown;
}

declare module "fastify" {
  interface FastifyRequest {
    switchyardBody?: RawBody;
  }
}

const defaultBodyLimitBytes = 32 * 1024 * 1024;
const defaultJsonDepthLimit = 256;

/** Builds the Fastify app without listening, so tests can `inject()` or listen on an ephemeral port. */
export function buildServer(options: ServerOptions): FastifyInstance {
  const proxyKeys = createProxyKeySet(options.proxyKeys ?? []);
  const jsonDepthLimit = options.jsonDepthLimit ?? defaultJsonDepthLimit;
  const responses =
    options.responses ??
    createResponsesService({
      gateway: options.gateway,
      ...(options.gateway.state === undefined ? {} : { state: options.gateway.state }),
      ...(options.backgroundResponses === undefined ? {} : { background: options.backgroundResponses }),
      ...(typeof options.logger === "object" ? { logger: options.logger } : {}),
    });
  const app = Fastify({
    bodyLimit: options.bodyLimitBytes ?? defaultBodyLimitBytes,
    exposeHeadRoutes: false,
    ...(typeof options.logger === "object" ? { loggerInstance: options.logger as FastifyBaseLogger } : { logger: options.logger ?? false }),
    // One `request.completed` line per request comes from the pipeline; Fastify's own per-request lines would double it.
    logController: new LogController({ disableRequestLogging: true }),
    // Without a logger Fastify already skips the child; with one, it is made only when something logs through it.
    ...(options.logger === undefined || options.logger === false ? {} : { childLoggerFactory: deferRequestLogger }),
  });

  // Keep the text as received: the passthrough path sends it upstream without re-serializing.
  app.removeAllContentTypeParsers();
  const parseBody = (_request: FastifyRequest, body: string | Buffer, done: (error: Error | null, body?: RawBody) => void): void => {
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (text.length === 0) return done(null, { text, parsed: undefined } satisfies RawBody);
    if (exceedsJsonDepth(text, jsonDepthLimit)) {
      return done(new GatewayError("invalid_request", `JSON nesting deeper than ${jsonDepthLimit} levels`), undefined);
    }
    try {
      done(null, { text, parsed: JSON.parse(text) as unknown } satisfies RawBody);
    } catch (error) {
      done(new GatewayError("invalid_request", `body is not valid JSON: ${(error as Error).message}`), undefined);
    }
  };
  // The same parser under JSON's own name: Fastify remembers the parser of a content type it found by name, while a
  // type only the catch-all takes is parsed (and looked up) again on every request.
  app.addContentTypeParser("application/json", { parseAs: "string" }, parseBody);
  app.addContentTypeParser("*", { parseAs: "string" }, parseBody);

  app.setErrorHandler((error, request, reply) => {
    const route = routeOf(request);
    const gatewayError = fastifyErrorToGatewayError(error);
    return sendError(reply, errorProtocolOf(route), gatewayError);
  });

  // Static routes win over the catch-all below.
  registerCredentialAdminRoutes(app, options.gateway, proxyKeys);
  app.route({
    method: ["GET", "HEAD", "POST", "DELETE"],
    url: "*",
    handler: async (request, reply) => {
      const route = routeOf(request);
      if (route === undefined) {
        return sendError(reply, "openai-chat", new GatewayError("not_found", `no route for ${request.method} ${pathOf(request)}`));
      }
      const errorProtocol = errorProtocolOf(route);
      if (route.kind === "hello") return reply.code(200).send(request.method === "HEAD" ? undefined : { ok: true, name: "switchyard" });
      if (route.kind === "health") return reply.code(200).send(await options.gateway.health());

      let proxyKeyId: string | undefined;
      if (proxyKeys.enabled) {
        proxyKeyId = proxyKeys.match(readClientKey(request.headers, queryOf(request)));
        if (proxyKeyId === undefined) {
          return sendError(reply, errorProtocol, new GatewayError("authentication", "missing or invalid proxy key"));
        }
      }
      switch (route.kind) {
        case "list-models":
          return reply.send(encodeModelList(await options.gateway.listModels(), route.shape));
        case "get-model": {
          const models = await options.gateway.listModels();
          const wanted = route.model.replace(/^models\//, "");
          const found = models.find((model) => model.id === wanted || model.model === wanted);
          if (found === undefined) return sendError(reply, errorProtocol, new GatewayError("not_found", `model "${wanted}" not found`));
          return reply.send(encodeSingleModel(found, route.shape));
        }
        case "responses-store":
          return handleResponsesStoreRoute(responses, request, reply, route, proxyKeyId);
        case "call":
          return handleCall(request, reply, route, proxyKeyId);
        case "credential-status":
          // Ids, states and reasons only: a status page must never become a way to read keys.
          return reply.send({ providers: (await options.gateway.credentials?.status()) ?? [] });
        default: {
          const unreachable: never = route;
          return unreachable;
        }
      }
    },
  });

  async function handleCall(request: FastifyRequest, reply: FastifyReply, route: Extract<RouteMatch, { kind: "call" }>, proxyKeyId: string | undefined) {
    const body = request.switchyardBody ?? (request.body as RawBody | undefined);
    if (body === undefined || body.parsed === undefined) {
      return sendError(reply, route.protocol, new GatewayError("invalid_request", "request body is required"));
    }
    const abort = new AbortController();
    // The response's close before it finished means the client went away: abort the upstream call at once.
    reply.raw.on("close", () => {
      if (!reply.raw.writableFinished) abort.abort(new GatewayError("client_closed", "client disconnected"));
    });
    // One literal: optional fields left undefined read the same as absent ones everywhere downstream.
    const call: GatewayCall = {
      protocol: route.protocol,
      operation: route.operation,
      body: body.parsed,
      rawBody: body.text,
      headers: request.headers,
      signal: abort.signal,
      model: route.model,
      stream: route.stream,
      proxyKeyId,
    };
    let result;
    try {
      // Responses creation goes through the Responses layer (store, continuation, background), which calls the gateway.
      result = route.protocol === "openai-responses" && route.operation === "generate" ? await responses.create(call) : await options.gateway.handle(call);
    } catch (error) {
      return sendError(reply, route.protocol, toGatewayError(error));
    }
    switch (result.kind) {
      case "json":
        return reply.code(result.status).headers(result.headers).send(result.body);
      case "bytes":
        return reply.code(result.status).headers(result.headers).send(result.body);
      case "stream": {
        // Nothing is written before the first chunk, so an early failure is still a plain HTTP error.
        const started = await startStream(result);
        if (started.kind === "failed") return sendError(reply, route.protocol, started.error);
        reply.hijack();
        await writeStreamResult(reply.raw, result, started);
        return reply;
      }
      default: {
        const unreachable: never = result;
        return unreachable;
      }
    }
  }

  const websocket = attachResponsesWebSocket(app.server, {
    responses,
    proxyKeys,
    maxPayloadBytes: options.bodyLimitBytes ?? defaultBodyLimitBytes,
    ...(typeof options.logger === "object" ? { logger: options.logger } : {}),
  });
  app.addHook("onClose", async () => {
    await websocket.close();
    await responses.close();
    await options.gateway.close();
  });
  return app;
}

function routeOf(request: FastifyRequest): RouteMatch | undefined {
  return matchRoute(request.method, pathOf(request), request.headers);
}

/** Errors answer in the route's protocol; the stored-response routes are the Responses API's. */
function errorProtocolOf(route: RouteMatch | undefined): ProtocolId {
  if (route?.kind === "call") return route.protocol;
  return route?.kind === "responses-store" ? "openai-responses" : "openai-chat";
}

function pathOf(request: FastifyRequest): string {
  const url = request.raw.url ?? "/";
  const query = url.indexOf("?");
  return query < 0 ? url : url.slice(0, query);
}

function queryOf(request: FastifyRequest): URLSearchParams {
  const url = request.raw.url ?? "/";
  const query = url.indexOf("?");
  return new URLSearchParams(query < 0 ? "" : url.slice(query + 1));
}

function sendError(reply: FastifyReply, protocol: ProtocolId, error: GatewayError) {
  const encoded = getCodec(protocol).encodeError(error);
  return reply.code(encoded.status).headers(encoded.headers ?? {}).send(encoded.body);
}

function fastifyErrorToGatewayError(error: unknown): GatewayError {
  if (GatewayError.isInstance(error)) return error;
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  if (code === "FST_ERR_CTP_BODY_TOO_LARGE") {
    return new GatewayError("invalid_request", "request body is larger than the configured limit", { httpStatus: 413 });
  }
  if (code === "FST_ERR_CTP_EMPTY_JSON_BODY" || code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
    return new GatewayError("invalid_request", (error as Error).message);
  }
  return toGatewayError(error);
}
