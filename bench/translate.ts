import { performance } from "node:perf_hooks";
import { getCodec } from "../src/protocols/index.js";
import { protocolIds, type ProtocolId } from "../src/unified/index.js";
import { buildAgentConversation } from "./build-agent-conversation.js";

/**
 * bench/translate: how long one translation of a big agent conversation takes, for every ordered protocol pair.
 * One unified conversation (~400 KB, 200 messages: tools, parallel calls and results, signed thinking, images) is
 * encoded once into each protocol's wire body; then for each pair A → B the timed unit is
 * `decodeRequest(A body)` + `encodeRequest(B)`, the work the gateway does per request (JSON parsing is the server's
 * and is not included). Prints the median (and p90) ms per conversion. Target (DESIGN.md): < 3 ms per pair.
 *
 * Run: `npm run bench:translate` (options: `--iterations=N`, `--warmup=N`).
 */
const argument = (name: string, fallback: number): number => {
  const match = process.argv.find((value) => value.startsWith(`--${name}=`));
  return match === undefined ? fallback : Number(match.slice(name.length + 3));
};
const iterations = argument("iterations", 300);
const warmup = argument("warmup", 50);
const targetMs = 3;
let sink = 0;

const conversation = buildAgentConversation(200);
const wire = new Map<ProtocolId, Record<string, unknown>>();
console.log(`conversation: ${conversation.messages.length} messages, ${conversation.tools?.length ?? 0} tools`);
for (const protocol of protocolIds) {
  const encoded = getCodec(protocol).encodeRequest(conversation);
  wire.set(protocol, encoded.value);
  const kilobytes = Buffer.byteLength(JSON.stringify(encoded.value)) / 1024;
  // Decoded back as a sanity check that the body holds the whole conversation (counts differ by protocol: Anthropic
  // and Gemini group tool results into user turns).
  const decodedMessages = getCodec(protocol).decodeRequest(encoded.value).value.messages.length;
  console.log(`  ${protocol.padEnd(19)} body ${kilobytes.toFixed(0).padStart(4)} KB, ${String(decodedMessages).padStart(3)} messages decoded back, ${encoded.warnings.length} warnings when built`);
}

function measure(from: ProtocolId, to: ProtocolId): { median: number; p90: number; outputKilobytes: number } {
  const source = getCodec(from);
  const target = getCodec(to);
  const body = wire.get(from);
  if (body === undefined) throw new Error(`no ${from} body`);
  const run = (): void => {
    // Keep each result observable so the engine cannot discard the work.
    sink += Object.keys(target.encodeRequest(source.decodeRequest(body).value).value).length;
  };
  // The size of one translated body, to show that the whole conversation was translated (not timed).
  const outputKilobytes = Buffer.byteLength(JSON.stringify(target.encodeRequest(source.decodeRequest(body).value).value)) / 1024;
  for (let round = 0; round < warmup; round += 1) run();
  const samples: number[] = [];
  for (let round = 0; round < iterations; round += 1) {
    const started = performance.now();
    run();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return {
    median: samples[Math.floor(samples.length / 2)] ?? Number.NaN,
    p90: samples[Math.floor(samples.length * 0.9)] ?? Number.NaN,
    outputKilobytes,
  };
}

const rows: string[][] = [["from \\ to", ...protocolIds]];
let worst = 0;
for (const from of protocolIds) {
  const row: string[] = [from];
  for (const to of protocolIds) {
    const { median, p90, outputKilobytes } = measure(from, to);
    if (from !== to) worst = Math.max(worst, median);
    row.push(`${median.toFixed(2)} (p90 ${p90.toFixed(2)}, ${outputKilobytes.toFixed(0)} KB)`);
  }
  rows.push(row);
}
const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
console.log(`\nmedian ms per conversion, decode(from) + encode(to), ${iterations} iterations after ${warmup} warm-up, node ${process.version}`);
console.log("(p90 ms, size of the translated body)");
for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  "));
console.log(`(result keys seen: ${sink})`);
console.log(`\nslowest cross-protocol pair: ${worst.toFixed(2)} ms (target < ${targetMs} ms): ${worst < targetMs ? "within target" : "OVER TARGET"}`);
