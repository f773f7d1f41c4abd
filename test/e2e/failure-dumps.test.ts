import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createEngineFromConfig } from "../../src/library/index.js";
import { buildServer } from "../../src/server/index.js";
import { errorReply, jsonReply, resetReply, sseReply, startMockUpstream, textReply, withFaults, type MockUpstream } from "../support/mock-upstream.js";
import { mockProviderEnvironment, mockTargets, testConfigDirectory } from "../support/start-test-gateway.js";

/** Shapes no name or pattern rule knows: only the planted-value net can catch the configured ones. */
const providerKey = "plantedProviderKey0123456789";
const proxyKey = "plantedProxyKey0123456789";
const clientSecret = "plantedClientSecret0123456789";
const upstreamSecret = "plantedUpstreamSecret0123456789";

interface DumpingGateway {
  mock: MockUpstream;
  logs: string[];
  post(model: string, stream: boolean, extra?: Record<string, unknown>): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function temporaryDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "switchyard-dumps-"));
  cleanups.push(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

/** The real server (config → engine → Fastify) with the given diagnostics settings and a captured pino log. */
async function startGateway(dataDir: string, env: Record<string, string>): Promise<DumpingGateway> {
  const mock = await startMockUpstream();
  const logs: string[] = [];
  const logger = pino({ level: "trace" }, { write: (line: string) => void logs.push(line) });
  const config = loadConfig({
    env: { ...mockProviderEnvironment(mock.baseUrl), OPENAI_API_KEY: providerKey, SWITCHYARD_PROXY_KEYS: proxyKey, SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_MAX_RETRIES: "0", ...env },
    cwd: testConfigDirectory,
    dotenv: false,
  });
  const app = buildServer({ gateway: createEngineFromConfig(config, logger), proxyKeys: config.proxyKeys.map((key) => key.secret), bodyLimitBytes: config.limits.bodyBytes, jsonDepthLimit: config.limits.jsonDepth, logger });
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await app.close(); // closes the engine, which flushes the dump writer
    await mock.close();
  };
  cleanups.push(close);
  return {
    mock,
    logs,
    async post(model, stream, extra = {}) {
      const response = await app.inject({
        method: "POST",
        url: "/v1/chat/completions",
        headers: { authorization: `Bearer ${proxyKey}`, "content-type": "application/json" },
        payload: { model, messages: [{ role: "user", content: "hi" }], ...(stream ? { stream } : {}), ...extra },
      });
      return { status: response.statusCode, body: response.body };
    },
    close,
  };
}

async function listFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name)).sort();
}

async function readDumps(dataDir: string): Promise<Array<Record<string, unknown>>> {
  const directory = join(dataDir, "failures");
  const names = (await readdir(directory)).sort();
  return Promise.all(names.map(async (name) => JSON.parse(await readFile(join(directory, name), "utf8")) as Record<string, unknown>));
}

