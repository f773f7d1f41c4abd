import { fork, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, request, type ClientRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { writeHeapSnapshot } from "node:v8";

/**
 * bench/open-streams: can one gateway hold 10,000 concurrent, silent client streams alive with heartbeats, in under
 * 1 GiB, without its event loop falling behind? Three processes on 127.0.0.1: this driver (the clients), a silent
 * upstream, and the gateway (the TypeScript sources run directly, with the V8 flags it ships with). Every stream's
 * upstream goes silent (MODE=after: after its first text; MODE=before: after the response headers, before any body
 * byte; MODE=demo: the built-in demo provider in process, paced one frame an hour, so no upstream sockets at all),
 * and the gateway's heartbeats are all the clients get. The driver opens STREAMS streams, waits until each got its
 * first byte, holds them HOLD_SECONDS while sampling the gateway's RSS (VmRSS, VmHWM from /proc) and its event-loop
 * lag (perf_hooks monitorEventLoopDelay minus its 10 ms sampling interval, reset when the hold starts), checks every stream got its heartbeats, then
 * closes them all and reports the RSS after.
 *
 * Run: `npm run bench:streams`. Env: STREAMS (10000), MODE (after | before | demo; default after), HEARTBEAT_MS (5000),
 * HOLD_SECONDS (30), OPEN_RATE (streams opened per 100 ms; 500), GATEWAY_NODE_FLAGS (default: the shipped
 * `--max-semi-space-size=8 --max-old-space-size=512`), HEAP_SNAPSHOT=1 (write a heap snapshot of the gateway while
 * the streams are held, to see what a held stream costs).
 *
 * File descriptors: the gateway holds two sockets per stream with a network upstream (client side and upstream
 * side), so 10,000 streams need `ulimit -n` above ~20,100 in the shell that runs this (`ulimit -n 65536` first; a
 * container's hard limit may forbid it, see bench/README.md). MODE=demo needs one per stream.
 */

const role = process.argv[2];
const number = (name: string, fallback: number): number => {
  const value = process.env[name];
  return value === undefined || value === "" ? fallback : Number(value);
};
const mode = (process.env["MODE"] ?? "after") as "after" | "before" | "demo";
const streams = number("STREAMS", 10_000);
const heartbeatMs = number("HEARTBEAT_MS", 5_000);
const holdSeconds = number("HOLD_SECONDS", 30);
const openRate = number("OPEN_RATE", 500);
const shippedNodeFlags = "--max-semi-space-size=8 --max-old-space-size=512";
const gatewayNodeFlags = (process.env["GATEWAY_NODE_FLAGS"] ?? shippedNodeFlags).split(" ").filter((flag) => flag !== "");
const here = dirname(fileURLToPath(import.meta.url));

/** Gateway's self-report over IPC. */
interface GatewayStats {
  rssMb: number;
  peakRssMb: number;
  heapUsedMb: number;
  loop: { p50Ms: number; p99Ms: number; maxMs: number; meanMs: number };
}

type Message = { type: "ready"; port: number } | { type: "stats"; stats: GatewayStats } | { type: "snapshot"; path: string };

function readStatusMb(field: "VmRSS" | "VmHWM"): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync("/proc/self/status", "utf8"));
  return match === null ? Number.NaN : Number(match[1]) / 1024;
}

/** The gateway process: config from the environment, no logger, stats on request. */
async function runGateway(): Promise<void> {
  const { loadConfig } = await import("../src/config/index.js");
  const { createEngineFromConfig } = await import("../src/library/index.js");
  const { buildServer } = await import("../src/server/index.js");
  const config = loadConfig({ env: process.env, cwd: tmpdir(), dotenv: false });
  const app = buildServer({ gateway: createEngineFromConfig(config), proxyKeys: [], logger: false });
  await app.listen({ host: "127.0.0.1", port: 0 });
  // The histogram records the time between samples, so each value includes the 10 ms sampling interval: the lag
  // reported is the value minus that interval.
  const resolutionMs = 10;
  const delay = monitorEventLoopDelay({ resolution: resolutionMs });
  delay.enable();
  process.on("message", (message: { type: string }) => {
    if (message.type === "reset") delay.reset();
    if (message.type === "snapshot") process.send?.({ type: "snapshot", path: writeHeapSnapshot(join(tmpdir(), `open-streams-${process.pid}.heapsnapshot`)) });
    if (message.type === "stats") {
      const ms = (ns: number): number => Math.max(0, Math.round((ns / 1e6 - resolutionMs) * 100) / 100);
      process.send?.({
        type: "stats",
        stats: {
          rssMb: readStatusMb("VmRSS"),
          peakRssMb: readStatusMb("VmHWM"),
          heapUsedMb: process.memoryUsage().heapUsed / 1048576,
          loop: { p50Ms: ms(delay.percentile(50)), p99Ms: ms(delay.percentile(99)), maxMs: ms(delay.max), meanMs: ms(delay.mean) },
        },
      } satisfies Message);
    }
  });
  process.send?.({ type: "ready", port: (app.server.address() as AddressInfo).port } satisfies Message);
}

