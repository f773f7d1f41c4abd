import Fastify from "fastify";
import { Agent, request } from "undici";
import { forwardedHeaders, readReferenceProxySettings } from "./reference-proxy-settings.js";

/**
 * The gateway's own HTTP stack with nothing of the gateway in it: Fastify (routing, body reading) in front of undici,
 * the answer's bytes written back as they come. The body is read as bytes and never parsed, so what it adds is the
 * floor for any proxy built on these two libraries.
 */
const settings = readReferenceProxySettings();
const dispatcher = new Agent({ keepAliveTimeout: 60_000 });
const server = Fastify({ logger: false });
server.addContentTypeParser("application/json", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
for (const path of ["/v1/chat/completions", "/v1/messages"]) {
  server.post(path, async (incoming, reply) => {
    const answer = await request(new URL(path, settings.upstream), {
      method: "POST",
      headers: forwardedHeaders(incoming.headers),
      body: incoming.body as Buffer,
      dispatcher,
    });
    reply.hijack();
    reply.raw.writeHead(answer.statusCode, { "content-type": String(answer.headers["content-type"] ?? "application/json") });
    for await (const chunk of answer.body) reply.raw.write(chunk);
    reply.raw.end();
  });
}
await server.listen({ port: settings.port, host: "127.0.0.1" });
