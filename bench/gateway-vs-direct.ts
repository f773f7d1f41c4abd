import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { assembleReferenceHarness, parseReferenceNames, referenceHarnessNodeOptions, referenceProxies } from "./reference-harness.js";

/**
 * bench/gateway-vs-direct: the built gateway against the mock upstream hit directly, in one run, through the shared
 * side-by-side harness `../shared/bench-peers` (wrk, gateway pinned to one core, CPU and RSS from /proc). This script
 * only sets the harness up for `direct,switchyard`, bounds its run time, and turns its raw results into a table
 * against the DESIGN.md performance targets. Nothing of the harness is copied here.
 *
 * Run: `npm run bench:gateway` (builds first). Env: DURATION, WARMUP, TTFB_SECONDS, ROUNDS, SCENARIOS, PIN (passed
 * to the harness), BENCH_PEERS_DIR (default ../shared/bench-peers), RUN_DIR, MAX_SECONDS (hard limit on the run),
 * REFERENCES (reference proxies measured in the same run: a comma list of `bench/reference-harness.ts` names, or all).
 * `node --import ./bench/register-ts-resolution.ts bench/gateway-vs-direct.ts --render <run dir>/results.json`
 * re-prints the table of an earlier run.
 */

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const peersDir = resolve(process.env["BENCH_PEERS_DIR"] ?? join(projectRoot, "..", "shared", "bench-peers"));
const runDir = process.env["RUN_DIR"] ?? `/tmp/switchyard-bench-${new Date().toISOString().replace(/[:.]/g, "-")}`;
const number = (name: string, fallback: number): number => {
  const value = process.env[name];
  return value === undefined || value === "" ? fallback : Number(value);
};
const duration = number("DURATION", 10);
const warmup = number("WARMUP", 3);
// 15 s of ~60 ms streams ≈ 230 samples per route: the harness default (5 s) leaves the TTFB median noisy.
const ttfbSeconds = number("TTFB_SECONDS", 15);
const rounds = number("ROUNDS", 1);
const scenarios = process.env["SCENARIOS"] ?? "json-c1,json-c64,sse50-c16,sse50-paced2ms-c16,sse50-ttfb-c1";
const references = parseReferenceNames(process.env["REFERENCES"]);

/** Targets from DESIGN.md "Performance targets" (2-core machine, gateway pinned to one core). */
const targets = {
  passthrough: { addedP50Ms: 0.25, cpuUsPerRequest: 150 },
  translated: { addedP50Ms: 0.4, cpuUsPerRequest: 250 },
  addedTtfbMs: 0.3,
  streamCpuUsPerRequest: 300,
  pacedCpuVersusDirect: 1.5,
} as const;

/** The harness's switchyard routes (gateways/switchyard.mjs), in report order. */
const routes = [
  { id: "oai", what: "OpenAI → OpenAI (passthrough)", kind: "passthrough" },
  { id: "ant", what: "Anthropic → Anthropic (passthrough)", kind: "passthrough" },
  { id: "ant→oai", what: "Anthropic → OpenAI (translated)", kind: "translated" },
  { id: "oai→ant", what: "OpenAI → Anthropic (translated)", kind: "translated" },
] as const;

interface HarnessRow {
  target: string;
  route: string;
  family: string;
  scenario: string;
  failed?: string;
  rps?: number;
  p50?: number;
  p99?: number;
  sutCpuUsPerReq?: number | null;
  errors?: number;
  foreignCpuPct?: number;
  ttfb?: { ttfb_p50?: number | null; ttfb_p99?: number | null; errors?: number };
}
interface HarnessMemory {
  rssMB: number;
  hwmMB: number;
}
interface HarnessTarget {
  name: string;
  status: string;
  reason?: string;
  idle?: HarnessMemory;
  after?: HarnessMemory;
}
interface HarnessResults {
  machine: { cpus: number; model?: string; node: string };
  config: { rounds: number; warmup: number; duration: number; ttfbSeconds: number };
  rows: HarnessRow[];
  targets: HarnessTarget[];
}

function assertReady(): void {
  const harness = join(peersDir, "run-peers.sh");
  if (!existsSync(harness)) throw new Error(`bench-peers harness not found at ${harness} (set BENCH_PEERS_DIR)`);
  if (!existsSync(join(projectRoot, "dist", "cli", "main.js"))) throw new Error("dist/cli/main.js is missing: run `npm run build` first");
}

