import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { createServer, connect } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * bench/rss-soak: does the built gateway's memory stay flat? Starts the shared cheap mock upstream
 * (`../shared/bench-peers/mock-upstream.mjs`) and `dist/cli/main.js serve` as child processes on 127.0.0.1 (the
 * gateway pinned to its own core, like bench:gateway), sends REQUESTS requests over keep-alive connections (a
 * round-robin mix of the four client → provider paths, JSON and 50-chunk streams, plus client disconnects in the
 * middle of slow streams), samples the gateway's RSS from /proc at intervals, and reports idle, peak, after, and the
 * growth between the warm point and the end.
 *
 * Run: `npm run bench:rss` (builds first). Env: REQUESTS (100000), CONCURRENCY (32), SAMPLE_MS (500), WARM_AT (half the
 * run: the request count after which V8 has sized its heap and growth would mean a leak), CANCEL_EVERY (200: every Nth request is a paced stream the client
 * abandons after its first bytes; 0 = none), MAX_SECONDS (600: hard limit), PIN (1), RUN_DIR, BENCH_PEERS_DIR,
 * GATEWAY_NODE_FLAGS (space-separated Node flags for the gateway only; default: the V8 heap flags `npm start` and the
 * `switchyard` bin launch with, so the gateway is measured as shipped; set it to "" with SWITCHYARD_HEAP_FLAGS=off to measure
 * bare `node`, since `serve` otherwise re-executes itself with the flags and MALLOC_ARENA_MAX=2).
 */

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const peersDir = resolve(process.env["BENCH_PEERS_DIR"] ?? join(projectRoot, "..", "shared", "bench-peers"));
const runDir = process.env["RUN_DIR"] ?? `/tmp/switchyard-rss-${new Date().toISOString().replace(/[:.]/g, "-")}`;
const number = (name: string, fallback: number): number => {
  const value = process.env[name];
  return value === undefined || value === "" ? fallback : Number(value);
};
const totalRequests = number("REQUESTS", 100_000);
const concurrency = number("CONCURRENCY", 32);
const sampleMs = number("SAMPLE_MS", 500);
const warmAt = number("WARM_AT", Math.floor(totalRequests / 2));
const cancelEvery = number("CANCEL_EVERY", 200);
const maxSeconds = number("MAX_SECONDS", 600);
/** The flags of the shipped launch commands (package.json `start`, the bin's shebang): V8 otherwise sizes the young generation from machine memory. */
const shippedNodeFlags = "--max-semi-space-size=8 --max-old-space-size=512";
const gatewayNodeFlags = (process.env["GATEWAY_NODE_FLAGS"] ?? shippedNodeFlags).split(" ").filter((flag) => flag !== "");
const pin = process.env["PIN"] !== "0" && spawnSync("taskset", ["-V"]).status === 0 && (Number(spawnSync("nproc").stdout?.toString()) || 1) >= 2;
/** Target (DESIGN.md): under 150 MB after 100k requests, and flat. */
const rssLimitMb = 150;
/** "Flat": after the warm point RSS grows by less than this over the rest of the run (GC sawtooth included). */
const flatToleranceMb = 10;

interface Memory {
  rssMb: number;
  peakMb: number;
}
interface Sample extends Memory {
  atMs: number;
  completed: number;
}

/** One kind of request of the mix: client path and body, and how to tell the answer came back whole. */
interface RequestKind {
  name: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Text the end of a complete answer contains. */
  complete: string;
  /** Abandon the response after its first bytes (client disconnect). */
  cancel?: boolean;
}

