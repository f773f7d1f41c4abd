/** The V8 heap flags the gateway is meant to run with (bench/README.md, "RSS over 100k requests"). */
export const gatewayHeapFlags = ["--max-semi-space-size=8", "--max-old-space-size=512"] as const;

/**
 * The glibc malloc setting the gateway is meant to run with: at most two malloc arenas. By default glibc gives each
 * thread that allocates (V8's compiler and GC workers, libuv's pool) its own arena, up to 8 per core, and keeps what
 * they freed resident: ~12 MB of the gateway's peak RSS under load (bench/README.md). Other C libraries ignore it.
 */
export const gatewayMallocEnv = { MALLOC_ARENA_MAX: "2" } as const;

/** What the relaunch decision reads from the running process; injected so the decision is testable. */
export interface RelaunchProcess {
  readonly execPath: string;
  readonly execArgv: readonly string[];
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly execve?: (file: string, args?: readonly string[], env?: NodeJS.ProcessEnv) => never;
}

/** How to re-execute: the argument vector (node first) and the environment. */
export interface RelaunchPlan {
  readonly args: string[];
  readonly env: NodeJS.ProcessEnv;
}

/**
 * How to re-execute, or undefined when the process should carry on as it is.
 *
 * V8 sizes its young generation from machine memory at isolate creation (128 MB of semi-spaces on a 24 GiB host) and
 * the sizes cannot be changed afterwards, so a gateway started as bare `node dist/cli/main.js serve` (as the peer
 * benchmark harness and many container images do) would sit at ~320 MB RSS for a ~27 MB live heap. glibc reads
 * MALLOC_ARENA_MAX once, at the first allocation, so it too only works from the start. Re-executing in place (same
 * pid, same stdio) with what is missing fixes both for every launch command. Heap flags the operator chose (command
 * line or NODE_OPTIONS) and a MALLOC_ARENA_MAX already set are kept as they are; `SWITCHYARD_HEAP_FLAGS=off` skips it all.
 */
export function planHeapFlagRelaunch(running: RelaunchProcess): RelaunchPlan | undefined {
  if (running.execve === undefined) return undefined;
  if ((running.env["SWITCHYARD_HEAP_FLAGS"] ?? "").toLowerCase() === "off") return undefined;
  const chosen = [...running.execArgv, ...(running.env["NODE_OPTIONS"] ?? "").split(/\s+/)];
  const needsFlags = !chosen.some((flag) => /^--(max-semi-space-size|max-old-space-size|max-young-generation-size)(=|$)/.test(flag));
  const needsMalloc = running.env["MALLOC_ARENA_MAX"] === undefined;
  if (!needsFlags && !needsMalloc) return undefined;
  return {
    args: [running.execPath, ...(needsFlags ? gatewayHeapFlags : []), ...running.execArgv, ...running.argv.slice(1)],
    env: needsMalloc ? { ...running.env, ...gatewayMallocEnv } : running.env,
  };
}

/** Re-executes the process with the gateway's heap flags and malloc setting when `planHeapFlagRelaunch` says so; returns otherwise. */
export function relaunchWithHeapFlags(running: RelaunchProcess = process): void {
  const plan = planHeapFlagRelaunch(running);
  if (plan === undefined || running.execve === undefined) return;
  try {
    running.execve(running.execPath, plan.args, plan.env);
  } catch {
    // execve failing (seccomp, exotic platforms) only costs memory: carry on with V8's and glibc's default sizing.
  }
}