describe("failure dumps without the trace (SWITCHYARD_DUMP_FAILURES=1)", () => {
  it("dumps each failed upstream exchange on its own, redacted, and writes no trace", async () => {
    const dataDir = await temporaryDirectory();
    const gateway = await startGateway(dataDir, { SWITCHYARD_DUMP_FAILURES: "1" });
    const openai = mockTargets["openai-chat"];
    const anthropic = mockTargets["anthropic-messages"];
    gateway.mock.script(textReply("fine"));
    expect((await gateway.post(openai.model, false)).status).toBe(200);
    gateway.mock.script(errorReply(400, { body: { error: { type: "invalid_request_error", message: `bad request for key ${providerKey}`, client_secret: upstreamSecret } } }));
    expect((await gateway.post(openai.model, false, { metadata: { session_secret: clientSecret } })).status).toBe(400);
    gateway.mock.script(resetReply());
    expect((await gateway.post(anthropic.model, true)).status).toBeGreaterThanOrEqual(500);
    await gateway.close();

    const files = await listFiles(dataDir);
    expect(files.map((file) => file.slice(dataDir.length + 1).split("/")[0])).toEqual(["failures", "failures"]);
    const [httpFailure, transportFailure] = (await readDumps(dataDir)) as [Record<string, unknown>, Record<string, unknown>];

    // The provider request as sent, the response as received, the classified error.
    expect(httpFailure).toMatchObject({ provider: "openai", protocol: "openai-chat", model: openai.upstreamModel, operation: "generate", stream: false });
    const request = httpFailure["request"] as { url: string; method: string; headers: Record<string, string>; body: Record<string, unknown> };
    expect(request.url).toBe(`${gateway.mock.baseUrl}/v1/chat/completions`);
    expect(request.method).toBe("POST");
    expect(request.headers["authorization"]).toBe("[redacted]");
    // The body as the provider received it, but for the client's secret.
    const received = JSON.parse(gateway.mock.generateRequests()[1]?.bodyText ?? "") as Record<string, unknown>;
    expect(received["metadata"]).toEqual({ session_secret: clientSecret });
    expect(request.body).toEqual({ ...received, metadata: { session_secret: "[redacted]" } });
    expect(httpFailure["response"]).toMatchObject({ status: 400, body: { error: { type: "invalid_request_error", message: "bad request for key [redacted]", client_secret: "[redacted]" } } });
    expect(httpFailure["error"]).toMatchObject({ code: "invalid_request", upstreamStatus: 400, provider: "openai" });

    // A transport failure has no response, only the request and the error.
    expect(transportFailure).toMatchObject({ provider: "anthropic", protocol: "anthropic-messages", model: anthropic.upstreamModel, stream: true });
    expect(transportFailure["response"]).toBeUndefined();
    expect((transportFailure["request"] as { headers: Record<string, string> }).headers["x-api-key"]).toBe("[redacted]");
    expect(transportFailure["error"]).toMatchObject({ code: "upstream_server" });

    const texts = [...(await Promise.all(files.map((file) => readFile(file, "utf8")))), gateway.logs.join("")];
    for (const secret of [providerKey, proxyKey, clientSecret, upstreamSecret, anthropic.upstreamKey]) {
      for (const [index, text] of texts.entries()) expect(text.includes(secret), `${secret} in ${files[index] ?? "the log"}`).toBe(false);
    }
  });

  it("keeps the newest SWITCHYARD_MAX_FAILURE_DUMPS files", async () => {
    const dataDir = await temporaryDirectory();
    const gateway = await startGateway(dataDir, { SWITCHYARD_DUMP_FAILURES: "1", SWITCHYARD_MAX_FAILURE_DUMPS: "2" });
    for (const index of [1, 2, 3, 4]) {
      gateway.mock.script(errorReply(400, { message: `failure number ${index}` }));
      expect((await gateway.post(mockTargets["openai-chat"].model, false)).status).toBe(400);
    }
    await gateway.close();
    const dumps = await readDumps(dataDir);
    expect(dumps.map((dump) => (dump["error"] as { message: string }).message)).toEqual([expect.stringContaining("failure number 3"), expect.stringContaining("failure number 4")]);
  });

  it("writes nothing at all when the trace and the dumps are both off", async () => {
    const dataDir = await temporaryDirectory();
    const gateway = await startGateway(dataDir, {});
    gateway.mock.script(errorReply(400));
    expect((await gateway.post(mockTargets["openai-chat"].model, false)).status).toBe(400);
    await gateway.close();
    expect(await listFiles(dataDir)).toEqual([]);
  });

  it.each([
    ["dumps only", { SWITCHYARD_DUMP_FAILURES: "1" }],
    ["trace and dumps", { SWITCHYARD_TRACE: "1" }],
  ])("answers every request as usual when the data directory cannot be written (%s)", async (_, env) => {
    const parent = await temporaryDirectory();
    const blocker = join(parent, "not-a-directory");
    await writeFile(blocker, "a file where the data directory should be");
    const gateway = await startGateway(join(blocker, "data"), env);
    gateway.mock.script(textReply("still answered"), errorReply(400, { message: "no such parameter" }), textReply("streamed"));
    const ok = await gateway.post(mockTargets["openai-chat"].model, false);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain("still answered");
    const rejected = await gateway.post(mockTargets["openai-chat"].model, false);
    expect(rejected.status).toBe(400);
    expect(rejected.body).toContain("no such parameter");
    const streamed = await gateway.post(mockTargets["anthropic-messages"].model, true);
    expect(streamed.status).toBe(200);
    expect(streamed.body).toContain("streamed");
    await expect(gateway.close()).resolves.toBeUndefined();
    expect(await readFile(blocker, "utf8")).toBe("a file where the data directory should be");
  });
});

/** An Anthropic stream that starts answering, then reports an error event of its own. */
const anthropicMidStreamError = sseReply([
  { event: "message_start", data: { type: "message_start", message: { id: "msg_1", type: "message", role: "assistant", model: "claude-mock-sonnet", content: [], stop_reason: null, usage: { input_tokens: 3, output_tokens: 0 } } } },
  { event: "content_block_start", data: { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } } },
  { event: "content_block_delta", data: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Half an answer" } } },
  // Later, so the text already reached the client: the error goes out in-stream.
  { event: "error", data: { type: "error", error: { type: "overloaded_error", message: "Overloaded in the middle" } }, delayMs: 100 },
]);

