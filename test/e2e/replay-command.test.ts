import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { replayCommand, type ReplayOptions } from "../../src/cli/index.js";
import { loadConfig } from "../../src/config/index.js";
import { createEngineFromConfig } from "../../src/library/index.js";
import { buildServer } from "../../src/server/index.js";
import { errorReply, overloadedReply, startMockUpstream, textReply, type MockUpstream, type RecordedRequest } from "../support/mock-upstream.js";
import { mockProviderEnvironment, mockTargets, testConfigDirectory } from "../support/start-test-gateway.js";

/** Shapes no name or pattern rule knows: only the planted-value net can catch them. */
const recordingKey = "plantedRecordingKey0123456789";
const replayKey = "plantedReplayKey0123456789";
const proxyKey = "plantedProxyKey0123456789";
const clientSecret = "plantedClientSecret0123456789";
const planted = [recordingKey, replayKey, proxyKey, clientSecret];

const openai = mockTargets["openai-chat"];
const anthropic = mockTargets["anthropic-messages"];

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

interface Recording {
  dataDir: string;
  /** What the recording mock received, in order. */
  received: RecordedRequest[];
}

/**
 * Runs requests through the real server with the trace or the dumps on, against a first mock, and returns the data
 * directory the files were written to.
 */
async function record(env: Record<string, string>, requests: Array<{ body: Record<string, unknown>; replies: Parameters<MockUpstream["script"]> }>): Promise<Recording> {
  const mock = await startMockUpstream();
  const dataDir = await mkdtemp(join(tmpdir(), "switchyard-replay-"));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const config = loadConfig({
    env: { ...mockProviderEnvironment(mock.baseUrl), OPENAI_API_KEY: recordingKey, SWITCHYARD_PROXY_KEYS: proxyKey, SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_MAX_RETRIES: "0", ...env },
    cwd: testConfigDirectory,
    dotenv: false,
  });
  const app = buildServer({ gateway: createEngineFromConfig(config), proxyKeys: [proxyKey], bodyLimitBytes: config.limits.bodyBytes, jsonDepthLimit: config.limits.jsonDepth, logger: false });
  try {
    for (const request of requests) {
      mock.script(...request.replies);
      await app.inject({ method: "POST", url: "/v1/chat/completions", headers: { authorization: `Bearer ${proxyKey}` }, payload: request.body });
    }
  } finally {
    await app.close(); // flushes the trace and dump writers
    await mock.close();
  }
  return { dataDir, received: mock.generateRequests() };
}

async function filesIn(directory: string): Promise<string[]> {
  return (await readdir(directory)).sort().map((name) => join(directory, name));
}

/** A second mock, and `switchyard replay` run against it with the current environment's credentials. */
async function startReplayTarget(): Promise<{ mock: MockUpstream; replay(file: string, options?: ReplayOptions): Promise<{ ok: boolean; stdout: string; stderr: string }>; printed: string[] }> {
  const mock = await startMockUpstream();
  cleanups.push(() => mock.close());
  const printed: string[] = [];
  const env = { ...mockProviderEnvironment(mock.baseUrl), OPENAI_API_KEY: replayKey, SWITCHYARD_PROXY_KEYS: proxyKey };
  return {
    mock,
    printed,
    async replay(file, options = {}) {
      let stdout = "";
      let stderr = "";
      const ok = await replayCommand(env, testConfigDirectory, file, options, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) });
      printed.push(stdout, stderr);
      return { ok, stdout, stderr };
    },
  };
}

const chatBody = {
  model: openai.model,
  messages: [
    { role: "system", content: "be brief" },
    { role: "user", content: "replay me" },
  ],
  temperature: 0.25,
  max_tokens: 77,
  tools: [{ type: "function", function: { name: "lookup", description: "look it up", parameters: { type: "object", properties: { q: { type: "string" } } } } }],
};

