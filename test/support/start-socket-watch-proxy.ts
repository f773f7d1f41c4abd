import { connect, createServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

/** One connection through the proxy: when it opened and when the gateway side closed it. */
export interface WatchedConnection {
  openedAt: number;
  closedAt?: number;
}

/** A TCP proxy in front of an upstream that records when each connection closes (what the upstream sees). */
export interface SocketWatchProxy {
  /** `http://127.0.0.1:<port>`, to use as the provider base instead of the upstream's. */
  baseUrl: string;
  connections: WatchedConnection[];
  /** Resolves when the connection closes, with the time it closed (performance.now()). */
  closed(connection: WatchedConnection): Promise<number>;
  close(): Promise<void>;
}

/**
 * Starts a byte-for-byte TCP proxy to `127.0.0.1:upstreamPort`. The mock upstream keeps its sockets private; this
 * lets disconnect tests time exactly when the gateway closed its upstream connection.
 */
export async function startSocketWatchProxy(upstreamPort: number): Promise<SocketWatchProxy> {
  const connections: WatchedConnection[] = [];
  const waiters = new Map<WatchedConnection, Array<(at: number) => void>>();
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const connection: WatchedConnection = { openedAt: performance.now() };
    connections.push(connection);
    const upstream = connect(upstreamPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    client.on("close", () => {
      connection.closedAt = performance.now();
      for (const resolve of waiters.get(connection) ?? []) resolve(connection.closedAt);
      waiters.delete(connection);
      upstream.destroy();
    });
    upstream.on("close", () => client.destroy());
    client.on("error", () => undefined);
    upstream.on("error", () => undefined);
    client.on("close", () => sockets.delete(client));
    upstream.on("close", () => sockets.delete(upstream));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    connections,
    closed(connection) {
      if (connection.closedAt !== undefined) return Promise.resolve(connection.closedAt);
      return new Promise((resolve) => waiters.set(connection, [...(waiters.get(connection) ?? []), resolve]));
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
