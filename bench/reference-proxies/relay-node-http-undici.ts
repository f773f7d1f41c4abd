import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { readReferenceProxySettings, relayThroughUndici } from "./reference-proxy-relay.js";

/**
 * The least an HTTP proxy in Node does: Node's own HTTP server reads the request, undici (the gateway's upstream
 * client) sends it on over a kept-alive connection, and the answer's bytes are written back as they come. No
 * routing, no parsing of the body, no logging: what it adds is the cost of Node's HTTP machinery alone.
 */
const settings = readReferenceProxySettings();

async function relay(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  await relayThroughUndici(settings, incoming.url ?? "/", incoming.headers, Buffer.concat(chunks), outgoing);
}

createServer((incoming, outgoing) => {
  relay(incoming, outgoing).catch(() => outgoing.destroy());
}).listen(settings.port, "127.0.0.1");