describe("switchyard replay", () => {
  it("re-sends a traced request to another model with the same body, and translates it for another protocol", async () => {
    const recording = await record({ SWITCHYARD_TRACE: "1" }, [{ body: chatBody, replies: [textReply("first answer")] }]);
    const [trace] = await filesIn(join(recording.dataDir, "traces"));
    const sent = JSON.parse(recording.received[0]?.bodyText ?? "") as Record<string, unknown>;
    const target = await startReplayTarget();

    target.mock.script(textReply("replayed answer"));
    const same = await target.replay(trace as string, { target: "openai/gpt-mock-other" });
    expect(same.ok).toBe(true);
    const [swapped] = target.mock.generateRequests();
    expect(swapped?.json).toEqual({ ...sent, model: "gpt-mock-other" });
    expect(swapped?.path).toBe("/v1/chat/completions");
    // Auth comes from the replaying environment, not from the (redacted) recording.
    expect(swapped?.apiKey).toBe(replayKey);
    expect(same.stdout).toMatch(/^HTTP 200 openai\/gpt-mock-other \(openai-chat\)\n/);
    expect(same.stdout).toContain("replayed answer");

    target.mock.reset();
    target.mock.script(textReply("translated answer"));
    const translated = await target.replay(trace as string, { target: anthropic.model });
    expect(translated.ok).toBe(true);
    const [messages] = target.mock.generateRequests();
    expect(messages?.path).toBe("/v1/messages");
    expect(messages?.apiKey).toBe(anthropic.upstreamKey);
    expect(messages?.json).toMatchObject({
      model: anthropic.upstreamModel,
      system: "be brief",
      messages: [{ role: "user", content: "replay me" }],
      temperature: 0.25,
      max_tokens: 77,
      tools: [{ name: "lookup", description: "look it up", input_schema: { type: "object", properties: { q: { type: "string" } } } }],
    });
    expect(translated.stdout).toMatch(/^HTTP 200 anthropic\/claude-mock-sonnet \(anthropic-messages\)\n/);
    expect(translated.stdout).toContain("translated answer");
  });

  it("replays a stream by default to the recorded target and prints it as it arrives", async () => {
    const recording = await record({ SWITCHYARD_TRACE: "1" }, [{ body: { ...chatBody, stream: true }, replies: [textReply("streamed once")] }]);
    const [trace] = await filesIn(join(recording.dataDir, "traces"));
    const target = await startReplayTarget();
    target.mock.script(textReply("streamed again"));
    const result = await target.replay(trace as string);
    expect(result.ok).toBe(true);
    expect(target.mock.generateRequests()[0]?.json).toEqual(JSON.parse(recording.received[0]?.bodyText ?? ""));
    expect(result.stdout).toMatch(/^HTTP 200 openai\/gpt-mock-large \(openai-chat, stream\)\n/);
    expect(result.stdout).toContain("data: ");
    expect(result.stdout).toContain("[DONE]");
    const deltas = result.stdout
      .split("\n")
      .filter((line) => line.startsWith("data: {"))
      .map((line) => (JSON.parse(line.slice(6)) as { choices: Array<{ delta?: { content?: string } }> }).choices[0]?.delta?.content ?? "");
    expect(deltas.join("")).toBe("streamed again");
  });

  it("prints what would be sent with --dry-run, secrets redacted, and sends nothing", async () => {
    const recording = await record({ SWITCHYARD_TRACE: "1" }, [{ body: chatBody, replies: [textReply("x")] }]);
    const [trace] = await filesIn(join(recording.dataDir, "traces"));
    const target = await startReplayTarget();
    const result = await target.replay(trace as string, { dryRun: true, target: "openai/gpt-mock-dry" });
    expect(result.ok).toBe(true);
    expect(target.mock.received).toEqual([]);
    const shown = JSON.parse(result.stdout) as { url: string; method: string; headers: Record<string, string>; body: Record<string, unknown>; target: string };
    expect(shown).toMatchObject({ target: "openai/gpt-mock-dry", method: "POST", url: `${target.mock.baseUrl}/v1/chat/completions` });
    expect(shown.headers["authorization"]).toBe("[redacted]");
    expect(shown.body).toEqual({ ...(JSON.parse(recording.received[0]?.bodyText ?? "") as object), model: "gpt-mock-dry" });
    // A provider alone keeps the recorded model; a provider that is not configured is named in the error.
    expect((JSON.parse((await target.replay(trace as string, { dryRun: true, target: "openai" })).stdout) as { target: string }).target).toBe(`openai/${openai.upstreamModel}`);
    await expect(target.replay(trace as string, { target: "mistral/some-model" })).rejects.toThrow('provider "mistral" is not active here');
    expect(target.mock.received).toEqual([]);
  });

  it("picks one attempt of a fallback with --request-index and says how many there are", async () => {
    const recording = await record({ SWITCHYARD_TRACE: "1", SWITCHYARD_FALLBACK_GROUPS: `pair=${openai.model}|${anthropic.model}` }, [
      { body: { ...chatBody, model: "group/pair" }, replies: [overloadedReply(), textReply("second target")] },
    ]);
    expect(recording.received.map((request) => request.path)).toEqual(["/v1/chat/completions", "/v1/messages"]);
    const [trace] = await filesIn(join(recording.dataDir, "traces"));
    const target = await startReplayTarget();
    target.mock.script(textReply("again"));
    const second = await target.replay(trace as string, { requestIndex: 1 });
    expect(second.ok).toBe(true);
    expect(target.mock.generateRequests()[0]?.json).toEqual(JSON.parse(recording.received[1]?.bodyText ?? ""));
    target.mock.script(textReply("first again"));
    const first = await target.replay(trace as string);
    expect(first.stderr).toContain(`the file holds 2 provider requests (0: openai/${openai.upstreamModel}, 1: anthropic/${anthropic.upstreamModel})`);
    expect(target.mock.generateRequests()[1]?.path).toBe("/v1/chat/completions");
    await expect(target.replay(trace as string, { requestIndex: 2 })).rejects.toThrow("the file holds 2 provider request(s), numbered from 0");
  });

  it("replays a failure dump, reports the upstream's error status, and never prints a planted secret", async () => {
    const recording = await record({ SWITCHYARD_DUMP_FAILURES: "1" }, [
      { body: { ...chatBody, metadata: { session_secret: clientSecret } }, replies: [errorReply(400, { message: `rejected key ${recordingKey}` })] },
    ]);
    const files = await filesIn(join(recording.dataDir, "failures"));
    expect(files).toHaveLength(1);
    const target = await startReplayTarget();
    // The upstream echoes the key it was sent, the way some providers' 401 messages do.
    target.mock.script(errorReply(401, { message: `Incorrect API key provided: ${replayKey}` }));
    const failed = await target.replay(files[0] as string);
    expect(failed.ok).toBe(false);
    expect(failed.stdout).toMatch(/^HTTP 401 openai\/gpt-mock-large/);
    expect(failed.stdout).toContain("Incorrect API key provided: [redacted]");
    expect(failed.stderr).toContain('the recording redacted body.metadata.session_secret; it is sent as "[redacted]"');
    const received = target.mock.generateRequests()[0];
    expect(received?.apiKey).toBe(replayKey);
    expect(received?.json).toEqual({ ...(JSON.parse(recording.received[0]?.bodyText ?? "") as object), metadata: { session_secret: "[redacted]" } });
    const dry = await target.replay(files[0] as string, { dryRun: true, target: "gemini/gemini-mock-pro" });
    const shown = JSON.parse(dry.stdout) as { url: string; headers: Record<string, string> };
    expect(shown.url).toBe(`${target.mock.baseUrl}/v1beta/models/gemini-mock-pro:generateContent`);
    expect(shown.headers["x-goog-api-key"]).toBe("[redacted]");

    const written = await Promise.all((await filesIn(join(recording.dataDir, "failures"))).map((file) => readFile(file, "utf8")));
    for (const secret of [...planted, mockTargets.gemini.upstreamKey]) {
      for (const text of [...written, ...target.printed]) expect(text.includes(secret), `${secret} printed or written`).toBe(false);
    }
  });
});
