import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startMockUpstream, textReply, toolCallReply, type MockUpstream, type RecordedRequest } from "../support/mock-upstream.js";
import { codingCliEnvironment, createCodingCliSandbox, findCodingCli, runCodingCli, writeCodexConfig, type CodingCliSandbox } from "../support/run-coding-cli.js";
import { startEgressTrap, type EgressTrap } from "../support/start-egress-trap.js";
import { startLoopbackGateway, type LoopbackGateway } from "../support/start-loopback-gateway.js";

// Codex 0.169 (`wire_api = "responses"`) through the gateway to an OpenAI Chat upstream, a tool turn included, all
// on 127.0.0.1. The Anthropic-upstream variant lives in coding-clis.test.ts.

const cliTimeoutMs = 60_000;
const codex = findCodingCli("codex");
if (codex === undefined) console.warn("codex-responses: node_modules/.bin/codex is missing; the Codex Chat test is skipped");

type WireObject = Record<string, unknown>;

function bodyOf(request: RecordedRequest | undefined): WireObject {
  expect(request?.json).toBeTypeOf("object");
  return request?.json as WireObject;
}

const title = codex === undefined ? "Codex → Switchyard → OpenAI chat upstream (skipped: node_modules/.bin/codex is missing)" : "Codex → Switchyard → OpenAI chat upstream";

describe.skipIf(codex === undefined)(title, () => {
  let mock: MockUpstream;
  let sandbox: CodingCliSandbox;
  let gateway: LoopbackGateway;
  let trap: EgressTrap;
  beforeAll(async () => {
    mock = await startMockUpstream();
    sandbox = await createCodingCliSandbox("codex-chat");
    gateway = await startLoopbackGateway(
      { OPENAI_API_KEY: "sk-openai-mock", OPENAI_API_BASE: `${mock.baseUrl}/v1`, SWITCHYARD_ALIASES: "gpt-mock-*=openai/gpt-mock-chat" },
      sandbox.root,
    );
    trap = await startEgressTrap();
  });
  afterAll(async () => {
    await gateway.close();
    await mock.close();
    await trap.close();
    await sandbox.remove();
  });
  beforeEach(() => mock.reset());

  it("runs exec_command through a tool turn", { timeout: cliTimeoutMs + 10_000 }, async () => {
    mock.script(
      toolCallReply({ id: "call_exec_1", name: "exec_command", arguments: { cmd: "echo tool-ran-ok" } }),
      textReply("The command printed tool-ran-ok."),
    );
    const codexHome = join(sandbox.root, "codex-home");
    await writeCodexConfig(codexHome, { baseUrl: `${gateway.baseUrl}/v1`, model: "gpt-mock-large", envKey: "SWITCHYARD_TEST_KEY" });

    const run = await runCodingCli({
      command: codex ?? "codex",
      args: ["exec", "--skip-git-repo-check", "Run echo tool-ran-ok and tell me what it printed."],
      cwd: sandbox.work,
      timeoutMs: cliTimeoutMs,
      env: codingCliEnvironment(sandbox.home, {
        // Any call home Codex forgets to skip goes to the trap instead of the internet; the gateway itself is exempt.
        HTTPS_PROXY: trap.proxyUrl,
        HTTP_PROXY: trap.proxyUrl,
        NO_PROXY: "127.0.0.1,localhost",
        CODEX_HOME: codexHome,
        SWITCHYARD_TEST_KEY: "sk-codex-cli-test",
      }),
    });

    expect({ code: run.code, timedOut: run.timedOut }, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toEqual({ code: 0, timedOut: false });
    expect(run.stdout).toBe("The command printed tool-ran-ok.\n");
    expect(run.stderr).toContain("/bin/bash -lc 'echo tool-ran-ok'");
    expect(mock.received.map((request) => `${request.method} ${request.path}`)).toEqual(["POST /v1/chat/completions", "POST /v1/chat/completions"]);
    const [first, second] = mock.generateRequests();
    expect(bodyOf(first)).toMatchObject({ model: "gpt-mock-chat", stream: true });
    const firstMessages = bodyOf(first)["messages"] as WireObject[];
    expect(firstMessages.at(-1)).toEqual({ role: "user", content: "Run echo tool-ran-ok and tell me what it printed." });
    // Responses function tools arrive as Chat function tools.
    const tools = bodyOf(first)["tools"] as WireObject[];
    expect(tools.find((tool) => (tool["function"] as WireObject | undefined)?.["name"] === "exec_command")).toMatchObject({
      type: "function",
      function: { name: "exec_command", parameters: { type: "object", properties: expect.objectContaining({ cmd: expect.objectContaining({ type: "string" }) }) } },
    });

    // Turn 2: the assistant's call, then Codex's exec output as a `role:"tool"` message.
    const [assistant, tool] = (bodyOf(second)["messages"] as WireObject[]).slice(-2);
    expect(assistant).toEqual({
      role: "assistant",
      content: null,
      tool_calls: [{ id: "call_exec_1", type: "function", function: { name: "exec_command", arguments: JSON.stringify({ cmd: "echo tool-ran-ok" }) } }],
    });
    expect(tool).toEqual({ role: "tool", tool_call_id: "call_exec_1", content: expect.any(String) });
    // Codex 0.169's unified-exec output; the chunk id and timings vary.
    expect(tool?.["content"]).toMatch(/^Chunk ID: \w+\nWall time: [\d.]+ seconds\nProcess exited with code 0\nOriginal token count: \d+\nOutput:\ntool-ran-ok\n$/);

    expect(gateway.address).toMatchObject({ address: "127.0.0.1", family: "IPv4" });
    expect(mock.received.map((request) => request.headers["host"])).toEqual([`127.0.0.1:${mock.port}`, `127.0.0.1:${mock.port}`]);
    expect(trap.attempts).toEqual([]);
  });
});
