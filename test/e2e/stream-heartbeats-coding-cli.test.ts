import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createEngineFromConfig } from "../../src/library/index.js";
import { buildServer } from "../../src/server/index.js";
import { startMockUpstream, textReply, withFaults, type MockUpstream } from "../support/mock-upstream.js";
import { codingCliEnvironment, createCodingCliSandbox, findCodingCli, runCodingCli, type CodingCliSandbox } from "../support/run-coding-cli.js";
import { startEgressTrap, type EgressTrap } from "../support/start-egress-trap.js";

// Claude Code (the pinned devDependency) on a stream that goes silent for a while: the gateway's `ping` heartbeats
// fill the silence, and Claude Code must take the answer as if they were not there.

const cliTimeoutMs = 60_000;
const claude = findCodingCli("claude");
if (claude === undefined) console.warn("stream-heartbeats-coding-cli: node_modules/.bin/claude is missing; the test is skipped");

describe.skipIf(claude === undefined)("Claude Code with heartbeats on a silent stream", () => {
  let mock: MockUpstream;
  let trap: EgressTrap;
  let sandbox: CodingCliSandbox;
  let baseUrl: string;
  let close: () => Promise<void>;
  const lines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    mock = await startMockUpstream();
    trap = await startEgressTrap();
    sandbox = await createCodingCliSandbox("claude-heartbeats");
    const config = loadConfig({
      env: {
        ANTHROPIC_API_KEY: "sk-ant-mock",
        ANTHROPIC_API_BASE: mock.baseUrl,
        OPENAI_API_KEY: "sk-openai-mock",
        OPENAI_API_BASE: `${mock.baseUrl}/v1`,
        SWITCHYARD_HEARTBEAT_MS: "50",
      },
      cwd: sandbox.root,
      dotenv: false,
    });
    const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const app = buildServer({ gateway: createEngineFromConfig(config, logger), proxyKeys: [], logger: false });
    await app.listen({ host: "127.0.0.1", port: 0 });
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    close = async () => {
      app.server.closeAllConnections();
      await app.close();
    };
  });
  afterAll(async () => {
    await close();
    await mock.close();
    await trap.close();
    await sandbox.remove();
  });
  beforeEach(() => {
    mock.reset();
    lines.length = 0;
  });

  it.each([
    ["an Anthropic upstream (passthrough)", "anthropic/claude-mock-sonnet", "anthropic"],
    ["a Chat upstream (translated)", "openai/gpt-mock-large", "openai"],
  ])("answers through %s", { timeout: cliTimeoutMs + 10_000 }, async (_name, model, provider) => {
    // 600 ms of silence after the headers, then frames 150 ms apart: heartbeats before and between the frames.
    mock.script(withFaults(textReply("Heartbeats did not disturb me."), { stall: { afterFrames: 0, ms: 600 }, frameIntervalMs: 150 }));
    const run = await runCodingCli({
      command: claude ?? "claude",
      args: ["-p", "Say something.", "--output-format", "json"],
      cwd: sandbox.work,
      timeoutMs: cliTimeoutMs,
      env: codingCliEnvironment(sandbox.home, {
        HTTPS_PROXY: trap.proxyUrl,
        HTTP_PROXY: trap.proxyUrl,
        NO_PROXY: "127.0.0.1,localhost",
        ANTHROPIC_BASE_URL: baseUrl,
        ANTHROPIC_API_KEY: "sk-ant-cli-test",
        ANTHROPIC_MODEL: model,
        DISABLE_AUTOUPDATER: "1",
        DISABLE_TELEMETRY: "1",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      }),
    });
    expect({ code: run.code, timedOut: run.timedOut }, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toEqual({ code: 0, timedOut: false });
    expect(JSON.parse(run.stdout)).toMatchObject({ type: "result", subtype: "success", is_error: false, result: "Heartbeats did not disturb me." });
    // The heartbeats really went out on the stream Claude Code read, and it asked only once.
    const completed = lines.filter((line) => line["event"] === "request.completed" && line["stream"] === true);
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({ provider, outcome: "completed" });
    expect(completed[0]?.["heartbeats"]).toBeGreaterThanOrEqual(5);
    expect(trap.attempts).toEqual([]);
  });
});
