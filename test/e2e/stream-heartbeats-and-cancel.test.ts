import Anthropic from "@anthropic-ai/sdk";
import type { AddressInfo } from "node:net";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createEngineFromConfig } from "../../src/library/index.js";
import { buildServer } from "../../src/server/index.js";
import type { ProtocolId } from "../../src/unified/index.js";
import { clientProtocols } from "../support/client-protocol-routes.js";
import { startMockUpstream, textReply, withFaults, type MockUpstream } from "../support/mock-upstream.js";
import { framesToFirstText, postClientStream as postStream } from "../support/post-client-stream.js";
import { startSocketWatchProxy, type SocketWatchProxy } from "../support/start-socket-watch-proxy.js";
import { mockProviderEnvironment, mockTargets, startTestGateway, testConfigDirectory, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

const keepAliveOf: Record<ProtocolId, string> = {
  "openai-chat": ": keep-alive\n\n",
  "openai-responses": ": keep-alive\n\n",
  "anthropic-messages": 'event: ping\ndata: {"type":"ping"}\n\n',
  gemini: ": keep-alive\n\n",
};

describe("heartbeats while the upstream is silent", () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ env: { SWITCHYARD_HEARTBEAT_MS: "25", SWITCHYARD_STALL_TIMEOUT_MS: "5000" } });
  });
  afterAll(async () => {
    await gateway.close();
  });
  /** Every frame comes 120 ms after the last: several heartbeats fit in each gap. */
  const slowText = (): ReturnType<typeof textReply> => withFaults(textReply("slow but steady"), { frameIntervalMs: 120 });

  it.each(clientProtocols)("a raw %s client gets its protocol's keep-alive between frames, never inside one", async (protocol) => {
    gateway.mock.script(slowText());
    const response = await postStream(gateway.baseUrl, protocol, mockTargets[protocol].model);
    const text = await response.text();
    expect(response.status).toBe(200);
    const keepAlive = keepAliveOf[protocol];
    expect(text.split(keepAlive).length - 1).toBeGreaterThanOrEqual(2);
    // With the keep-alives taken out, every frame is whole.
    for (const frame of text.split(keepAlive).join("").split("\n\n").filter((part) => part !== "")) expect(frame).toMatch(/^(event: [a-z_.]+\n)?data: /);
  });

  it("the openai SDK parses a Chat stream with heartbeats (passthrough and translated)", async () => {
    const client = new OpenAI({ apiKey: testProxyKey, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0 });
    for (const model of [mockTargets["openai-chat"].model, mockTargets["anthropic-messages"].model]) {
      gateway.mock.script(slowText());
      const stream = client.chat.completions.stream({ model, messages: [{ role: "user", content: "hi" }], stream: true });
      const completion = await stream.finalChatCompletion();
      expect(completion.choices[0]?.message.content).toBe("slow but steady");
    }
  });

  it("the openai SDK parses a Responses stream with heartbeats", async () => {
    const client = new OpenAI({ apiKey: testProxyKey, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0 });
    gateway.mock.script(slowText());
    const stream = client.responses.stream({ model: mockTargets["openai-responses"].model, input: "hi" });
    expect((await stream.finalResponse()).output_text).toBe("slow but steady");
  });

  it("the Anthropic SDK parses a stream with ping heartbeats (passthrough and translated)", async () => {
    const client = new Anthropic({ apiKey: testProxyKey, baseURL: gateway.baseUrl, maxRetries: 0 });
    for (const model of [mockTargets["anthropic-messages"].model, mockTargets["openai-chat"].model]) {
      gateway.mock.script(slowText());
      const message = await client.messages.stream({ model, max_tokens: 16, messages: [{ role: "user", content: "hi" }] }).finalMessage();
      expect(message.content).toEqual([expect.objectContaining({ type: "text", text: "slow but steady" })]);
    }
  });
});

describe("client disconnect", () => {
  let mock: MockUpstream;
  let proxy: SocketWatchProxy;
  let baseUrl: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    mock = await startMockUpstream();
    // The gateway reaches the mock through a TCP proxy that times when the gateway closes each upstream socket.
    proxy = await startSocketWatchProxy(mock.port);
    const config = loadConfig({ env: { SWITCHYARD_PROXY_KEYS: testProxyKey, ...mockProviderEnvironment(proxy.baseUrl) }, cwd: testConfigDirectory, dotenv: false });
    const app = buildServer({ gateway: createEngineFromConfig(config), proxyKeys: [testProxyKey], logger: false });
    await app.listen({ host: "127.0.0.1", port: 0 });
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    close = async () => {
      app.server.closeAllConnections();
      await app.close();
      await proxy.close();
      await mock.close();
    };
  });
  afterAll(async () => {
    await close();
  });

  /** Starts a stream that stalls forever after its first text, reads its first bytes, and returns the abort. */
  async function openStalledStream(protocol: ProtocolId, upstream: ProtocolId): Promise<() => void> {
    mock.script(withFaults(textReply("hello there, world"), { stall: { afterFrames: framesToFirstText[upstream] } }));
    const controller = new AbortController();
    const response = await postStream(baseUrl, protocol, mockTargets[upstream].model, controller.signal);
    const reader = response.body?.getReader();
    await reader?.read();
    return () => controller.abort();
  }

  it.each([
    ["openai-chat", "openai-chat"],
    ["openai-responses", "openai-responses"],
    ["anthropic-messages", "anthropic-messages"],
    ["gemini", "gemini"],
    ["anthropic-messages", "openai-chat"],
    ["openai-chat", "gemini"],
  ] as const)("a %s client leaving a %s stream closes the upstream socket within 100 ms", async (protocol, upstream) => {
    const abort = await openStalledStream(protocol, upstream);
    const open = proxy.connections.filter((connection) => connection.closedAt === undefined);
    expect(open).toHaveLength(1);
    const connection = open[0];
    if (connection === undefined) throw new Error("no upstream connection");
    const abortedAt = performance.now();
    abort();
    const closedAt = await proxy.closed(connection);
    expect(closedAt - abortedAt).toBeLessThan(100);
  });

  it("leaves no timer or socket behind after 200 aborted streams", async () => {
    const count = (): Record<string, number> => {
      const counts: Record<string, number> = {};
      for (const resource of process.getActiveResourcesInfo()) counts[resource] = (counts[resource] ?? 0) + 1;
      return counts;
    };
    const settle = async (): Promise<void> => {
      for (let tries = 0; tries < 100 && proxy.connections.some((connection) => connection.closedAt === undefined); tries++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    };
    (await openStalledStream("openai-chat", "openai-chat"))();
    await settle();
    const before = count();
    for (let batch = 0; batch < 10; batch++) {
      const aborts = await Promise.all(Array.from({ length: 20 }, (_, index) => openStalledStream(clientProtocols[index % 4] ?? "openai-chat", clientProtocols[index % 4] ?? "openai-chat")));
      // The measurement sees live streams: 20 open client and upstream sockets right now.
      expect(count()["TCPSocketWrap"] ?? 0).toBeGreaterThanOrEqual(40);
      for (const abort of aborts) abort();
    }
    await settle();
    const after = count();
    expect(proxy.connections.filter((connection) => connection.closedAt === undefined)).toHaveLength(0);
    // Back at the baseline or below (the baseline may still hold the warm-up's last timer), kind by kind.
    for (const [kind, afterCount] of Object.entries(after)) expect({ kind, count: afterCount }).toEqual({ kind, count: Math.min(afterCount, before[kind] ?? 0) });
  });
});
