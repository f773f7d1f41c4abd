import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { loadConfig, type GatewayConfig } from "../../src/config/index.js";
import { createEngineFromConfig } from "../../src/library/index.js";
import type { Gateway } from "../../src/pipeline/index.js";
import { buildServer } from "../../src/server/index.js";
import type { ProtocolId } from "../../src/unified/index.js";
import { startMockUpstream, type MockUpstream, type MockUpstreamOptions } from "./mock-upstream.js";

/** A provider behind the gateway, pointed at the mock upstream, for each provider protocol. */
export interface MockProviderTarget {
  /** Provider id in model strings. */
  provider: string;
  /** The model id the mock lists and the upstream receives. */
  upstreamModel: string;
  /** `provider/model`, what clients send. */
  model: string;
  /** The key the gateway sends upstream. */
  upstreamKey: string;
}

/** One provider per provider protocol, all served by the same mock upstream. */
export const mockTargets: Readonly<Record<ProtocolId, MockProviderTarget>> = {
  "openai-chat": { provider: "openai", upstreamModel: "gpt-mock-large", model: "openai/gpt-mock-large", upstreamKey: "sk-upstream-openai" },
  // OpenAI's own provider speaks Chat by default; a custom provider named by environment speaks Responses.
  "openai-responses": { provider: "responsesmock", upstreamModel: "gpt-mock-small", model: "responsesmock/gpt-mock-small", upstreamKey: "sk-upstream-responses" },
  "anthropic-messages": { provider: "anthropic", upstreamModel: "claude-mock-sonnet", model: "anthropic/claude-mock-sonnet", upstreamKey: "sk-ant-upstream" },
  gemini: { provider: "gemini", upstreamModel: "gemini-mock-pro", model: "gemini/gemini-mock-pro", upstreamKey: "gm-upstream-key" },
};

/** The four provider protocols, for `describe.each` tables. */
export const providerProtocols: readonly ProtocolId[] = ["openai-chat", "openai-responses", "anthropic-messages", "gemini"];

/** The proxy key every test gateway requires (so every SDK test also proves its key style is accepted). */
export const testProxyKey = "sk-switchyard-test";

/** The environment that points every provider at the mock upstream. */
export function mockProviderEnvironment(mockBaseUrl: string): Record<string, string> {
  return {
    OPENAI_API_KEY: mockTargets["openai-chat"].upstreamKey,
    OPENAI_API_BASE: `${mockBaseUrl}/v1`,
    RESPONSESMOCK_API_KEY: mockTargets["openai-responses"].upstreamKey,
    RESPONSESMOCK_API_BASE: `${mockBaseUrl}/v1`,
    RESPONSESMOCK_PROTOCOL: "openai-responses",
    ANTHROPIC_API_KEY: mockTargets["anthropic-messages"].upstreamKey,
    ANTHROPIC_API_BASE: mockBaseUrl,
    GEMINI_API_KEY: mockTargets.gemini.upstreamKey,
    GEMINI_API_BASE: mockBaseUrl,
  };
}

/** Options of `startTestGateway`. */
export interface TestGatewayOptions {
  /** Extra or overriding environment (e.g. `SWITCHYARD_BODY_LIMIT_BYTES`); `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** Leave out the mock providers (the demo provider then serves). */
  withoutProviders?: boolean;
  mock?: MockUpstreamOptions;
}

/** A request as the gateway received it from a client. */
export interface ClientRequestRecord {
  method: string;
  /** Path and query as sent. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body text exactly as received ("" when none). */
  bodyText: string;
}

/** A gateway listening on 127.0.0.1 with a mock upstream behind it. */
export interface TestGateway {
  /** `http://127.0.0.1:<port>` of the gateway. */
  baseUrl: string;
  mock: MockUpstream;
  /** Every client request in arrival order, so passthrough tests can compare it with what the mock received. */
  clientRequests: ClientRequestRecord[];
  /** Forgets client requests and resets the mock. */
  reset(): void;
  app: FastifyInstance;
  /** The engine behind the server (credential status and reset for tests that cool keys down). */
  engine: Gateway;
  config: GatewayConfig;
  close(): Promise<void>;
}

/** A directory without `.env` or `switchyard.json`, so nothing but the given environment configures a gateway. */
export const testConfigDirectory = fileURLToPath(new URL(".", import.meta.url));

/**
 * Starts the mock upstream and the real server (config → engine → Fastify) in process, both on ephemeral loopback
 * ports, configured only from the given environment. The proxy key is required unless the env overrides it.
 */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const mock = await startMockUpstream(options.mock);
  const env: Record<string, string | undefined> = {
    SWITCHYARD_PROXY_KEYS: testProxyKey,
    SWITCHYARD_DEMO_DELAY_MS: "0",
    ...(options.withoutProviders === true ? {} : mockProviderEnvironment(mock.baseUrl)),
    ...options.env,
  };
  const config = loadConfig({ env, cwd: testConfigDirectory, dotenv: false });
  const engine = createEngineFromConfig(config);
  const app = buildServer({
    gateway: engine,
    proxyKeys: config.proxyKeys.map((key) => key.secret),
    bodyLimitBytes: config.limits.bodyBytes,
    jsonDepthLimit: config.limits.jsonDepth,
    logger: false,
  });
  const clientRequests: ClientRequestRecord[] = [];
  app.addHook("preHandler", async (request) => {
    const body: unknown = request.body;
    const bodyText = typeof body === "object" && body !== null && typeof (body as { text?: unknown }).text === "string" ? (body as { text: string }).text : "";
    clientRequests.push({ method: request.method, url: request.raw.url ?? "/", headers: request.headers, bodyText });
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    mock,
    engine,
    app,
    config,
    clientRequests,
    reset() {
      clientRequests.length = 0;
      mock.reset();
    },
    async close() {
      // SDK keep-alive sockets would hold `close()` open; cut them, then stop the mock.
      app.server.closeAllConnections();
      await app.close();
      await mock.close();
    },
  };
}