function requestKinds(): { mix: RequestKind[]; cancel: RequestKind } {
  const openai = { path: "/v1/chat/completions", headers: { authorization: "Bearer sk-mock" } };
  const anthropic = { path: "/v1/messages", headers: { "x-api-key": "sk-mock", "anthropic-version": "2023-06-01" } };
  const openaiBody = (model: string, stream: boolean) =>
    Buffer.from(
      JSON.stringify({
        model,
        messages: [
          { role: "system", content: "You are a concise assistant for a software team." },
          { role: "user", content: "Explain in two sentences what an LLM API gateway does." },
        ],
        max_tokens: 256,
        stream,
        ...(stream ? { stream_options: { include_usage: true } } : {}),
      }),
    );
  const anthropicBody = (model: string, stream: boolean) =>
    Buffer.from(
      JSON.stringify({
        model,
        max_tokens: 256,
        system: "You are a concise assistant for a software team.",
        messages: [{ role: "user", content: "Explain in two sentences what an LLM API gateway does." }],
        stream,
      }),
    );
  const mix: RequestKind[] = [];
  for (const [client, build] of [
    ["openai", openaiBody],
    ["anthropic", anthropicBody],
  ] as const) {
    const route = client === "openai" ? openai : anthropic;
    for (const provider of ["openai", "anthropic"]) {
      const label = `${client}→${provider}`;
      mix.push({ name: `${label} json`, ...route, body: build(`${provider}/gpt-4o-mini`, false), complete: "paid on every single request" });
      mix.push({ name: `${label} stream`, ...route, body: build(`${provider}/mock-c50`, true), complete: client === "openai" ? "[DONE]" : "message_stop" });
    }
  }
  // 50 chunks 2 ms apart (~100 ms): the client leaves after the first bytes, so the gateway must abort upstream.
  const cancel: RequestKind = { name: "anthropic→openai stream, client leaves", ...anthropic, body: anthropicBody("openai/mock-c50-d2", true), complete: "", cancel: true };
  return { mix, cancel };
}

const sleep = (ms: number) => new Promise((resolvePromise) => setTimeout(resolvePromise, ms));

function memoryOf(pid: number): Memory | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return { rssMb: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024, peakMb: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024 };
  } catch {
    return undefined;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}

function accepting(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.once("error", () => resolvePromise(false));
  });
}

const started = new Set<ChildProcess>();

/** Starts a child with its output in the run folder; pinned to `cpu` with taskset (which execs: same PID). */
function startChild(label: string, args: string[], env: Record<string, string>, cpu: string): ChildProcess {
  const log = openSync(join(runDir, `${label}.log`), "a");
  const [command, commandArgs] = pin ? ["taskset", ["-c", cpu, process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(command, commandArgs, { cwd: projectRoot, env: { ...process.env, NODE_ENV: "production", ...env }, stdio: ["ignore", log, log] });
  closeSync(log);
  started.add(child);
  child.once("exit", () => started.delete(child));
  return child;
}

async function waitListening(child: ChildProcess, port: number, label: string): Promise<void> {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${label} exited before listening; see ${join(runDir, `${label}.log`)}`);
    if (await accepting(port)) return;
    await sleep(100);
  }
  throw new Error(`${label} not listening on ${port} after 30 s`);
}

/** SIGTERM, then SIGKILL after 4 s; only the processes this script started. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolvePromise) => child.once("exit", resolvePromise));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 4000);
  await exited;
  clearTimeout(timer);
}

function killAllNow(): void {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

/** One request; resolves with an error text, or undefined when the answer was complete (or cancelled as planned). */
function send(agent: Agent, port: number, kind: RequestKind): Promise<string | undefined> {
  return new Promise((resolvePromise) => {
    const req = request(
      { agent, host: "127.0.0.1", port, path: kind.path, method: "POST", headers: { "content-type": "application/json", "content-length": String(kind.body.length), ...kind.headers } },
      (res) => {
        if (kind.cancel === true) {
          res.on("error", () => undefined); // the reset we cause ourselves
          res.once("data", () => {
            req.destroy();
            resolvePromise(res.statusCode === 200 ? undefined : `${kind.name}: HTTP ${res.statusCode}`);
          });
          res.once("end", () => resolvePromise(`${kind.name}: ended before it was cancelled`));
          return;
        }
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.once("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          if (res.statusCode !== 200) resolvePromise(`${kind.name}: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
          else resolvePromise(text.includes(kind.complete) ? undefined : `${kind.name}: incomplete answer ${text.slice(-200)}`);
        });
        res.once("error", (error) => resolvePromise(`${kind.name}: ${error.message}`));
      },
    );
    req.setTimeout(15_000, () => req.destroy(new Error("timeout after 15 s")));
    req.once("error", (error) => {
      if (kind.cancel !== true) resolvePromise(`${kind.name}: ${error.message}`);
    });
    req.end(kind.body);
  });
}

