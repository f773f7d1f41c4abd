import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createEngineFromConfig } from "../../src/library/index.js";
import { buildServer } from "../../src/server/index.js";
import type { ProtocolId } from "../../src/unified/index.js";
import { clientProtocols, clientRoutes } from "../support/client-protocol-routes.js";
import { answerReply, startMockUpstream, type MockUpstream } from "../support/mock-upstream.js";
import { mockProviderEnvironment, mockTargets, testConfigDirectory, testProxyKey } from "../support/start-test-gateway.js";

// The one `request.completed` line per request carries the served attempt's usage for non-streamed answers too:
// translated answers are decoded anyway, passthrough answers go to the client as bytes and their usage is read from
// the text without parsing the whole body.

let mock: MockUpstream;
let app: ReturnType<typeof buildServer>;
const completed: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  mock = await startMockUpstream();
  const config = loadConfig({ env: { ...mockProviderEnvironment(mock.baseUrl), SWITCHYARD_PROXY_KEYS: testProxyKey, SWITCHYARD_MAX_RETRIES: "0" }, cwd: testConfigDirectory, dotenv: false });
  const logger = pino({ level: "info" }, {
    write(line: string) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry["event"] === "request.completed") completed.push(entry);
    },
  });
  app = buildServer({ gateway: createEngineFromConfig(config, logger), proxyKeys: [testProxyKey], bodyLimitBytes: config.limits.bodyBytes, jsonDepthLimit: config.limits.jsonDepth, logger: false });
});
afterAll(async () => {
  await app.close();
  await mock.close();
});
beforeEach(() => {
  completed.length = 0;
  mock.reset();
});

async function send(client: ProtocolId, provider: ProtocolId): Promise<Record<string, unknown>> {
  mock.script(answerReply({ text: "counted", usage: { input: 31, output: 7 } }));
  const route = clientRoutes[client];
  const model = mockTargets[provider].model;
  const response = await app.inject({ method: "POST", url: route.path(model, false), headers: { ...route.keyHeader(testProxyKey), "content-type": "application/json" }, payload: route.body(model, false) });
  expect(response.statusCode).toBe(200);
  // A non-streamed answer's line is written in the check phase after the answer went out.
  await new Promise((resolve) => setImmediate(resolve));
  expect(completed).toHaveLength(1);
  return completed[0] ?? {};
}

describe("the request log line reports usage of non-streamed answers", () => {
  it.each(clientProtocols)("passthrough, %s client and provider", async (protocol) => {
    const line = await send(protocol, protocol);
    expect(line["passthrough"]).toBe(true);
    expect(line["usage"]).toMatchObject({ inputTokens: 31, outputTokens: 7 });
  });

  it.each(clientProtocols.filter((protocol) => protocol !== "anthropic-messages"))("translated, %s client to an Anthropic provider", async (protocol) => {
    const line = await send(protocol, "anthropic-messages");
    expect(line["passthrough"]).toBe(false);
    expect(line["usage"]).toMatchObject({ inputTokens: 31, outputTokens: 7 });
  });
});
