import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Agent, request } from "undici";
import { forwardedHeaders, readReferenceProxySettings } from "./reference-proxy-settings.js";

/**
 * The least an HTTP proxy in Node does: Node's own HTTP server reads the request, undici (the gateway's upstream
 * client) sends it on over a kept-alive connection, and the answer's bytes are written back as they come. No
 * routing, no parsing of the body, no logging: what it adds is the cost of Node's HTTP machinery alone.
 */
const settings = readReferenceProxySettings();
const dispatcher = new Agent({ keepAliveTimeout: 60_000 });

async function relay(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const answer = await request(new URL(incoming.url ?? "/", settings.upstream), {
    method: "POST",
    headers: forwardedHeaders(incoming.headers),
    body: Buffer.concat(chunks),
    dispatcher,
  });
  outgoing.writeHead(answer.statusCode, { "content-type": String(answer.headers["content-type"] ?? "application/json") });
  for await (const chunk of answer.body) outgoing.write(chunk);
  outgoing.end();
}

createServer((incoming, outgoing) => {
  relay(incoming, outgoing).catch(() => outgoing.destroy());
}).listen(settings.port, "127.0.0.1");
