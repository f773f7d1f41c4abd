import { mkdir, writeFile } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { textReply, toolCallReply, type RecordedRequest } from "../support/mock-upstream.js";
import { codingCliEnvironment, createCodingCliSandbox, findCodingCli, runCodingCli, type CodingCliSandbox } from "../support/run-coding-cli.js";
import { startEgressTrap, type EgressTrap } from "../support/start-egress-trap.js";
import { startTestGateway, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

// Codex 0.169 over the Responses WebSocket transport: a custom provider with `supports_websockets = true` makes Codex
// upgrade `GET /v1/responses` on the gateway (the path its built-in OpenAI provider takes), send its `generate:
// false` prewarm and then frames that continue with `previous_response_id` and only the new items. The gateway
// replays the connection's history to an Anthropic-protocol upstream, a tool turn included.

const cliTimeoutMs = 60_000;
const codex = findCodingCli("codex");
if (codex === undefined) console.warn("codex-websocket: node_modules/.bin/codex is missing; the Codex WebSocket test is skipped");

type WireObject = Record<string, unknown>;

function bodyOf(request: RecordedRequest | undefined): WireObject {
  expect(request?.json).toBeTypeOf("object");
  return request?.json as WireObject;
}

/** `$CODEX_HOME/config.toml` with a custom Responses provider that speaks the WebSocket transport. */
async function writeCodexWebSocketConfig(codexHome: string, baseUrl: string): Promise<void> {
  await mkdir(codexHome, { recursive: true });
  const toml = [
    'model = "gpt-mock-large"',
    'model_provider = "switchyard"',
    "check_for_update_on_startup = false",
    "",
    "[model_providers.switchyard]",
    'name = "Switchyard under test"',
    `base_url = "${baseUrl}"`,
    'env_key = "SWITCHYARD_TEST_KEY"',
    'wire_api = "responses"',
    "supports_websockets = true",
    "",
    "[analytics]",
    "enabled = false",
    "",
    "[features]",
    "plugins = false",
    "",
  ];
  await writeFile(join(codexHome, "config.toml"), toml.join("\n"));
}

/**
 * Reads the text messages a WebSocket client sends, from the raw bytes of the upgraded socket (client frames are
 * masked; the gateway negotiates no compression). Lets the test see Codex's own frames without touching the server.
 */
function watchClientMessages(request: IncomingMessage, messages: string[]): void {
  let buffered = Buffer.alloc(0);
  let fragments: Buffer[] = [];
  request.socket.on("data", (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      if (buffered.length < 2) return;
      const first = buffered[0] as number;
      const second = buffered[1] as number;
      let length = second & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffered.length < 4) return;
        length = buffered.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffered.length < 10) return;
        length = Number(buffered.readBigUInt64BE(2));
        offset = 10;
      }
      const masked = (second & 0x80) !== 0;
      const start = offset + (masked ? 4 : 0);
      if (buffered.length < start + length) return;
      const payload = Buffer.from(buffered.subarray(start, start + length));
      if (masked) for (let index = 0; index < payload.length; index++) payload[index] = (payload[index] as number) ^ (buffered[offset + (index % 4)] as number);
      buffered = buffered.subarray(start + length);
      const opcode = first & 0x0f;
      if (opcode === 0x1 || opcode === 0x0) {
        fragments.push(payload);
        if ((first & 0x80) !== 0) {
          messages.push(Buffer.concat(fragments).toString("utf8"));
          fragments = [];
        }
      }
    }
  });
}

const title = codex === undefined ? "Codex over the Responses WebSocket (skipped: node_modules/.bin/codex is missing)" : "Codex over the Responses WebSocket";