/** Hard limit on the harness: every measured window plus generous slack for start-up, checks and a wrk install. */
function runLimitSeconds(): number {
  const explicit = process.env["MAX_SECONDS"];
  if (explicit !== undefined && explicit !== "") return Number(explicit);
  const ids = scenarios.split(",");
  const perRoute = ids.reduce((sum, id) => sum + (id.includes("ttfb") ? ttfbSeconds + 5 : warmup + duration + 3), 0);
  const routeCount = 2 + routes.length + 2 * references.length; // direct and each reference proxy serve two client formats
  return Math.ceil(rounds * routeCount * perRoute * 1.5) + 300;
}

/** Runs the harness in its own process group, stopping it (it stops what it started) when the limit passes. */
function runHarness(resultsFile: string, markdownFile: string): Promise<number> {
  const harnessDir = references.length === 0 ? peersDir : assembleReferenceHarness(peersDir, runDir, projectRoot, references);
  const env: Record<string, string | undefined> = {
    ...process.env,
    GATEWAYS: ["direct", "switchyard", ...references].join(","),
    ...(references.length === 0 ? {} : { NODE_OPTIONS: referenceHarnessNodeOptions(process.env["NODE_OPTIONS"]) }),
    SWITCHYARD_DIR: projectRoot,
    // The gateway and the mock run on the project's pinned Node 24 (the one npm scripts use).
    NODE_BIN: process.env["NODE_BIN"] ?? process.execPath,
    SCENARIOS: scenarios,
    DURATION: String(duration),
    WARMUP: String(warmup),
    TTFB_SECONDS: String(ttfbSeconds),
    ROUNDS: String(rounds),
    RUN_DIR: runDir,
    OUT_JSON: resultsFile,
    OUT_MD: markdownFile,
  };
  const limit = runLimitSeconds();
  console.error(`bench:gateway: harness ${harnessDir}, run dir ${runDir}, hard limit ${limit} s`);
  return new Promise((resolvePromise) => {
    const child = spawn("bash", [join(harnessDir, "run-peers.sh")], { cwd: projectRoot, env, stdio: ["ignore", "inherit", "inherit"] });
    const stop = (signal: NodeJS.Signals): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    const timer = setTimeout(() => {
      console.error(`bench:gateway: over the ${limit} s limit, stopping the harness`);
      stop("SIGTERM");
      setTimeout(() => stop("SIGKILL"), 10_000).unref();
    }, limit * 1000);
    const forward = (signal: NodeJS.Signals) => () => stop(signal);
    process.once("SIGINT", forward("SIGINT"));
    process.once("SIGTERM", forward("SIGTERM"));
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolvePromise(code ?? (signal === null ? 1 : 128));
    });
  });
}