async function main(): Promise<void> {
  const mockFile = join(peersDir, "mock-upstream.mjs");
  const cli = join(projectRoot, "dist", "cli", "main.js");
  if (!existsSync(mockFile)) throw new Error(`mock upstream not found at ${mockFile} (set BENCH_PEERS_DIR)`);
  if (!existsSync(cli)) throw new Error("dist/cli/main.js is missing: run `npm run build` first");
  mkdirSync(runDir, { recursive: true });
  // This process is the load side: keep it off the gateway's core.
  if (pin) spawnSync("taskset", ["-a", "-p", "-c", "0", String(process.pid)], { stdio: "ignore" });

  const upstreamPort = await freePort();
  const mock = startChild("upstream-mock", [mockFile], { PORT: String(upstreamPort), HOST: "127.0.0.1" }, "0");
  await waitListening(mock, upstreamPort, "upstream-mock");
  const gatewayPort = await freePort();
  const upstreamBase = `http://127.0.0.1:${upstreamPort}`;
  const gateway = startChild(
    "switchyard",
    [...gatewayNodeFlags, cli, "serve"],
    {
      SWITCHYARD_HOST: "127.0.0.1",
      SWITCHYARD_PORT: String(gatewayPort),
      SWITCHYARD_DATA_DIR: join(runDir, "switchyard-data"),
      OPENAI_API_BASE: `${upstreamBase}/v1`,
      OPENAI_API_KEY: "sk-mock",
      ANTHROPIC_API_BASE: upstreamBase,
      ANTHROPIC_API_KEY: "sk-mock",
    },
    "1",
  );
  await waitListening(gateway, gatewayPort, "switchyard");
  const pid = gateway.pid;
  if (pid === undefined) throw new Error("the gateway has no pid");
  await sleep(1000);
  const idle = memoryOf(pid);
  console.error(`gateway pid ${pid} on 127.0.0.1:${gatewayPort} (pinned: ${pin}${gatewayNodeFlags.length > 0 ? `; node ${gatewayNodeFlags.join(" ")}` : ""}), idle RSS ${idle?.rssMb.toFixed(1)} MB; ${totalRequests} requests, ${concurrency} connections`);

  const { mix, cancel } = requestKinds();
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const samples: Sample[] = [];
  const errors = new Map<string, number>();
  let issued = 0;
  let completed = 0;
  let cancelled = 0;
  const startedAt = Date.now();
  const deadline = startedAt + maxSeconds * 1000;
  const sample = () => {
    const memory = memoryOf(pid);
    if (memory !== undefined) samples.push({ ...memory, atMs: Date.now() - startedAt, completed });
  };
  const sampler = setInterval(sample, sampleMs);
  const checkpoints = new Map<number, number>();
  const checkpointEvery = Math.max(1, Math.floor(totalRequests / 10));

  const worker = async (): Promise<void> => {
    while (issued < totalRequests && Date.now() < deadline) {
      const index = issued;
      issued += 1;
      const kind = cancelEvery > 0 && index % cancelEvery === cancelEvery - 1 ? cancel : (mix[index % mix.length] as RequestKind);
      const error = await send(agent, gatewayPort, kind);
      if (kind.cancel === true) cancelled += 1;
      if (error !== undefined) errors.set(error.slice(0, 160), (errors.get(error.slice(0, 160)) ?? 0) + 1);
      completed += 1;
      if (completed % checkpointEvery === 0 || completed === warmAt) {
        const memory = memoryOf(pid);
        if (memory !== undefined) checkpoints.set(completed, memory.rssMb);
        if (completed % checkpointEvery === 0) console.error(`  ${String(completed).padStart(7)} requests  RSS ${memory?.rssMb.toFixed(1)} MB  ${((completed * 1000) / (Date.now() - startedAt)).toFixed(0)} req/s`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = Date.now() - startedAt;
  clearInterval(sampler);
  agent.destroy();
  sample();
  const after = memoryOf(pid);
  // Idle again for a few seconds: what the process keeps once the load is gone.
  await sleep(5000);
  const settled = memoryOf(pid);

  await stopChild(gateway);
  await stopChild(mock);

  const warm = checkpoints.get(warmAt) ?? samples.find((entry) => entry.completed >= warmAt)?.rssMb;
  const afterWarm = samples.filter((entry) => entry.completed >= warmAt);
  const maxSampled = Math.max(...samples.map((entry) => entry.rssMb));
  const growth = after === undefined || warm === undefined ? undefined : after.rssMb - warm;
  // Least-squares slope of RSS over requests after the warm point, in MB per 10k requests.
  const slope = slopePer10k(afterWarm);
  const errorCount = [...errors.values()].reduce((sum, count) => sum + count, 0);
  const flat = growth !== undefined && growth < flatToleranceMb;
  const underLimit = after !== undefined && after.peakMb < rssLimitMb;
  const format = (value: number | undefined) => (value === undefined ? "–" : value.toFixed(1));
  const lines = [
    `| measure | MB |`,
    `|---|--:|`,
    `| RSS idle (started, no request yet) | ${format(idle?.rssMb)} |`,
    `| RSS at the warm point (${warmAt} requests) | ${format(warm)} |`,
    `| RSS peak (VmHWM; highest sample ${format(maxSampled)}) | ${format(after?.peakMb)} |`,
    `| RSS after ${completed} requests | ${format(after?.rssMb)} |`,
    `| RSS 5 s after the load stopped | ${format(settled?.rssMb)} |`,
    `| growth, warm point → after | ${growth === undefined ? "–" : `${growth >= 0 ? "+" : ""}${growth.toFixed(1)}`} |`,
    `| slope after the warm point (MB per 10k requests) | ${slope === undefined ? "–" : slope.toFixed(2)} |`,
    "",
    `${completed} requests (${cancelled} abandoned mid-stream by the client) in ${(elapsedMs / 1000).toFixed(1)} s (${((completed * 1000) / elapsedMs).toFixed(0)} req/s), ${concurrency} connections, ${errorCount} errors; RSS sampled every ${sampleMs} ms (${samples.length} samples).`,
    `Checkpoints (requests: RSS MB): ${[...checkpoints.entries()].sort((a, b) => a[0] - b[0]).map(([count, rss]) => `${count}: ${rss.toFixed(1)}`).join(", ")}.`,
    `Targets: flat (growth after the warm point < ${flatToleranceMb} MB): ${flat ? "met" : "MISSED"}; peak < ${rssLimitMb} MB: ${underLimit ? "met" : "MISSED"}.`,
  ];
  if (completed < totalRequests) lines.push(`Stopped at the ${maxSeconds} s limit before ${totalRequests} requests.`);
  for (const [error, count] of errors) lines.push(`error ×${count}: ${error}`);
  const report = lines.join("\n");
  writeFileSync(join(runDir, "rss-samples.json"), JSON.stringify({ idle, warm, after, settled, samples, checkpoints: Object.fromEntries(checkpoints) }, null, 1));
  writeFileSync(join(runDir, "summary.md"), `${report}\n`);
  console.log(`\n### Gateway RSS over ${completed} requests\n\n${report}\n\nsamples: ${join(runDir, "rss-samples.json")}; logs: ${runDir}`);
}

function slopePer10k(points: readonly Sample[]): number | undefined {
  if (points.length < 3) return undefined;
  const meanX = points.reduce((sum, point) => sum + point.completed, 0) / points.length;
  const meanY = points.reduce((sum, point) => sum + point.rssMb, 0) / points.length;
  let numerator = 0;
  let denominator = 0;
  for (const point of points) {
    numerator += (point.completed - meanX) * (point.rssMb - meanY);
    denominator += (point.completed - meanX) ** 2;
  }
  return denominator === 0 ? undefined : (numerator / denominator) * 10_000;
}

process.once("exit", killAllNow);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(signal, () => {
    killAllNow();
    process.exit(130);
  });
}
main().catch((error: unknown) => {
  console.error(`bench:rss: ${error instanceof Error ? error.message : String(error)}`);
  killAllNow();
  process.exitCode = 1;
});
