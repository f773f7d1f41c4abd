import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { replayCommand } from "../../src/cli/index.js";
import { loadConfig } from "../../src/config/index.js";
import { createEngineFromConfig } from "../../src/library/index.js";
import { buildServer } from "../../src/server/index.js";
import { errorReply, startMockUpstream, textReply, type MockUpstream } from "../support/mock-upstream.js";
import { mockProviderEnvironment, mockTargets, testConfigDirectory } from "../support/start-test-gateway.js";

/** Shapes no name or pattern rule knows: only the planted-value net can catch the configured ones. */
const providerKey = "plantedProviderKey0123456789";
const proxyKey = "plantedProxyKey0123456789";
const clientSecret = "plantedClientSecret0123456789";
const upstreamSecret = "plantedUpstreamSecret0123456789";
const anthropicKey = "plantedAnthropicKey0123456789";
const geminiKey = "plantedGeminiKey0123456789";
/** Sent by the client in headers the gateway does not use: cookies and other providers' key headers. */
const cookieSecret = "plantedCookieValue0123456789";
const headerSecret = "plantedHeaderValue0123456789";

interface TracedGateway {
  mock: MockUpstream;
  dataDir: string;
  logs: string[];
  post(model: string, stream: boolean, extra?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** The real server (config → engine → Fastify) with tracing on, a temporary data directory and a captured pino log. */
async function startTracedGateway(prepare?: (dataDir: string) => Promise<void>): Promise<TracedGateway> {
  const mock = await startMockUpstream();
  const dataDir = await mkdtemp(join(tmpdir(), "switchyard-trace-"));
  await prepare?.(dataDir);
  const logs: string[] = [];
  const logger = pino({ level: "trace" }, { write: (line: string) => void logs.push(line) });
  const config = loadConfig({
    env: {
      ...mockProviderEnvironment(mock.baseUrl),
      OPENAI_API_KEY: providerKey,
      ANTHROPIC_API_KEY: anthropicKey,
      GEMINI_API_KEY: geminiKey,
      SWITCHYARD_PROXY_KEYS: proxyKey,
      SWITCHYARD_TRACE: "1",
      SWITCHYARD_DATA_DIR: dataDir,
      SWITCHYARD_MAX_RETRIES: "0",
    },
    cwd: testConfigDirectory,
    dotenv: false,
  });
  const engine = createEngineFromConfig(config, logger);
  const app = buildServer({ gateway: engine, proxyKeys: config.proxyKeys.map((key) => key.secret), bodyLimitBytes: config.limits.bodyBytes, jsonDepthLimit: config.limits.jsonDepth, logger });
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await app.close(); // closes the engine, which flushes the trace and dump writers
    await mock.close();
  };
  cleanups.push(async () => {
    await close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return {
    mock,
    dataDir,
    logs,
    async post(model, stream, extra = {}, headers = {}) {
      const response = await app.inject({
        method: "POST",
        url: "/v1/chat/completions",
        headers: { authorization: `Bearer ${proxyKey}`, "content-type": "application/json", ...headers },
        payload: { model, messages: [{ role: "user", content: "hi" }], ...(stream ? { stream } : {}), ...extra },
      });
      return { status: response.statusCode, body: response.body };
    },
    close,
  };
}

/** Each trace file's pass kinds, files in creation (= request) order. */
async function readTraces(dataDir: string): Promise<string[][]> {
  const directory = join(dataDir, "traces");
  const names = (await readdir(directory)).sort();
  return Promise.all(
    names.map(async (name) =>
      (await readFile(join(directory, name), "utf8"))
        .trim()
        .split("\n")
        .map((line) => (JSON.parse(line) as { kind: string }).kind),
    ),
  );
}

/** Consecutive repeats folded, so a stream's chunk lines read as one step. */
function steps(kinds: readonly string[]): string[] {
  return kinds.filter((kind, index) => kind !== kinds[index - 1]);
}

async function listFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

describe("transaction trace (SWITCHYARD_TRACE=1)", () => {
  it("records which provider, protocol, model and operation each provider request went to", async () => {
    const gateway = await startTracedGateway();
    gateway.mock.script(textReply("x"));
    expect((await gateway.post(mockTargets["anthropic-messages"].model, true)).status).toBe(200);
    await gateway.close();
    const [name] = await readdir(join(gateway.dataDir, "traces"));
    const lines = (await readFile(join(gateway.dataDir, "traces", name as string), "utf8")).trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.find((line) => line["kind"] === "provider-request")).toMatchObject({ provider: "anthropic", protocol: "anthropic-messages", model: mockTargets["anthropic-messages"].upstreamModel, operation: "generate", stream: true });
  });

  it("writes one trace per request with every pass in order, passthrough and translated, streamed and not", async () => {
    const gateway = await startTracedGateway();
    const passthrough = mockTargets["openai-chat"].model;
    const translated = mockTargets["anthropic-messages"].model;
    for (const [model, stream] of [
      [passthrough, false],
      [passthrough, true],
      [translated, false],
      [translated, true],
    ] as const) {
      gateway.mock.script(textReply("traced answer"));
      expect((await gateway.post(model, stream)).status).toBe(200);
    }
    await gateway.close();

    const traces = await readTraces(gateway.dataDir);
    expect(traces).toHaveLength(4);
    const [plain, plainStream, translatedPlain, translatedStream] = traces as [string[], string[], string[], string[]];
    expect(plain).toEqual(["client-request", "provider-request", "provider-response", "client-response"]);
    // The first client chunk waits for the first upstream chunk, then they alternate.
    expect(steps(plainStream).slice(0, 4)).toEqual(["client-request", "provider-request", "provider-response", "provider-chunk"]);
    expect(plainStream.slice(4).filter((kind) => kind !== "provider-chunk" && kind !== "client-response")).toEqual([]);
    expect(plainStream.at(-1)).toBe("client-response");
    // The Anthropic target's declared json-mode and param-policy run on the encoded body: each pass is traced though
    // it found nothing.
    expect(translatedPlain).toEqual(["client-request", "unified-request", "adapter-pass", "adapter-pass", "provider-request", "provider-response", "unified-response", "client-response"]);
    expect(steps(translatedStream).slice(0, 6)).toEqual(["client-request", "unified-request", "adapter-pass", "provider-request", "provider-response", "provider-chunk"]);
    expect(translatedStream.slice(7).filter((kind) => !["provider-chunk", "unified-response", "client-response"].includes(kind))).toEqual([]);
    expect(translatedStream).toContain("unified-response");
    expect(translatedStream.at(-1)).toBe("client-response");
  });

  it("records a failed request's provider response and its errors, and the client's error answer", async () => {
    const gateway = await startTracedGateway();
    gateway.mock.script(errorReply(400, { message: "bad temperature" }));
    expect((await gateway.post(mockTargets["anthropic-messages"].model, false)).status).toBe(400);
    await gateway.close();
    const [name] = await readdir(join(gateway.dataDir, "traces"));
    const lines = (await readFile(join(gateway.dataDir, "traces", name as string), "utf8")).trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => [line["kind"], line["stage"] ?? line["status"] ?? ""])).toEqual([
      ["client-request", ""],
      ["unified-request", ""],
      ["adapter-pass", ""],
      ["adapter-pass", ""],
      ["provider-request", ""],
      ["provider-response", 400],
      ["error", "upstream"],
      ["error", "request"],
      ["client-response", 400],
    ]);
    // The last line is what the client got: an error in its own protocol's shape, with the provider's message.
    expect(lines.at(-1)?.["data"]).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining("bad temperature") as unknown } } });
  });

  it("answers every request as usual when the trace cannot be written", async () => {
    // A file where the traces directory should be: every trace write fails.
    const gateway = await startTracedGateway((dataDir) => writeFile(join(dataDir, "traces"), "not a directory"));
    for (const [model, stream] of [
      [mockTargets["openai-chat"].model, false],
      [mockTargets["openai-chat"].model, true],
      [mockTargets["anthropic-messages"].model, false],
      [mockTargets["anthropic-messages"].model, true],
    ] as const) {
      gateway.mock.script(textReply("still answered"));
      const answer = await gateway.post(model, stream);
      expect(answer.status).toBe(200);
      const text = stream ? [...answer.body.matchAll(/"content":"([^"]*)"/g)].map((match) => match[1]).join("") : answer.body;
      expect(text).toContain("still answered");
    }
    gateway.mock.script(errorReply(400, { message: "bad temperature" }));
    expect((await gateway.post(mockTargets["openai-chat"].model, false)).status).toBe(400);
    await gateway.close();
    expect(await readFile(join(gateway.dataDir, "traces"), "utf8")).toBe("not a directory");
    expect(gateway.logs.filter((line) => line.includes('"request.completed"'))).toHaveLength(5);
  });

  it("keeps planted secrets out of every trace, failure dump and log line", async () => {
    const gateway = await startTracedGateway();
    const metadata = { metadata: { session_secret: clientSecret } };
    const clientHeaders = { cookie: `session=${cookieSecret}`, "api-key": headerSecret, "x-goog-api-key": headerSecret };
    gateway.mock.script(textReply("one"), textReply("two"), textReply("three"));
    expect((await gateway.post(mockTargets["openai-chat"].model, true, metadata, clientHeaders)).status).toBe(200);
    // The Anthropic and Gemini keys travel upstream in x-api-key and x-goog-api-key (or ?key=) headers.
    expect((await gateway.post(mockTargets["anthropic-messages"].model, false, metadata, clientHeaders)).status).toBe(200);
    expect((await gateway.post(mockTargets.gemini.model, true, metadata, clientHeaders)).status).toBe(200);
    // The provider echoes the gateway's key and a secret of its own in an error body.
    gateway.mock.script(errorReply(400, { body: { error: { type: "invalid_request_error", message: `bad request for key ${providerKey}`, client_secret: upstreamSecret, detail: `"refresh_token": "${upstreamSecret}"` } } }));
    expect((await gateway.post(mockTargets["openai-chat"].model, false, metadata)).status).toBe(400);
    await gateway.close();

    const files = await listFiles(gateway.dataDir);
    expect(files.filter((file) => file.includes(`${join("traces", "")}`))).toHaveLength(4);
    expect(files.filter((file) => file.includes(`${join("failures", "")}`))).toHaveLength(1);
    // Replaying every trace and the dump, for real and dry, against a provider that echoes the key in every answer.
    const replayMock = await startMockUpstream();
    cleanups.push(() => replayMock.close());
    const printed: string[] = [];
    const replayEnv = { ...mockProviderEnvironment(replayMock.baseUrl), OPENAI_API_KEY: providerKey, ANTHROPIC_API_KEY: anthropicKey, GEMINI_API_KEY: geminiKey, SWITCHYARD_PROXY_KEYS: proxyKey };
    const io = { stdout: (text: string) => void printed.push(text), stderr: (text: string) => void printed.push(text) };
    for (const file of files) {
      replayMock.script(textReply(`echo ${providerKey}`), errorReply(401, { message: `Incorrect API key provided: ${providerKey}` }));
      await replayCommand(replayEnv, testConfigDirectory, file, {}, io);
      await replayCommand(replayEnv, testConfigDirectory, file, { target: mockTargets["anthropic-messages"].model }, io);
      await replayCommand(replayEnv, testConfigDirectory, file, { dryRun: true }, io);
    }
    expect(replayMock.generateRequests()).toHaveLength(files.length * 2);
    expect(printed.join("")).toMatch(/HTTP 200[\s\S]*HTTP 401/);

    const texts = [...(await Promise.all(files.map((file) => readFile(file, "utf8")))), gateway.logs.join(""), printed.join("")];
    expect(texts.join("")).toContain("[redacted]");
    expect(gateway.logs.some((line) => line.includes('"request.completed"'))).toBe(true);
    for (const secret of [providerKey, proxyKey, clientSecret, upstreamSecret, anthropicKey, geminiKey, cookieSecret, headerSecret]) {
      for (const [index, text] of texts.entries()) expect(text.includes(secret), `${secret} in ${files[index] ?? (index === files.length ? "the log" : "replay output")}`).toBe(false);
    }
    // The secrets were sent where they had to go: redaction is of what is written down, not of the traffic.
    const sent = gateway.mock.generateRequests();
    expect(sent[0]?.bodyText).toContain(clientSecret);
    expect(sent.map((request) => request.apiKey)).toEqual([providerKey, anthropicKey, geminiKey, providerKey]);
  });
});