function median(values: readonly (number | null | undefined)[]): number | undefined {
  const sorted = values.filter((value): value is number => typeof value === "number" && Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

const format = (value: number | undefined, digits: number): string => (value === undefined ? "–" : value.toFixed(digits));
const verdict = (value: number | undefined, limit: number): string => (value === undefined ? "–" : value <= limit ? "✓" : "✗");

/** The table against the targets: one line per route, medians over rounds, "added" = gateway − direct, same client format. */
function summarize(results: HarnessResults): string {
  const rowsOf = (target: string, route: string, family: string | undefined, scenario: string): HarnessRow[] =>
    results.rows.filter((row) => row.target === target && row.route === route && (family === undefined || row.family === family) && row.scenario === scenario && row.failed === undefined);
  const statOf = (target: string, route: string, family: string | undefined, scenario: string, pick: (row: HarnessRow) => number | null | undefined) =>
    median(rowsOf(target, route, family, scenario).map(pick));
  const failures = results.rows.filter((row) => row.target === "switchyard" && row.failed !== undefined);

  const lines: string[] = [];
  lines.push(`| path | added p50 ms (c1) | added p99 ms (c1) | req/s c64 (× direct) | CPU µs/req c64 | added TTFB p50 ms | CPU µs/stream burst | CPU µs/stream paced (× direct) | targets: p50 / CPU | met |`);
  lines.push(`|---|--:|--:|--:|--:|--:|--:|--:|---|:-:|`);
  for (const route of routes) {
    const family = route.id.startsWith("oai") ? "openai" : "anthropic";
    const gateway = (scenario: string, pick: (row: HarnessRow) => number | null | undefined) => statOf("switchyard", route.id, family, scenario, pick);
    const direct = (scenario: string, pick: (row: HarnessRow) => number | null | undefined) => statOf("direct", "", family, scenario, pick);
    const difference = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a - b);
    const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 ? undefined : a / b);
    const addedP50 = difference(gateway("json-c1", (row) => row.p50), direct("json-c1", (row) => row.p50));
    const addedP99 = difference(gateway("json-c1", (row) => row.p99), direct("json-c1", (row) => row.p99));
    const rps = gateway("json-c64", (row) => row.rps);
    const rpsRatio = ratio(rps, direct("json-c64", (row) => row.rps));
    const cpu = gateway("json-c64", (row) => row.sutCpuUsPerReq);
    const addedTtfb = difference(gateway("sse50-ttfb-c1", (row) => row.ttfb?.ttfb_p50), direct("sse50-ttfb-c1", (row) => row.ttfb?.ttfb_p50));
    const burstCpu = gateway("sse50-c16", (row) => row.sutCpuUsPerReq);
    const pacedCpu = gateway("sse50-paced2ms-c16", (row) => row.sutCpuUsPerReq);
    const pacedRatio = ratio(pacedCpu, direct("sse50-paced2ms-c16", (row) => row.sutCpuUsPerReq));
    const goal = targets[route.kind];
    const checks = [
      verdict(addedP50, goal.addedP50Ms),
      verdict(cpu, goal.cpuUsPerRequest),
      verdict(addedTtfb, targets.addedTtfbMs),
      verdict(burstCpu, targets.streamCpuUsPerRequest),
      verdict(pacedRatio, targets.pacedCpuVersusDirect),
    ];
    lines.push(
      `| ${route.what} | ${format(addedP50, 3)} | ${format(addedP99, 2)} | ${format(rps, 0)} (${format(rpsRatio, 3)}) | ${format(cpu, 0)} | ${format(addedTtfb, 3)} | ${format(burstCpu, 0)} | ${format(pacedCpu, 0)} (${format(pacedRatio, 2)}) | ≤ ${goal.addedP50Ms} ms / ≤ ${goal.cpuUsPerRequest} µs | ${checks.join(" ")} |`,
    );
  }
  const directLine = (family: string) =>
    `direct ${family}: p50 ${format(statOf("direct", "", family, "json-c1", (row) => row.p50), 3)} ms (c1), ${format(statOf("direct", "", family, "json-c64", (row) => row.rps), 0)} req/s and ${format(statOf("direct", "", family, "json-c64", (row) => row.sutCpuUsPerReq), 0)} µs CPU/req (c64), TTFB p50 ${format(statOf("direct", "", family, "sse50-ttfb-c1", (row) => row.ttfb?.ttfb_p50), 3)} ms`;
  lines.push("");
  lines.push(`Baselines: ${directLine("openai")}; ${directLine("anthropic")}.`);
  lines.push(...referenceLines(results, statOf));
  const gatewayTargets = results.targets.filter((target) => target.name === "switchyard");
  const idle = median(gatewayTargets.map((target) => target.idle?.rssMB));
  const after = median(gatewayTargets.map((target) => target.after?.rssMB));
  const peak = median(gatewayTargets.map((target) => target.after?.hwmMB));
  lines.push(`Gateway RSS: idle ${format(idle, 1)} MB, after the run ${format(after, 1)} MB, peak ${format(peak, 1)} MB (target < 150 MB; growth over 100k requests: \`npm run bench:rss\`).`);
  lines.push(
    `"met" marks, in order: added p50, CPU µs/req c64, added TTFB (≤ ${targets.addedTtfbMs} ms), burst stream CPU (≤ ${targets.streamCpuUsPerRequest} µs), paced stream CPU (≤ ${targets.pacedCpuVersusDirect}× direct).`,
  );
  const foreign = results.rows.filter((row) => typeof row.foreignCpuPct === "number").map((row) => row.foreignCpuPct ?? 0);
  const noisy = foreign.filter((value) => value > 20).length;
  lines.push(
    `Other tenants' CPU during the measured windows (processes the harness did not start): median ${format(median(foreign), 0)} %, max ${format(foreign.length === 0 ? undefined : Math.max(...foreign), 0)} %; ${noisy} of ${foreign.length} windows above 20 % (those numbers are less trustworthy).`,
  );
  for (const target of gatewayTargets) if (target.status !== "ok") lines.push(`Gateway ${target.status}: ${target.reason ?? ""}`);
  for (const failure of failures) lines.push(`FAILED ${failure.route} ${failure.family} ${failure.scenario}: ${failure.failed ?? ""}`);
  const { config } = results;
  lines.push(
    `Machine: ${results.machine.cpus} vCPU ${results.machine.model ?? ""}, SUT node ${results.machine.node}; ${config.rounds} round(s) (medians) of ${config.warmup} s warm-up + ${config.duration} s per wrk scenario, ${config.ttfbSeconds} s of TTFB probe per route.`,
  );
  return lines.join("\n");
}

