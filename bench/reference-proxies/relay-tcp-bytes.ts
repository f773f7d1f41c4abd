import { connect, createServer } from "node:net";
import { readReferenceProxySettings } from "./reference-proxy-relay.js";

/**
 * The floor of one more hop: every client connection gets its own upstream connection and the bytes are piped both
 * ways, with no HTTP parsing at all. What it adds over hitting the upstream directly is the kernel's and the
 * scheduler's share of a proxy (two more socket hops, the proxy's wake-ups), which no HTTP proxy can go under.
 */
const settings = readReferenceProxySettings();
createServer({ noDelay: true }, (client) => {
  const upstream = connect({ host: settings.upstream.hostname, port: Number(settings.upstream.port), noDelay: true });
  client.pipe(upstream).pipe(client);
  client.on("error", () => upstream.destroy());
  upstream.on("error", () => client.destroy());
}).listen(settings.port, "127.0.0.1");
