import { join } from "node:path";
import { loadConfig, type GatewayConfig } from "../config/index.js";
import { createEngineFromConfig, openStateStoreFromConfig } from "../library/index.js";
import { buildServer } from "../server/index.js";
import { openFileStateStore } from "../state/index.js";
import { GatewayError } from "../unified/index.js";
import { createLogger } from "./create-logger.js";

const loopbackHosts = new Set(["127.0.0.1", "::1", "localhost"]);

/** Refuses to expose an unauthenticated gateway beyond this machine. */
export function assertSafeBinding(config: GatewayConfig): void {
  if (config.proxyKeys.length === 0 && !loopbackHosts.has(config.host)) {
    throw new GatewayError(
      "config",
      `SWITCHYARD_HOST=${config.host} would expose the gateway without authentication: set SWITCHYARD_PROXY_KEYS (comma-separated keys clients must send) or listen on 127.0.0.1`,
    );
  }
}

/** `switchyard serve`: load config, build the server, listen, print a banner. */
export async function serveCommand(env: Record<string, string | undefined>, cwd: string): Promise<void> {
  const config = loadConfig({ env, cwd });
  assertSafeBinding(config);
  const logger = createLogger(config.logLevel);
  // Stored responses survive restarts: a Codex session continues with previous_response_id after a redeploy.
  const state = await openFileStateStore({
    path: join(config.dataDir, "responses.json"),
    onEvent: (event) => logger.warn({ event: `state.${event.kind}` }, "response store file"),
  });
  // Cooldowns, disabled keys, usage windows and affinity survive restarts (and `switchyard credentials` reads them).
  const credentialState = await openStateStoreFromConfig(config);
  const gateway = createEngineFromConfig(config, logger, { state, credentialState });
  const app = buildServer({
    gateway,
    proxyKeys: config.proxyKeys.map((key) => key.secret),
    bodyLimitBytes: config.limits.bodyBytes,
    jsonDepthLimit: config.limits.jsonDepth,
    logger,
    ...(config.responses === undefined ? {} : { backgroundResponses: config.responses }),
  });
  // Registered after the server's own hook, so background jobs have stopped writing before the last flush.
  app.addHook("onClose", () => state.close());
  app.addHook("onClose", () => credentialState.close());
  await app.listen({ host: config.host, port: config.port });
  for (const warning of config.warnings) logger.warn({ event: "config.warning" }, warning);
  process.stdout.write(banner(config));
  const shutdown = () => {
    void app.close().then(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

function banner(config: GatewayConfig): string {
  const lines = [`Switchyard listening on http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${config.port}`];
  if (config.providers.demoActive) {
    lines.push(
      "No provider credentials are configured: the built-in demo provider answers every model name.",
      "Copy .env.example to .env and set e.g. OPENAI_API_KEY or ANTHROPIC_API_KEY to use real models.",
    );
  }
  for (const provider of config.providers.providers) {
    lines.push(`  provider ${provider.id} (${provider.protocol}) ${provider.baseUrl} · ${provider.credentials.length} credential(s)`);
  }
  lines.push(config.proxyKeys.length === 0 ? "No proxy keys: open to this machine only." : `${config.proxyKeys.length} proxy key(s) required.`);
  return `${lines.join("\n")}\n`;
}