describe("failure dumps of exchanges that failed after a 200 (SWITCHYARD_DUMP_FAILURES=1)", () => {
  it("dumps a 200 whose body is an error or does not decode, on the passthrough and the translated path", async () => {
    const dataDir = await temporaryDirectory();
    const gateway = await startGateway(dataDir, { SWITCHYARD_DUMP_FAILURES: "1" });
    const openai = mockTargets["openai-chat"];
    const anthropic = mockTargets["anthropic-messages"];
    gateway.mock.script(
      jsonReply({ error: { message: "backend busy, try later", type: "server_error" } }),
      jsonReply({ type: "error", error: { type: "overloaded_error", message: "Overloaded (in a 200)" } }),
      jsonReply("<html>bad gateway</html>"),
      textReply("all good"),
    );
    // Passthrough: the client still gets the provider's bytes as they came; only the dump is new.
    const passthrough = await gateway.post(openai.model, false);
    expect(passthrough.status).toBe(200);
    expect(passthrough.body).toContain("backend busy");
    expect((await gateway.post(anthropic.model, false)).status).toBeGreaterThanOrEqual(500);
    expect((await gateway.post(anthropic.model, false)).status).toBeGreaterThanOrEqual(500);
    expect((await gateway.post(anthropic.model, false)).status).toBe(200);
    await gateway.close();

    const dumps = await readDumps(dataDir);
    expect(dumps).toHaveLength(3);
    const [errorBody, anthropicErrorBody, undecodable] = dumps as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];
    expect(errorBody).toMatchObject({ provider: "openai", protocol: "openai-chat", stream: false, response: { status: 200, body: { error: { message: "backend busy, try later" } } } });
    expect((errorBody["error"] as { message: string }).message).toContain("backend busy");
    expect((errorBody["request"] as { headers: Record<string, string> }).headers["authorization"]).toBe("[redacted]");
    expect(anthropicErrorBody).toMatchObject({ provider: "anthropic", protocol: "anthropic-messages", response: { status: 200, body: { type: "error" } }, error: { code: "overloaded" } });
    expect(undecodable).toMatchObject({ provider: "anthropic", response: { status: 200, body: "<html>bad gateway</html>" }, error: { code: "upstream_server" } });
  });

  it("dumps an answer a response adapter refuses (tool-args-repair: arguments that cannot be repaired)", async () => {
    const dataDir = await temporaryDirectory();
    const configFile = join(dataDir, "switchyard.json");
    await writeFile(configFile, JSON.stringify({ adapters: { providers: { openai: ["tool-args-repair"] } } }));
    const gateway = await startGateway(dataDir, { SWITCHYARD_DUMP_FAILURES: "1", SWITCHYARD_CONFIG: configFile });
    const call = { id: "call_1", type: "function", function: { name: "get_weather", arguments: "not json" } };
    gateway.mock.script(
      jsonReply({ id: "chatcmpl-1", object: "chat.completion", created: 1, model: "gpt-mock-large", choices: [{ index: 0, finish_reason: "tool_calls", message: { role: "assistant", content: null, tool_calls: [call] } }] }),
    );
    expect((await gateway.post(mockTargets["openai-chat"].model, false)).status).toBe(502);
    await gateway.close();
    const dumps = await readDumps(dataDir);
    expect(dumps).toHaveLength(1);
    expect(dumps[0]).toMatchObject({ provider: "openai", response: { status: 200 }, error: { code: "upstream_server", message: expect.stringContaining('tool call "get_weather"') as unknown } });
  });

  it("dumps streams that fail after they started: an in-stream error event, an early close, a dropped connection, a stall", async () => {
    const dataDir = await temporaryDirectory();
    const gateway = await startGateway(dataDir, { SWITCHYARD_DUMP_FAILURES: "1", SWITCHYARD_STALL_TIMEOUT_MS: "1000" });
    const openai = mockTargets["openai-chat"];
    const anthropic = mockTargets["anthropic-messages"];
    const longText = "A long enough answer that arrives in several frames before anything goes wrong.";
    gateway.mock.script(
      anthropicMidStreamError,
      withFaults(textReply(longText), { endAfterFrames: 3 }),
      withFaults(textReply(longText), { dropAfterFrames: 3 }),
      withFaults(textReply(longText), { stall: { afterFrames: 3 } }),
      textReply("a healthy stream"),
    );
    const midStream = await gateway.post(anthropic.model, true);
    expect(midStream.status).toBe(200);
    expect(midStream.body).toContain("Half an answer");
    expect(midStream.body).toContain("Overloaded in the middle");
    await gateway.post(anthropic.model, true);
    await gateway.post(openai.model, true);
    await gateway.post(openai.model, true);
    expect((await gateway.post(openai.model, true)).body).toContain("\" healthy\"");
    await gateway.close();

    const dumps = await readDumps(dataDir);
    expect(dumps.map((dump) => [dump["provider"], dump["stream"], (dump["response"] as { status: number }).status])).toEqual([
      ["anthropic", true, 200],
      ["anthropic", true, 200],
      ["openai", true, 200],
      ["openai", true, 200],
    ]);
    const [errorEvent, earlyClose, dropped, stalled] = dumps as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];
    // The body is the stream text received before the failure.
    expect(String((errorEvent["response"] as { body: unknown }).body)).toContain("Overloaded in the middle");
    expect(errorEvent["error"]).toMatchObject({ code: "overloaded" });
    expect(String((earlyClose["response"] as { body: unknown }).body)).toContain("message_start");
    expect(earlyClose["error"]).toMatchObject({ code: "upstream_server" });
    expect(String((dropped["response"] as { body: unknown }).body)).toContain("data:");
    expect(dropped["error"]).toMatchObject({ code: "upstream_server" });
    expect(stalled["error"]).toMatchObject({ code: "stream_stalled" });
  });
});

