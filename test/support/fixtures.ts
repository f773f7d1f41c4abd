import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ProtocolId, SseMessage } from "../../src/unified/index.js";
import { parseSseText } from "../../src/streaming/index.js";

/** The recorded wire fixtures live beside the project in ../shared/fixtures (CI always has them). */
export const fixturesDirectory = resolve(dirname(fileURLToPath(import.meta.url)), "../../../shared/fixtures");

/** Whether ../shared/fixtures is present; suites skip with a message when it is not. */
export const fixturesAvailable = existsSync(fixturesDirectory);

/** What a fixture file holds. */
export type FixtureKind = "request" | "response" | "error-response" | "stream" | "cassette" | "nock" | "issue-excerpt";

/** One fixture file. */
export interface FixtureFile {
  protocol: ProtocolId;
  /** File name, e.g. `thinking-signature-stream.response.sse`. */
  name: string;
  /** Scenario stem, e.g. `thinking-signature-stream` or `parallel-tool-calls-stream.t1`. */
  scenario: string;
  kind: FixtureKind;
  path: string;
}

const folderByProtocol: Record<ProtocolId, string> = {
  "openai-chat": "openai-chat",
  "openai-responses": "openai-responses",
  "anthropic-messages": "anthropic-messages",
  gemini: "gemini",
};

/** Every fixture of one protocol, sorted by name; empty when the folder is absent. */
export function listFixtures(protocol: ProtocolId): FixtureFile[] {
  const folder = join(fixturesDirectory, folderByProtocol[protocol]);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .sort()
    .map((name) => classify(protocol, name, join(folder, name)))
    .filter((file): file is FixtureFile => file !== undefined);
}

function classify(protocol: ProtocolId, name: string, path: string): FixtureFile | undefined {
  const rules: Array<[string, FixtureKind]> = [
    [".request.json", "request"],
    [".response.json", "response"],
    [".response.sse", "stream"],
    [".chunks.txt", "stream"],
    [".cassette.yaml", "cassette"],
    [".nock.json", "nock"],
    [".issue-excerpt.json", "issue-excerpt"],
  ];
  for (const [suffix, kind] of rules) {
    if (!name.endsWith(suffix)) continue;
    const scenario = name.slice(0, -suffix.length);
    const isError = kind === "response" && scenario.startsWith("error-");
    return { protocol, name, scenario, kind: isError ? "error-response" : kind, path };
  }
  return undefined;
}

/** A JSON fixture, parsed. */
export function readJsonFixture(file: FixtureFile): unknown {
  return JSON.parse(readFileSync(file.path, "utf8")) as unknown;
}

/** The raw text of a fixture. */
export function readTextFixture(file: FixtureFile): string {
  return readFileSync(file.path, "utf8");
}

/**
 * A stream fixture as SSE messages. Raw `.sse` files are parsed with their real framing; `.chunks.txt` logs hold
 * only the data payloads (one JSON per line, no `event:` names), so decoders must not depend on `event`.
 */
export function readStreamFixture(file: FixtureFile): SseMessage[] {
  const text = readTextFixture(file);
  if (file.name.endsWith(".sse")) return parseSseText(text);
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line) => ({ data: line }));
}