type StatOf = (target: string, route: string, family: string | undefined, scenario: string, pick: (row: HarnessRow) => number | null | undefined) => number | undefined;

/**
 * Switchyard's passthrough routes beside the reference proxies measured in the same run (none unless REFERENCES
 * was set): the same three "added" figures, so the part of Switchyard's latency that is its own shows.
 */
function referenceLines(results: HarnessResults, statOf: StatOf): string[] {
  const measured = (Object.keys(referenceProxies) as (keyof typeof referenceProxies)[]).filter((name) => results.rows.some((row) => row.target === name));
  if (measured.length === 0) return [];
  const lines = ["", "Reference proxies in the same run (bytes passed through unchanged; see bench/reference-harness.ts):", ""];
  lines.push("| target | client format | added p50 ms (c1) | CPU µs/req c64 | added TTFB p50 ms |", "|---|---|--:|--:|--:|");
  const rows = [
    { target: "switchyard", title: "Switchyard (passthrough)" },
    ...measured.map((name) => ({ target: name, title: `${name}: ${referenceProxies[name].title}` })),
  ];
  for (const { target, title } of rows) {
    for (const [family, route] of [["openai", "oai"], ["anthropic", "ant"]] as const) {
      const added = (scenario: string, pick: (row: HarnessRow) => number | null | undefined): number | undefined => {
        const value = statOf(target, route, family, scenario, pick);
        const direct = statOf("direct", "", family, scenario, pick);
        return value === undefined || direct === undefined ? undefined : value - direct;
      };
      const p50 = added("json-c1", (row) => row.p50);
      const ttfb = added("sse50-ttfb-c1", (row) => row.ttfb?.ttfb_p50);
      const cpu = statOf(target, route, family, "json-c64", (row) => row.sutCpuUsPerReq);
      lines.push(`| ${title} | ${family} | ${format(p50, 3)} | ${format(cpu, 0)} | ${format(ttfb, 3)} |`);
    }
  }
  // A blank line ends the table: the lines after it are not rows.
  return [...lines, ""];
}

async function main(): Promise<void> {
  const render = process.argv.indexOf("--render");
  if (render >= 0) {
    // Re-print the table from an earlier run's results.json.
    const file = process.argv[render + 1];
    if (file === undefined) throw new Error("--render needs a results.json path");
    console.log(summarize(JSON.parse(readFileSync(file, "utf8")) as HarnessResults));
    return;
  }
  assertReady();
  mkdirSync(runDir, { recursive: true });
  const resultsFile = join(runDir, "results.json");
  const markdownFile = join(runDir, "results.md");
  const code = await runHarness(resultsFile, markdownFile);
  if (!existsSync(resultsFile)) throw new Error(`the harness ended (exit ${code}) without results; logs in ${runDir}`);
  const summary = summarize(JSON.parse(readFileSync(resultsFile, "utf8")) as HarnessResults);
  writeFileSync(join(runDir, "summary.md"), `${summary}\n`);
  console.log(`\n### Switchyard against the targets (added = gateway − direct, same client format)\n\n${summary}\n\nfull tables: ${markdownFile}\nraw results: ${resultsFile}`);
}

main().catch((error: unknown) => {
  console.error(`bench:gateway: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
