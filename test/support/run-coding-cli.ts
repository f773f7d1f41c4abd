import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

/** Where the repo's devDependency CLIs are linked. */
const binDirectory = resolve(import.meta.dirname, "../../node_modules/.bin");

/** Absolute path of a CLI in node_modules/.bin; undefined when its package is not installed. */
export function findCodingCli(name: "claude" | "codex"): string | undefined {
  const path = join(binDirectory, name);
  return existsSync(path) ? path : undefined;
}

/**
 * An environment built from scratch: PATH (this Node first, because `codex` is a `#!/usr/bin/env node` launcher),
 * HOME, and what the caller adds. Nothing is inherited, so no real API key or proxy setting can leak into a CLI.
 */
export function codingCliEnvironment(home: string, extra: Record<string, string>): Record<string, string> {
  return { PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`, HOME: home, ...extra };
}

/** How a CLI run ended. */
export interface CodingCliRun {
  /** Exit code; null when it was killed (see `timedOut`). */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

/** What to run and where. */
export interface CodingCliSpawn {
  command: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
}

/**
 * Runs a CLI to completion with stdin closed (Codex otherwise waits for "additional input" on stdin) and kills
 * it after `timeoutMs`, so a CLI stuck in its own retry backoff fails the test instead of hanging the run.
 */
export function runCodingCli(options: CodingCliSpawn): Promise<CodingCliRun> {
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(options.command, options.args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({
        code,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
        timedOut,
        durationMs: Math.round(performance.now() - started),
      });
    });
  });
}

/** A throw-away directory tree for one CLI run (HOME, config home, working directory). */
export interface CodingCliSandbox {
  root: string;
  home: string;
  work: string;
  remove(): Promise<void>;
}

/** Creates a temp dir `switchyard-<label>-…` holding `home` and `work`; the CLIs never see the real HOME. */
export async function createCodingCliSandbox(label: string): Promise<CodingCliSandbox> {
  const root = await mkdtemp(join(tmpdir(), `switchyard-${label}-`));
  const home = join(root, "home");
  const work = join(root, "work");
  await mkdir(home);
  await mkdir(work);
  return { root, home, work, remove: () => rm(root, { recursive: true, force: true }) };
}

/** What the Codex config points at. */
export interface CodexProviderConfig {
  /** The gateway's OpenAI-style base URL, `http://127.0.0.1:<port>/v1`. */
  baseUrl: string;
  model: string;
  /** Name of the variable holding the key Codex sends as `Authorization: Bearer`. */
  envKey: string;
}

/**
 * Writes `$CODEX_HOME/config.toml` with a custom Responses provider. A custom provider, because the built-in one
 * first tries a WebSocket upgrade; analytics and plugins off, because they otherwise reach ab.chatgpt.com and
 * github.com (both seen through a logging proxy with Codex 0.169).
 */
export async function writeCodexConfig(codexHome: string, provider: CodexProviderConfig): Promise<void> {
  await mkdir(codexHome, { recursive: true });
  const toml = [
    `model = "${provider.model}"`,
    'model_provider = "switchyard"',
    "check_for_update_on_startup = false",
    "",
    "[model_providers.switchyard]",
    'name = "Switchyard under test"',
    `base_url = "${provider.baseUrl}"`,
    `env_key = "${provider.envKey}"`,
    'wire_api = "responses"',
    "",
    "[analytics]",
    "enabled = false",
    "",
    "[features]",
    "plugins = false",
    "",
  ];
  await writeFile(join(codexHome, "config.toml"), toml.join("\n"));
}
