import type { AddressInfo } from "node:net";
import { loadConfig } from "../../src/config/index.js";
import { createEngineFromConfig } from "../../src/library/index.js";
import { buildServer } from "../../src/server/index.js";

/** A gateway server listening on an ephemeral loopback port. */
export interface LoopbackGateway {
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  /** The socket address the server is bound to, for asserting it never left loopback. */
  address: AddressInfo;
  close(): Promise<void>;
}

/**
 * Loads the config from `env` only (no `.env`, no process.env: the developer's real keys must never reach a test;
 * `cwd` should be an empty temp dir so no stray switchyard.json is read) and serves it the way `switchyard serve`
 * does, but on 127.0.0.1:0.
 */
export async function startLoopbackGateway(env: Record<string, string>, cwd: string): Promise<LoopbackGateway> {
  const config = loadConfig({ env, cwd, dotenv: false });
  const app = buildServer({
    gateway: createEngineFromConfig(config),
    proxyKeys: config.proxyKeys.map((key) => key.secret),
    bodyLimitBytes: config.limits.bodyBytes,
    jsonDepthLimit: config.limits.jsonDepth,
    logger: false,
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${address.port}`, address, close: () => app.close() };
}
