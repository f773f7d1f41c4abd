import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startMockUpstream, textReply, thinkingReply, toolCallReply, type MockUpstream, type RecordedRequest } from "../support/mock-upstream.js";
import {
  codingCliEnvironment,
  createCodingCliSandbox,
  findCodingCli,
  runCodingCli,
  writeCodexConfig,
  type CodingCliRun,
  type CodingCliSandbox,
} from "../support/run-coding-cli.js";
import { startEgressTrap, type EgressTrap } from "../support/start-egress-trap.js";
import { startLoopbackGateway, type LoopbackGateway } from "../support/start-loopback-gateway.js";

// The real coding CLIs (devDependencies pinned to Claude Code 2.1.197 and Codex 0.169.0) drive a tool turn through
// the gateway to an upstream of another protocol, entirely on 127.0.0.1.

/** The CLIs retry with backoff on errors; a broken gateway shows up as a timeout rather than a hang. */
const cliTimeoutMs = 60_000;
const testTimeoutMs = cliTimeoutMs + 10_000;
const claude = findCodingCli("claude");
const codex = findCodingCli("codex");

function suiteName(name: string, binary: string | undefined, bin: string): string {
  return binary === undefined ? `${name} (skipped: node_modules/.bin/${bin} is missing; run npm install)` : name;
}
if (claude === undefined) console.warn("coding-clis: node_modules/.bin/claude is missing; the Claude Code tests are skipped");
if (codex === undefined) console.warn("coding-clis: node_modules/.bin/codex is missing; the Codex tests are skipped");

interface Harness {
  mock: MockUpstream;
  gateway: LoopbackGateway;
  trap: EgressTrap;
  sandbox: CodingCliSandbox;
}

async function startHarness(label: string, gatewayEnv: (mock: MockUpstream) => Record<string, string>): Promise<Harness> {
  const mock = await startMockUpstream();
  const sandbox = await createCodingCliSandbox(label);
  const gateway = await startLoopbackGateway(gatewayEnv(mock), sandbox.root);
  const trap = await startEgressTrap();
  return { mock, gateway, trap, sandbox };
}

async function stopHarness(harness: Harness | undefined): Promise<void> {
  if (harness === undefined) return;
  await harness.gateway.close();
  await harness.mock.close();
  await harness.trap.close();
  await harness.sandbox.remove();
}

/** Any call home a CLI forgets to skip goes to the trap instead of the internet; the gateway itself is exempt. */
function egressEnvironment(trap: EgressTrap): Record<string, string> {
  return { HTTPS_PROXY: trap.proxyUrl, HTTP_PROXY: trap.proxyUrl, NO_PROXY: "127.0.0.1,localhost" };
}

