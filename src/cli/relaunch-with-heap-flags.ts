/** The V8 heap flags the gateway is meant to run with (bench/README.md, "RSS over 100k requests"). */
export const gatewayHeapFlags = ["--max-semi-space-size=8", "--max-old-space-size=512"] as const;

/** What the relaunch decision reads from the running process; injected so the decision is testable. */
export interface RelaunchProcess {
  readonly execPath: string;
  readonly execArgv: readonly string[];
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly execve?: (file: string, args?: readonly string[], env?: NodeJS.ProcessEnv) => never;
}

/**
 * The argument vector to re-execute with, or undefined when the process should carry on as it is.
 *
 * V8 sizes its young generation from machine memory at isolate creation (128 MB of semi-spaces on a 24 GiB host) and
 * the sizes cannot be changed afterwards, so a gateway started as bare `node dist/cli/main.js serve` (as the peer
 * benchmark harness and many container images do) would sit at ~320 MB RSS for a ~27 MB live heap. Re-executing in
 * place (same pid, same stdio) with the flags fixes that for every launch command. Skipped when the operator chose
 * heap flags themselves (command line or NODE_OPTIONS) or set `SWITCHYARD_HEAP_FLAGS=off`.
 */
export function planHeapFlagRelaunch(running: RelaunchProcess): string[] | undefined {
  if (running.execve === undefined) return undefined;
  if ((running.env["SWITCHYARD_HEAP_FLAGS"] ?? "").toLowerCase() === "off") return undefined;
  const chosen = [...running.execArgv, ...(running.env["NODE_OPTIONS"] ?? "").split(/\s+/)];
  if (chosen.some((flag) => /^--(max-semi-space-size|max-old-space-size|max-young-generation-size)(=|$)/.test(flag))) return undefined;
  return [running.execPath, ...gatewayHeapFlags, ...running.execArgv, ...running.argv.slice(1)];
}

/** Re-executes the process with the gateway's heap flags when `planHeapFlagRelaunch` says so; returns otherwise. */
export function relaunchWithHeapFlags(running: RelaunchProcess = process): void {
  const args = planHeapFlagRelaunch(running);
  if (args === undefined || running.execve === undefined) return;
  try {
    running.execve(running.execPath, args, running.env);
  } catch {
    // execve failing (seccomp, exotic platforms) only costs memory: carry on with V8's default heap sizing.
  }
}