describe.skipIf(codex === undefined)(title, () => {
  let gateway: TestGateway;
  let sandbox: CodingCliSandbox;
  let trap: EgressTrap;
  const upgrades: IncomingMessage[] = [];
  const messages: string[] = [];
  beforeAll(async () => {
    sandbox = await createCodingCliSandbox("codex-ws");
    gateway = await startTestGateway({ env: { SWITCHYARD_ALIASES: "gpt-mock-*=anthropic/claude-mock-sonnet" } });
    gateway.app.server.prependListener("upgrade", (request: IncomingMessage) => {
      upgrades.push(request);
      watchClientMessages(request, messages);
    });
    trap = await startEgressTrap();
  });
  afterAll(async () => {
    await gateway.close();
    await trap.close();
    await sandbox.remove();
  });
  beforeEach(() => {
    gateway.reset();
    upgrades.length = 0;
    messages.length = 0;
  });

  it("runs exec_command through a tool turn over the WebSocket", { timeout: cliTimeoutMs + 10_000 }, async () => {
    gateway.mock.script(
      toolCallReply({ id: "toolu_ws_1", name: "exec_command", arguments: { cmd: "echo tool-ran-ok" } }),
      textReply("The command printed tool-ran-ok."),
    );
    const codexHome = join(sandbox.root, "codex-home");
    await writeCodexWebSocketConfig(codexHome, `${gateway.baseUrl}/v1`);

    const run = await runCodingCli({
      command: codex ?? "codex",
      args: ["exec", "--skip-git-repo-check", "Run echo tool-ran-ok and tell me what it printed."],
      cwd: sandbox.work,
      timeoutMs: cliTimeoutMs,
      env: codingCliEnvironment(sandbox.home, {
        HTTPS_PROXY: trap.proxyUrl,
        HTTP_PROXY: trap.proxyUrl,
        NO_PROXY: "127.0.0.1,localhost",
        CODEX_HOME: codexHome,
        SWITCHYARD_TEST_KEY: testProxyKey,
      }),
    });

    expect({ code: run.code, timedOut: run.timedOut }, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toEqual({ code: 0, timedOut: false });
    expect(run.stdout).toBe("The command printed tool-ran-ok.\n");
    // Every turn went over the socket: one upgrade, no HTTP POST /v1/responses at all.
    expect(upgrades.map((request) => `${request.method ?? ""} ${request.url ?? ""}`)).toEqual(["GET /v1/responses"]);
    expect(upgrades[0]?.headers["openai-beta"]).toMatch(/^responses_websockets=/);
    expect(gateway.clientRequests.filter((request) => request.method === "POST")).toEqual([]);
    const frames = messages.map((text) => JSON.parse(text) as WireObject);
    // Codex's frames: the prewarm (generate: false, store: false), then each turn continuing the one before it with
    // previous_response_id and only its new items (on this connection's store, since store is false).
    expect(frames.map((frame) => [frame["type"], frame["generate"], frame["store"]])).toEqual([
      ["response.create", false, false],
      ["response.create", undefined, false],
      ["response.create", undefined, false],
    ]);
    const [prewarm, turn1, turn2] = frames;
    expect(prewarm?.["previous_response_id"]).toBeUndefined();
    expect(turn1?.["previous_response_id"]).toMatch(/^resp_/);
    expect(turn2?.["previous_response_id"]).toMatch(/^resp_/);
    expect(turn2?.["previous_response_id"]).not.toBe(turn1?.["previous_response_id"]);
    expect((turn1?.["input"] as WireObject[]).map((item) => item["role"])).toEqual(["developer", "user", "user"]);
    expect(turn2?.["input"]).toEqual([expect.objectContaining({ type: "function_call_output", call_id: "toolu_ws_1" })]);

    const [first, second] = gateway.mock.generateRequests();
    expect(gateway.mock.generateRequests()).toHaveLength(2);
    const firstMessages = bodyOf(first)["messages"] as WireObject[];
    expect(firstMessages.at(-1)).toEqual({ role: "user", content: "Run echo tool-ran-ok and tell me what it printed." });
    // The prewarm's developer message (Codex's base instructions) was replayed from the connection's store.
    expect(JSON.stringify(bodyOf(first)["system"])).toContain("You are a coding agent running in the Codex CLI");
    // Turn 2 came as previous_response_id plus the tool output only; the gateway replayed the call before it.
    const [assistant, user] = (bodyOf(second)["messages"] as WireObject[]).slice(-2);
    expect(assistant).toEqual({ role: "assistant", content: [{ type: "tool_use", id: "toolu_ws_1", name: "exec_command", input: { cmd: "echo tool-ran-ok" } }] });
    expect(user).toEqual({ role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_ws_1", content: expect.stringContaining("tool-ran-ok") }] });
    expect(trap.attempts).toEqual([]);
  });
});