/** Shows the CLI's own output when it failed, which says far more than the exit code. */
function expectCleanExit(run: CodingCliRun): void {
  expect({ code: run.code, timedOut: run.timedOut }, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toEqual({ code: 0, timedOut: false });
}

/** The gateway listened on loopback only, reached only the mock, and no CLI tried to leave the machine. */
function expectLoopbackOnly(harness: Harness, calls: number): void {
  expect(harness.gateway.address).toMatchObject({ address: "127.0.0.1", family: "IPv4" });
  expect(harness.mock.received.map((request) => request.headers["host"])).toEqual(Array(calls).fill(`127.0.0.1:${harness.mock.port}`));
  expect(harness.trap.attempts).toEqual([]);
}

type WireObject = Record<string, unknown>;

function bodyOf(request: RecordedRequest | undefined): WireObject {
  expect(request?.json).toBeTypeOf("object");
  return request?.json as WireObject;
}

function messagesOf(request: RecordedRequest | undefined): WireObject[] {
  return bodyOf(request)["messages"] as WireObject[];
}

function toolsOf(request: RecordedRequest | undefined): WireObject[] {
  return bodyOf(request)["tools"] as WireObject[];
}

/** `claude -p --output-format json` prints one result object. */
interface ClaudeResult {
  type: string;
  subtype: string;
  is_error: boolean;
  num_turns: number;
  result: string;
}

describe.skipIf(claude === undefined)(suiteName("Claude Code → Switchyard → OpenAI chat upstream", claude, "claude"), () => {
  let harness: Harness | undefined;
  beforeAll(async () => {
    harness = await startHarness("claude", (mock) => ({
      OPENAI_API_KEY: "sk-openai-mock",
      OPENAI_API_BASE: `${mock.baseUrl}/v1`,
      // Claude Code asks for claude-opus-4-8 unless told otherwise; the alias sends every claude-* model to OpenAI.
      SWITCHYARD_ALIASES: "claude-*=openai/gpt-mock-large",
    }));
  });
  afterAll(() => stopHarness(harness));
  beforeEach(() => harness?.mock.reset());

  async function runClaude(h: Harness, prompt: string): Promise<{ run: CodingCliRun; result: ClaudeResult }> {
    const run = await runCodingCli({
      command: claude ?? "claude",
      args: ["-p", prompt, "--output-format", "json"],
      cwd: h.sandbox.work,
      timeoutMs: cliTimeoutMs,
      env: codingCliEnvironment(h.sandbox.home, {
        ...egressEnvironment(h.trap),
        ANTHROPIC_BASE_URL: h.gateway.baseUrl,
        ANTHROPIC_API_KEY: "sk-ant-cli-test",
        DISABLE_AUTOUPDATER: "1",
        DISABLE_TELEMETRY: "1",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      }),
    });
    expectCleanExit(run);
    return { run, result: JSON.parse(run.stdout) as ClaudeResult };
  }

  /**
   * Turn 2 as OpenAI sees it: the assistant's call (with the turn's `reasoning_content` when the upstream gave
   * some) and Claude Code's Read output as a `role:"tool"` message.
   */
  function expectReadToolTurn(second: RecordedRequest | undefined, notePath: string, callId: string, reasoningContent?: string): void {
    expect(messagesOf(second).slice(-2)).toEqual([
      {
        role: "assistant",
        content: null,
        ...(reasoningContent === undefined ? {} : { reasoning_content: reasoningContent }),
        tool_calls: [{ id: callId, type: "function", function: { name: "Read", arguments: JSON.stringify({ file_path: notePath }) } }],
      },
      // Claude Code 2.1.197's Read output: `cat -n`-style numbered lines.
      { role: "tool", tool_call_id: callId, content: "1\tthe secret word is pineapple\n2\t" },
    ]);
  }

  it("reads a file through a tool turn", { timeout: testTimeoutMs }, async () => {
    const h = harness!;
    const notePath = join(h.sandbox.work, "note.txt");
    await writeFile(notePath, "the secret word is pineapple\n");
    h.mock.script(
      toolCallReply({ id: "call_read_note", name: "Read", arguments: { file_path: notePath } }),
      textReply("The note says the secret word is pineapple."),
    );

    const { result } = await runClaude(h, "What does note.txt say?");

    expect(result).toMatchObject({ type: "result", subtype: "success", is_error: false, num_turns: 2, result: "The note says the secret word is pineapple." });
    const [first, second] = h.mock.generateRequests();
    expect(h.mock.received.map((request) => `${request.method} ${request.path}`)).toEqual(["POST /v1/chat/completions", "POST /v1/chat/completions"]);
    expect(bodyOf(first)).toMatchObject({ model: "gpt-mock-large", stream: true, max_completion_tokens: 64_000 });
    // Anthropic `{name, description, input_schema}` tools arrive as OpenAI function tools, schema untouched.
    const tools = toolsOf(first);
    expect(tools.length).toBeGreaterThan(10);
    expect(tools.every((tool) => tool["type"] === "function" && !("input_schema" in tool))).toBe(true);
    expect(tools.find((tool) => (tool["function"] as WireObject)["name"] === "Read")).toEqual({
      type: "function",
      function: {
        name: "Read",
        description: expect.stringContaining("Reads a file from the local filesystem."),
        parameters: expect.objectContaining({
          type: "object",
          properties: expect.objectContaining({ file_path: { description: "The absolute path to the file to read", type: "string" } }),
          required: ["file_path"],
          additionalProperties: false,
        }),
      },
    });
    expect(messagesOf(first)[0]).toMatchObject({ role: "system" });
    expectReadToolTurn(second, notePath, "call_read_note");
    expect(toolsOf(second)).toEqual(tools);
    expectLoopbackOnly(h, 2);
  });

  // DeepSeek / Kimi-style upstreams reject a tool turn whose assistant message lacks the reasoning_content it was
  // produced with (claude-code-router #1378). Claude Code gets the Chat reasoning as a thinking block signed with the
  // bare origin tag (`swy1.openai-chat.`), sends it back verbatim, and the gateway replays it as reasoning_content.
  it("replays reasoning_content to the Chat upstream on the tool turn", { timeout: testTimeoutMs }, async () => {
    const h = harness!;
    const notePath = join(h.sandbox.work, "thinking-note.txt");
    await writeFile(notePath, "the secret word is pineapple\n");
    h.mock.script(
      toolCallReply({ id: "call_read_thinking", name: "Read", arguments: { file_path: notePath } }, { reasoning: { text: "I should read the note." } }),
      thinkingReply({ text: "The note names a fruit." }, "It is pineapple."),
    );

    const { result } = await runClaude(h, "What does thinking-note.txt say?");

    expect(result).toMatchObject({ subtype: "success", is_error: false, num_turns: 2, result: "It is pineapple." });
    expect(bodyOf(h.mock.generateRequests()[0])).toMatchObject({ reasoning_effort: "high" });
    expectReadToolTurn(h.mock.generateRequests()[1], notePath, "call_read_thinking", "I should read the note.");
    expectLoopbackOnly(h, 2);
  });
});

describe.skipIf(codex === undefined)(suiteName("Codex → Switchyard → Anthropic upstream", codex, "codex"), () => {
  let harness: Harness | undefined;
  beforeAll(async () => {
    harness = await startHarness("codex", (mock) => ({
      ANTHROPIC_API_KEY: "sk-ant-mock",
      ANTHROPIC_API_BASE: mock.baseUrl,
      SWITCHYARD_ALIASES: "gpt-mock-*=anthropic/claude-mock-sonnet",
    }));
  });
  afterAll(() => stopHarness(harness));
  beforeEach(() => harness?.mock.reset());

  async function runCodex(h: Harness, prompt: string, options: readonly string[] = []): Promise<CodingCliRun> {
    const codexHome = join(h.sandbox.root, "codex-home");
    await writeCodexConfig(codexHome, { baseUrl: `${h.gateway.baseUrl}/v1`, model: "gpt-mock-large", envKey: "SWITCHYARD_TEST_KEY" });
    const run = await runCodingCli({
      command: codex ?? "codex",
      args: ["exec", "--skip-git-repo-check", ...options, prompt],
      cwd: h.sandbox.work,
      timeoutMs: cliTimeoutMs,
      env: codingCliEnvironment(h.sandbox.home, { ...egressEnvironment(h.trap), CODEX_HOME: codexHome, SWITCHYARD_TEST_KEY: "sk-codex-cli-test" }),
    });
    expectCleanExit(run);
    return run;
  }

  /** Turn 2 as Anthropic sees it: the tool_use and, in the next user message, its tool_result with Codex's exec output. */
  function expectExecToolTurn(second: RecordedRequest | undefined, toolUseId: string, thinking: WireObject[]): void {
    const [assistant, user] = messagesOf(second).slice(-2);
    expect(assistant).toEqual({
      role: "assistant",
      content: [...thinking, { type: "tool_use", id: toolUseId, name: "exec_command", input: { cmd: "echo tool-ran-ok" } }],
    });
    expect(user).toEqual({ role: "user", content: [{ type: "tool_result", tool_use_id: toolUseId, content: expect.any(String) }] });
    const content = ((user?.["content"] as WireObject[])[0] as WireObject)["content"];
    // Codex 0.169's unified-exec output; the chunk id and timings vary.
    expect(content).toMatch(/^Chunk ID: \w+\nWall time: [\d.]+ seconds\nProcess exited with code 0\nOriginal token count: \d+\nOutput:\ntool-ran-ok\n$/);
    expect(toolUseId).toMatch(/^[a-zA-Z0-9_-]+$/);
  }

  it("runs exec_command through a tool turn", { timeout: testTimeoutMs }, async () => {
    const h = harness!;
    h.mock.script(
      toolCallReply({ id: "toolu_exec_1", name: "exec_command", arguments: { cmd: "echo tool-ran-ok" } }),
      textReply("The command printed tool-ran-ok."),
    );

    const run = await runCodex(h, "Run echo tool-ran-ok and tell me what it printed.");

    expect(run.stdout).toBe("The command printed tool-ran-ok.\n");
    expect(run.stderr).toContain("/bin/bash -lc 'echo tool-ran-ok'");
    const [first, second] = h.mock.generateRequests();
    expect(h.mock.received.map((request) => `${request.method} ${request.path}`)).toEqual(["POST /v1/messages", "POST /v1/messages"]);
    expect(bodyOf(first)).toMatchObject({
      model: "claude-mock-sonnet",
      stream: true,
      tool_choice: { type: "auto", disable_parallel_tool_use: false },
      system: expect.arrayContaining([expect.objectContaining({ type: "text", text: expect.stringContaining("Codex CLI") })]),
    });
    expect(messagesOf(first).at(-1)).toEqual({ role: "user", content: "Run echo tool-ran-ok and tell me what it printed." });
    // Responses function tools arrive as Anthropic tools with an object input_schema.
    expect(toolsOf(first).find((tool) => tool["name"] === "exec_command")).toMatchObject({
      name: "exec_command",
      description: expect.any(String),
      input_schema: { type: "object", properties: expect.objectContaining({ cmd: expect.objectContaining({ type: "string" }) }), required: ["cmd"] },
    });
    expectExecToolTurn(second, "toolu_exec_1", []);
    expectLoopbackOnly(h, 2);
  });

  it("sends the Anthropic thinking signature back verbatim on the tool turn", { timeout: testTimeoutMs }, async () => {
    const h = harness!;
    h.mock.script(
      toolCallReply(
        { id: "toolu_exec_2", name: "exec_command", arguments: { cmd: "echo tool-ran-ok" } },
        { reasoning: { text: "I should run it.", signature: "c2lnbmF0dXJlLW1vY2stMQ==" } },
      ),
      thinkingReply({ text: "It printed the marker.", signature: "c2lnbmF0dXJlLW1vY2stMg==" }, "The command printed tool-ran-ok."),
    );

    const run = await runCodex(h, "Run echo tool-ran-ok and tell me what it printed.");

    expect(run.stdout).toBe("The command printed tool-ran-ok.\n");
    // The signature rode through Codex as Responses `encrypted_content` and came back to its Anthropic origin.
    expectExecToolTurn(h.mock.generateRequests()[1], "toolu_exec_2", [
      { type: "thinking", thinking: "I should run it.", signature: "c2lnbmF0dXJlLW1vY2stMQ==" },
    ]);
    expectLoopbackOnly(h, 2);
  });
  it("shows Anthropic thinking as reasoning summaries when Codex asks for them", { timeout: testTimeoutMs }, async () => {
    const h = harness!;
    h.mock.script(
      toolCallReply(
        { id: "toolu_exec_3", name: "exec_command", arguments: { cmd: "echo tool-ran-ok" } },
        { reasoning: { text: "I should run it.", signature: "c2lnbmF0dXJlLW1vY2stMQ==" } },
      ),
      thinkingReply({ text: "It printed the marker.", signature: "c2lnbmF0dXJlLW1vY2stMg==" }, "The command printed tool-ran-ok."),
    );

    // Codex prints summaries, not raw reasoning, unless show_raw_agent_reasoning is set.
    const run = await runCodex(h, "Run echo tool-ran-ok and tell me what it printed.", ["-c", 'model_reasoning_summary="detailed"']);

    expect(run.stdout).toBe("The command printed tool-ran-ok.\n");
    expect(run.stderr).toContain("I should run it.");
    expect(run.stderr).toContain("It printed the marker.");
    expectExecToolTurn(h.mock.generateRequests()[1], "toolu_exec_3", [
      { type: "thinking", thinking: "I should run it.", signature: "c2lnbmF0dXJlLW1vY2stMQ==" },
    ]);
    expectLoopbackOnly(h, 2);
  });
});
