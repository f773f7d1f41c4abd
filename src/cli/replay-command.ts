import { readFile } from "node:fs/promises";
import { loadConfig } from "../config/index.js";
import { configuredSecrets } from "../library/index.js";
import { createRedactor, readRecordedProviderRequests, type RecordedProviderRequest, type Redactor } from "../observability/index.js";
import { buildUpstreamRequest } from "../providers/index.js";
import { createUpstreamClient, type UpstreamClient, type UpstreamResponse } from "../upstream/index.js";
import { GatewayError } from "../unified/index.js";
import { planReplayRequest, type ReplayPlan } from "./plan-replay-request.js";

/** Options of `switchyard replay`. */
export interface ReplayOptions {
  /** `provider/model` (or `provider`, keeping the recorded model); default the recorded provider and model. */
  target?: string;
  /** Which provider request of a trace, 0 = the first (each attempt is one); default 0. */
  requestIndex?: number;
  /** Print the request that would be sent, secrets redacted, and send nothing. */
  dryRun?: boolean;
}

/** Where replay writes; an injected upstream client for tests (the command's own is created from the config otherwise). */
export interface ReplayIo {
  stdout(text: string): void;
  stderr(text: string): void;
  upstream?: UpstreamClient;
}

const processIo: ReplayIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/**
 * `switchyard replay <file>`: re-sends a provider request recorded in a transaction trace or a failure dump, through
 * the provider registry and the credentials of the current configuration, and prints the status and the response (or
 * stream) to stdout. Everything printed passes the same redactor as the trace, with every configured secret planted,
 * because an upstream may echo the key it was sent. Resolves false when the upstream answered an error status.
 */
export async function replayCommand(env: Record<string, string | undefined>, cwd: string, file: string, options: ReplayOptions = {}, io: ReplayIo = processIo): Promise<boolean> {
  const config = loadConfig({ env, cwd });
  const redactor = createRedactor(configuredSecrets(config));
  const recorded = pickRecordedRequest(readRecordedProviderRequests(await readFile(file, "utf8")), options.requestIndex, io);
  const plan = planReplayRequest(recorded, config.providers, options.target);
  for (const note of plan.notes) io.stderr(`note: ${redactor.text(note)}\n`);
  const request = buildUpstreamRequest(plan.input);

  if (options.dryRun === true) {
    const shown = { ...describeTarget(plan), method: request.method, url: request.url, headers: request.headers, body: parseBody(request.body) };
    io.stdout(`${JSON.stringify(redactor.value(shown), null, 2)}\n`);
    return true;
  }

  const upstream = io.upstream ?? createUpstreamClient(config.upstream);
  try {
    let response: UpstreamResponse;
    try {
      response = await upstream.send(request);
    } catch (error) {
      // Transport errors can quote the URL, and Gemini's carries the key in its query.
      io.stderr(`${redactor.text(describeError(error))}\n`);
      return false;
    }
    const target = describeTarget(plan);
    io.stdout(`HTTP ${response.status} ${target.target} (${target.protocol}${target.stream ? ", stream" : ""})\n`);
    if (plan.input.stream === true && response.status < 400) await writeRedactedStream(response.body, redactor, io.stdout);
    else io.stdout(`${formatBody(await response.readText(), redactor)}\n`);
    return response.status < 400;
  } finally {
    if (io.upstream === undefined) await upstream.close();
  }
}

/** The request at `index`; tells the reader which one it is when the trace holds several (retries, fallbacks). */
function pickRecordedRequest(recorded: RecordedProviderRequest[], index: number | undefined, io: ReplayIo): RecordedProviderRequest {
  if (recorded.length === 0) throw new GatewayError("invalid_request", "the file holds no provider request (the request failed before any was sent)");
  const chosen = recorded[index ?? 0];
  if (chosen === undefined) {
    throw new GatewayError("invalid_request", `--request-index ${index ?? 0}: the file holds ${recorded.length} provider request(s), numbered from 0`);
  }
  if (recorded.length > 1 && index === undefined) {
    const list = recorded.map((item, position) => `${position}: ${item.provider}/${item.model ?? "?"}`).join(", ");
    io.stderr(`note: the file holds ${recorded.length} provider requests (${list}); replaying 0, choose with --request-index\n`);
  }
  return chosen;
}

function describeTarget(plan: ReplayPlan): { target: string; protocol: string; recordedProtocol: string; operation: string; stream: boolean } {
  return {
    target: `${plan.input.provider.id}/${plan.input.model}`,
    protocol: plan.input.protocol,
    recordedProtocol: plan.recordedProtocol,
    operation: plan.input.operation,
    stream: plan.input.stream === true,
  };
}

/** A JSON body pretty-printed (secret-named keys redacted by name too), anything else as redacted text. */
function formatBody(text: string, redactor: Redactor): string {
  const parsed = parseBody(text);
  return typeof parsed === "string" ? redactor.text(parsed) : JSON.stringify(redactor.value(parsed), null, 2);
}

/**
 * The stream as it arrives, redacted line by line: a secret split across two chunks is still found, because
 * nothing is printed before its line is complete.
 */
async function writeRedactedStream(body: AsyncIterable<Uint8Array>, redactor: Redactor, write: (text: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of body) {
    pending += decoder.decode(chunk, { stream: true });
    const end = pending.lastIndexOf("\n");
    if (end < 0) continue;
    write(redactor.text(pending.slice(0, end + 1)));
    pending = pending.slice(end + 1);
  }
  pending += decoder.decode();
  if (pending !== "") write(`${redactor.text(pending)}\n`);
}

function parseBody(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function describeError(error: unknown): string {
  if (GatewayError.isInstance(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
