import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createEngineFromConfig } from "../../src/library/index.js";
import { buildServer } from "../../src/server/index.js";
import { expectErrorBody, type ErrorKind } from "../support/client-protocol-routes.js";
import { startMockUpstream, textReply, withFaults, type MockUpstream } from "../support/mock-upstream.js";
import { postClientStream } from "../support/post-client-stream.js";
import { mockProviderEnvironment, mockTargets, startTestGateway, testConfigDirectory, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

const timeoutKind: ErrorKind = { openai: ["server_error", "upstream_timeout"], responses: ["server_error", "timeout"], anthropic: "timeout_error", gemini: "DEADLINE_EXCEEDED" };

describe("per-provider stream settings (<NAME>_STREAM_*)", () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({
      env: {
        SWITCHYARD_TTFB_TIMEOUT_MS: "5000",
        SWITCHYARD_HEARTBEAT_MS: "0",
        SWITCHYARD_MAX_RETRIES: "0",
        OPENAI_STREAM_TTFB_MS: "200",
        ANTHROPIC_STREAM_HEARTBEAT_MS: "20",
      },
    });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it("a provider's own TTFB deadline applies to its attempts only", async () => {
    gateway.mock.script(textReply("late", { delayMs: 600 }));
    const late = await postClientStream(gateway.baseUrl, "openai-chat", mockTargets["openai-chat"].model);
    expect(late.status).toBe(504);
    expect(expectErrorBody("openai-chat", 504, timeoutKind, await late.json())).toBe("openai: no response within the 200 ms time-to-first-byte deadline");

    gateway.mock.script(textReply("late but fine", { delayMs: 600 }));
    const fine = await postClientStream(gateway.baseUrl, "openai-chat", mockTargets["anthropic-messages"].model);
    expect(fine.status).toBe(200);
    expect(await fine.text()).toContain("late but fine".split(" ")[0]);
  });

  it("a provider's own heartbeat interval: pings for its streams, none for the others", async () => {
    const slow = () => withFaults(textReply("slow but steady"), { frameIntervalMs: 100 });
    gateway.mock.script(slow());
    const anthropic = await (await postClientStream(gateway.baseUrl, "anthropic-messages", mockTargets["anthropic-messages"].model)).text();
    expect(anthropic.split('event: ping\ndata: {"type":"ping"}\n\n').length - 1).toBeGreaterThanOrEqual(2);
    gateway.mock.script(slow());
    const openai = await (await postClientStream(gateway.baseUrl, "openai-chat", mockTargets["openai-chat"].model)).text();
    expect(openai).not.toContain(": keep-alive");
    expect(openai).toContain("[DONE]");
  });
});

describe("cancel-on-disconnect", () => {
  let mock: MockUpstream;
  let baseUrl: string;
  let engine: ReturnType<typeof createEngineFromConfig>;
  let close: () => Promise<void>;
  const lines: Array<Record<string, unknown>> = [];
  beforeAll(async () => {
    mock = await startMockUpstream();
    const config = loadConfig({
      env: { SWITCHYARD_PROXY_KEYS: testProxyKey, SWITCHYARD_HEARTBEAT_MS: "0", ...mockProviderEnvironment(mock.baseUrl), ANTHROPIC_STREAM_CANCEL_ON_DISCONNECT: "0" },
      cwd: testConfigDirectory,
      dotenv: false,
    });
    const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    engine = createEngineFromConfig(config, logger);
    const app = buildServer({ gateway: engine, proxyKeys: [testProxyKey], logger: false });
    await app.listen({ host: "127.0.0.1", port: 0 });
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    close = async () => {
      app.server.closeAllConnections();
      await app.close();
      await mock.close();
    };
  });
  afterAll(async () => {
    await close();
  });

  /** In-flight requests on a provider's credentials (its concurrency slots in use). */
  async function inFlight(provider: string): Promise<number> {
    const status = await engine.credentials?.status();
    return status?.find((entry) => entry.provider === provider)?.credentials.reduce((sum, credential) => sum + credential.inFlight, 0) ?? Number.NaN;
  }

  /** Opens a stream of eight words 60 ms apart, reads its first bytes, leaves, and returns the request's log line. */
  async function leaveEarly(model: string): Promise<Record<string, unknown>> {
    lines.length = 0;
    mock.script(withFaults(textReply("one two three four five six seven eight"), { frameIntervalMs: 60 }));
    const controller = new AbortController();
    // An Anthropic client: its streams always report usage (message_start, then the final count in message_delta).
    const response = await postClientStream(baseUrl, "anthropic-messages", model, controller.signal);
    await response.body?.getReader().read();
    const leftAt = Date.now();
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const slotsRightAfter = await inFlight(model.split("/")[0] ?? "");
    for (let tries = 0; tries < 200 && !lines.some((line) => line["event"] === "request.completed"); tries++) await new Promise((resolve) => setTimeout(resolve, 10));
    const line = lines.find((entry) => entry["event"] === "request.completed");
    if (line === undefined) throw new Error("no request.completed line");
    return { ...line, loggedAfterMs: Date.now() - leftAt, slotsRightAfter, slotsAtEnd: await inFlight(model.split("/")[0] ?? "") };
  }

  it("off for a provider: the upstream call runs to its end after the client left, and its usage is recorded", async () => {
    const line = await leaveEarly(mockTargets["anthropic-messages"].model);
    expect(line).toMatchObject({ provider: "anthropic", cancelled: true, outcome: "cancelled", drainedAfterDisconnect: true, usage: expect.objectContaining({ outputTokens: 8 }) });
    // The rest of the stream (about ten frames 60 ms apart) was read before the line was written.
    expect(line["loggedAfterMs"]).toBeGreaterThanOrEqual(300);
    // The credential's slot stays taken while the upstream call runs, and comes back when it ends.
    expect([line["slotsRightAfter"], line["slotsAtEnd"]]).toEqual([1, 0]);
  });

  it("on (the default) for the others: the upstream call is aborted at once and no usage arrives", async () => {
    const line = await leaveEarly(mockTargets["openai-chat"].model);
    expect(line).toMatchObject({ provider: "openai", cancelled: true, outcome: "cancelled" });
    expect(line["drainedAfterDisconnect"]).toBeUndefined();
    // The final usage (8 output tokens) comes with the last frames, which were never read.
    expect((line["usage"] as { outputTokens?: number } | undefined)?.outputTokens).not.toBe(8);
    expect(line["loggedAfterMs"]).toBeLessThan(300);
    expect([line["slotsRightAfter"], line["slotsAtEnd"]]).toEqual([0, 0]);
  });
});