const chatPrefix = `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created: 1, model: "bench-model", choices: [{ index: 0, delta: { role: "assistant", content: "Hello" }, finish_reason: null }] })}\n\n`;
const anthropicPrefix = [
  ["message_start", { type: "message_start", message: { id: "msg_bench", type: "message", role: "assistant", model: "bench-model", content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 5, output_tokens: 1 } } }],
  ["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }],
  ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hello" } }],
]
  .map(([event, data]) => `event: ${String(event)}\ndata: ${JSON.stringify(data)}\n\n`)
  .join("");

/** The silent upstream: headers at once, then (MODE=after) the stream up to its first text, then nothing. */
async function runUpstream(): Promise<void> {
  const server = createServer((incoming, response) => {
    incoming.resume();
    incoming.once("end", () => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      if (mode === "after") response.write(incoming.url?.endsWith("/messages") === true ? anthropicPrefix : chatPrefix);
      else response.flushHeaders();
    });
  });
  server.requestTimeout = 0;
  server.keepAliveTimeout = 0;
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  process.send?.({ type: "ready", port: (server.address() as AddressInfo).port } satisfies Message);
}

function start(childRole: string, env: Record<string, string>, execArgv: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(fileURLToPath(import.meta.url), [childRole], {
    env: { PATH: process.env["PATH"] ?? "", MODE: mode, ...env },
    execArgv: ["--import", resolve(here, "register-ts-resolution.ts"), ...execArgv],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((done, fail) => {
    child.once("error", fail);
    child.once("exit", (code) => fail(new Error(`${childRole} exited with ${String(code)}`)));
    child.on("message", (message: Message) => {
      if (message.type === "ready") done({ child, port: message.port });
    });
  });
}

function askStats(child: ChildProcess): Promise<GatewayStats> {
  return new Promise((done) => {
    const onMessage = (message: Message): void => {
      if (message.type !== "stats") return;
      child.off("message", onMessage);
      done(message.stats);
    };
    child.on("message", onMessage);
    child.send({ type: "stats" });
  });
}

function openFileLimit(): number {
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync("/proc/self/limits", "utf8"));
  return match?.[1] === undefined || match[1] === "unlimited" ? Number.POSITIVE_INFINITY : Number(match[1]);
}

/** One client stream: counts what it receives; `firstByte` resolves at its first body byte. */
interface OpenStream {
  request: ClientRequest;
  firstByte: Promise<void>;
  chunks: number;
  heartbeats: number;
  failed?: string;
}

const routes = [
  { path: "/v1/chat/completions", body: (model: string) => ({ model, stream: true, messages: [{ role: "user", content: "hi" }] }) },
  { path: "/v1/messages", body: (model: string) => ({ model, max_tokens: 64, stream: true, messages: [{ role: "user", content: "hi" }] }) },
];

function openStream(port: number, index: number): OpenStream {
  const route = routes[index % 2] ?? routes[0]!;
  // Passthrough and translated alike: clients alternate, and so (offset by one every other pair) do the providers.
  const model = mode === "demo" ? "demo/demo" : Math.floor(index / 2) % 2 === 0 ? "openai/bench-model" : "anthropic/bench-model";
  let markFirst: () => void = () => undefined;
  const stream: OpenStream = { request: undefined as unknown as ClientRequest, firstByte: new Promise((done) => (markFirst = done)), chunks: 0, heartbeats: 0 };
  const body = JSON.stringify(route.body(model));
  stream.request = request({ host: "127.0.0.1", port, method: "POST", path: route.path, agent: false, headers: { "content-type": "application/json", "x-api-key": "bench", authorization: "Bearer bench", "anthropic-version": "2023-06-01" } }, (response) => {
    if (response.statusCode !== 200) stream.failed = `status ${String(response.statusCode)}`;
    response.on("data", (chunk: Buffer) => {
      stream.chunks += 1;
      const text = chunk.toString("utf8");
      stream.heartbeats += text.split(": keep-alive").length - 1 + (text.split('"type":"ping"').length - 1);
      markFirst();
    });
    response.on("end", () => {
      stream.failed ??= "ended";
      markFirst();
    });
  });
  stream.request.on("error", (error) => {
    stream.failed ??= error.message;
    markFirst();
  });
  stream.request.end(body);
  return stream;
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

async function runDriver(): Promise<void> {
  const limit = openFileLimit();
  const needed = (mode === "demo" ? 1 : 2) * streams + 200;
  if (limit < needed) console.warn(`open-streams: ulimit -n is ${limit}; the gateway needs about ${needed} for ${streams} streams in MODE=${mode} (raise it: ulimit -n 65536)`);
  const children: ChildProcess[] = [];
  try {
    const upstream = mode === "demo" ? undefined : await start("upstream", {}, []);
    if (upstream !== undefined) children.push(upstream.child);
    const base = upstream === undefined ? "" : `http://127.0.0.1:${upstream.port}`;
    const gateway = await start(
      "gateway",
      {
        SWITCHYARD_HEARTBEAT_MS: String(heartbeatMs),
        SWITCHYARD_TTFB_TIMEOUT_MS: "3600000",
        SWITCHYARD_STALL_TIMEOUT_MS: "3600000",
        SWITCHYARD_REQUEST_TIMEOUT_MS: "3600000",
        SWITCHYARD_MAX_CONCURRENCY: String(streams * 2),
        SWITCHYARD_LOG_LEVEL: "warn",
        ...(mode === "demo"
          ? { SWITCHYARD_DEMO: "1", SWITCHYARD_DEMO_DELAY_MS: "3600000" }
          : { OPENAI_API_KEY: "sk-bench", OPENAI_API_BASE: `${base}/v1`, ANTHROPIC_API_KEY: "sk-ant-bench", ANTHROPIC_API_BASE: base }),
      },
      gatewayNodeFlags,
    );
    children.push(gateway.child);
    const idle = await askStats(gateway.child);

    const openedAt = performance.now();
    const open: OpenStream[] = [];
    while (open.length < streams) {
      for (let batch = 0; batch < openRate && open.length < streams; batch++) open.push(openStream(gateway.port, open.length));
      await sleep(100);
    }
    await Promise.race([Promise.all(open.map((stream) => stream.firstByte)), sleep(heartbeatMs + 60_000)]);
    const openMs = performance.now() - openedAt;
    const failedToOpen = open.filter((stream) => stream.failed !== undefined || stream.chunks === 0).length;

    gateway.child.send({ type: "reset" });
    const heartbeatsAtHold = open.map((stream) => stream.heartbeats);
    let peakRssMb = 0;
    for (let second = 0; second < holdSeconds; second++) {
      await sleep(1000);
      peakRssMb = Math.max(peakRssMb, (await askStats(gateway.child)).rssMb);
    }
    const held = await askStats(gateway.child);
    if (process.env["HEAP_SNAPSHOT"] === "1") {
      gateway.child.send({ type: "snapshot" });
      const path = await new Promise<string>((done) => gateway.child.on("message", (message: Message) => message.type === "snapshot" && done(message.path)));
      console.log(`open-streams: heap snapshot of the gateway while holding the streams: ${path}`);
    }
    const heartbeatsInHold = open.map((stream, index) => stream.heartbeats - (heartbeatsAtHold[index] ?? 0));
    const expectedBeats = Math.max(1, Math.floor((holdSeconds * 1000) / heartbeatMs) - 1);
    const starved = heartbeatsInHold.filter((count) => count < expectedBeats).length;
    const dropped = open.filter((stream) => stream.failed !== undefined).length;

    for (const stream of open) stream.request.destroy();
    await sleep(3000);
    const after = await askStats(gateway.child);

    const row = {
      mode,
      streams,
      heartbeatMs,
      holdSeconds,
      openSeconds: Math.round(openMs / 100) / 10,
      failedToOpen,
      droppedDuringHold: dropped,
      streamsShortOfHeartbeats: starved,
      heartbeatsPerStreamInHold: `${Math.min(...heartbeatsInHold)}–${Math.max(...heartbeatsInHold)} (expected ≥ ${expectedBeats})`,
      idleRssMb: Math.round(idle.rssMb),
      heldRssMb: Math.round(held.rssMb),
      peakRssMb: Math.round(Math.max(peakRssMb, held.peakRssMb)),
      heapUsedHeldMb: Math.round(held.heapUsedMb),
      afterCloseRssMb: Math.round(after.rssMb),
      loopDelayHold: held.loop,
    };
    console.log(JSON.stringify(row, null, 2));
    console.log(
      `| ${mode} | ${streams} | ${heartbeatMs} ms | ${row.openSeconds} s | ${failedToOpen + dropped} | ${row.heartbeatsPerStreamInHold} | ${row.idleRssMb} | ${row.peakRssMb} | ${row.afterCloseRssMb} | ${held.loop.p50Ms} / ${held.loop.p99Ms} / ${held.loop.maxMs} |`,
    );
    if (row.peakRssMb >= 1024) console.warn("open-streams: peak RSS is over the 1 GiB target");
  } finally {
    for (const child of children) child.kill("SIGTERM");
  }
}

if (role === "gateway") await runGateway();
else if (role === "upstream") await runUpstream();
else await runDriver();
