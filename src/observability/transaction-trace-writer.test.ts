import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GatewayError } from "../unified/index.js";
import { createFailedRequestDumpWriter } from "./failed-request-dump-writer.js";
import { createTraceWriter } from "./transaction-trace-writer.js";

const planted = "zz-planted-7f3a9c1e5b";
let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "switchyard-trace-"));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function allFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

describe("transaction trace and failure dumps", () => {
  it("never writes a planted secret, wherever it was", async () => {
    const secrets = (): string[] => [planted];
    const traces = createTraceWriter({ dataDir, secrets });
    const dumps = createFailedRequestDumpWriter({ dataDir, secrets });
    const trace = traces.begin("req-1");
    trace.record("client-request", { headers: { authorization: `Bearer ${planted}`, "x-request-id": "r" }, body: { model: "m", messages: [{ role: "user", content: `my key is ${planted}` }] } });
    trace.record("provider-request", { url: `https://generativelanguage.example/v1beta/models/m:generateContent?key=${planted}`, headers: { "x-goog-api-key": planted }, body: { deeply: { nested: [{ value: `prefix${planted}suffix` }] } } });
    trace.record("provider-chunk", `data: {"echo":"${planted}"}\n\n`);
    trace.record("provider-chunk", new TextEncoder().encode(`data: {"echo":"${planted}"}`));
    trace.record("error", new GatewayError("authentication", `Incorrect API key provided: ${planted}`, { provider: "gemini" }));
    dumps.dump({
      requestId: "req-1",
      provider: "gemini",
      request: { url: `https://x.example/v1?key=${planted}`, headers: { Authorization: `Bearer ${planted}` }, body: { a: { b: [planted] } } },
      response: { status: 401, headers: { "set-cookie": planted }, body: { error: { message: `key ${planted} invalid` } } },
      error: new Error(`upstream said ${planted}`),
    });
    await trace.close();
    await traces.flush();
    await dumps.flush();
    const files = await allFiles(dataDir);
    expect(files.map((file) => file.slice(dataDir.length + 1).split("/")[0]).sort()).toEqual(["failures", "traces"]);
    for (const file of files) expect(await readFile(file, "utf8")).not.toContain(planted);
    const lines = (await readFile(files.find((file) => file.endsWith(".jsonl")) as string, "utf8")).trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => [line["seq"], line["kind"]])).toEqual([[1, "client-request"], [2, "provider-request"], [3, "provider-chunk"], [4, "provider-chunk"], [5, "error"]]);
    expect(traces.stats).toEqual({ written: 5, dropped: 0, failures: 0 });
    expect(dumps.stats).toEqual({ written: 1, dropped: 0, failures: 0 });
  });

  it("keeps at most maxFiles traces and dumps, deleting the oldest", async () => {
    let clock = Date.parse("2025-01-01T00:00:00Z");
    const traces = createTraceWriter({ dataDir, maxFiles: 3, now: () => (clock += 1000) });
    const dumps = createFailedRequestDumpWriter({ dataDir, maxFiles: 2, now: () => (clock += 1000) });
    for (let index = 1; index <= 5; index += 1) {
      const trace = traces.begin(`r${index}`);
      trace.record("client-request", { index });
      await trace.close();
      dumps.dump({ requestId: `d${index}`, error: "x" });
    }
    await traces.flush();
    await dumps.flush();
    expect((await readdir(join(dataDir, "traces"))).map((name) => name.replace(/^.*-(r\d)\.jsonl$/, "$1"))).toEqual(["r3", "r4", "r5"]);
    expect((await readdir(join(dataDir, "failures"))).map((name) => name.replace(/^.*-(d\d)\.json$/, "$1"))).toEqual(["d4", "d5"]);
  });

  it("stops a trace at maxBytesPerFile with one truncated line and counts the drops", async () => {
    const traces = createTraceWriter({ dataDir, maxBytesPerFile: 400 });
    const trace = traces.begin("big");
    for (let index = 0; index < 20; index += 1) trace.record("provider-chunk", "x".repeat(50));
    await trace.close();
    const [file] = await readdir(join(dataDir, "traces"));
    const text = await readFile(join(dataDir, "traces", file as string), "utf8");
    const kinds = text.trim().split("\n").map((line) => (JSON.parse(line) as { kind: string }).kind);
    expect(kinds.at(-1)).toBe("truncated");
    expect(kinds.filter((kind) => kind === "truncated")).toHaveLength(1);
    expect(Buffer.byteLength(text) - Buffer.byteLength(text.trim().split("\n").at(-1) as string) - 1).toBeLessThanOrEqual(400);
    expect(traces.stats.dropped).toBe(20 - (kinds.length - 1));
  });

  it("swallows and counts failures when the data directory cannot be written", async () => {
    const blocker = join(dataDir, "not-a-directory");
    await writeFile(blocker, "file");
    const traces = createTraceWriter({ dataDir: join(blocker, "data") });
    const dumps = createFailedRequestDumpWriter({ dataDir: join(blocker, "data") });
    const trace = traces.begin("r");
    expect(() => trace.record("client-request", { a: 1 })).not.toThrow();
    expect(() => dumps.dump({ requestId: "r", error: "e" })).not.toThrow();
    await expect(trace.close()).resolves.toBeUndefined();
    await traces.flush();
    await dumps.flush();
    trace.record("client-response", { b: 2 });
    expect(traces.stats).toEqual({ written: 0, dropped: 1, failures: 1 });
    expect(dumps.stats).toEqual({ written: 0, dropped: 0, failures: 1 });
  });

  it("counts a value that cannot be serialized instead of throwing", async () => {
    const traces = createTraceWriter({ dataDir });
    const trace = traces.begin("r");
    const bad = { toJSON: () => { throw new Error("nope"); } };
    expect(() => trace.record("unified-request", bad)).not.toThrow();
    await trace.close();
    expect(traces.stats.failures).toBe(1);
  });
});
