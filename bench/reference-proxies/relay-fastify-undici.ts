import Fastify from "fastify";
import { readReferenceProxySettings, relayThroughUndici } from "./reference-proxy-relay.js";

/**
 * The gateway's own HTTP stack with nothing of the gateway in it: Fastify (routing, body reading) in front of undici,
 * the answer's bytes written back as they come. The body is read as bytes and never parsed, so what it adds is the
 * floor for any proxy built on these two libraries.
 */
const settings = readReferenceProxySettings();
const server = Fastify({ logger: false });
server.addContentTypeParser("application/json", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
for (const path of ["/v1/chat/completions", "/v1/messages"]) {
  server.post(path, async (incoming, reply) => {
    // Fastify lets go of the response: the relay writes it itself, as the node:http reference does.
    reply.hijack();
    await relayThroughUndici(settings, path, incoming.headers, incoming.body as Buffer, reply.raw).catch(() => reply.raw.destroy());
  });
}
await server.listen({ port: settings.port, host: "127.0.0.1" });
