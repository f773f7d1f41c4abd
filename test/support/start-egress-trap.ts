import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";

/** A loopback HTTP(S) proxy that refuses everything and remembers where each attempt wanted to go. */
export interface EgressTrap {
  /** `http://127.0.0.1:<port>`, for `HTTPS_PROXY` / `HTTP_PROXY`. */
  proxyUrl: string;
  /** `host:port` of every CONNECT and the URL of every plain proxied request, in arrival order. */
  attempts: string[];
  close(): Promise<void>;
}

/**
 * Starts the trap. Given to a CLI as its proxy (with `NO_PROXY=127.0.0.1,localhost`), it turns any call home a CLI
 * makes (telemetry, update checks, plugin sync) into a recorded, failed attempt instead of real traffic.
 */
export async function startEgressTrap(): Promise<EgressTrap> {
  const attempts: string[] = [];
  const server = createServer((request, response) => {
    attempts.push(request.url ?? "");
    response.writeHead(403).end();
  });
  server.on("connect", (request: IncomingMessage, socket: Duplex) => {
    attempts.push(request.url ?? "");
    socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    proxyUrl: `http://127.0.0.1:${port}`,
    attempts,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
