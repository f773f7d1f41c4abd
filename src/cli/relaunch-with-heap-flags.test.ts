import { describe, expect, it } from "vitest";
import { gatewayHeapFlags, gatewayMallocEnv, planHeapFlagRelaunch, type RelaunchProcess } from "./relaunch-with-heap-flags.js";

const execve = (() => {
  throw new Error("not called by the planner");
}) as unknown as NonNullable<RelaunchProcess["execve"]>;

function running(overrides: Partial<RelaunchProcess> = {}): RelaunchProcess {
  return { execPath: "/usr/bin/node", execArgv: [], argv: ["/usr/bin/node", "/app/dist/cli/main.js", "serve"], env: { HOME: "/home/app" }, execve, ...overrides };
}

describe("planHeapFlagRelaunch", () => {
  it("re-executes a bare launch with the heap flags and the malloc arena cap, keeping the script, its arguments and the environment", () => {
    expect(planHeapFlagRelaunch(running())).toEqual({
      args: ["/usr/bin/node", ...gatewayHeapFlags, "/app/dist/cli/main.js", "serve"],
      env: { HOME: "/home/app", MALLOC_ARENA_MAX: "2" },
    });
  });

  it("keeps the operator's other node flags", () => {
    expect(planHeapFlagRelaunch(running({ execArgv: ["--enable-source-maps"] }))?.args).toEqual([
      "/usr/bin/node",
      ...gatewayHeapFlags,
      "--enable-source-maps",
      "/app/dist/cli/main.js",
      "serve",
    ]);
  });

  it("does nothing once the flags and the malloc setting are there (no relaunch loop)", () => {
    expect(planHeapFlagRelaunch(running({ execArgv: [...gatewayHeapFlags], env: { ...gatewayMallocEnv } }))).toBeUndefined();
  });

  it("respects heap flags the operator chose, on the command line or in NODE_OPTIONS, adding only the malloc setting", () => {
    expect(planHeapFlagRelaunch(running({ execArgv: ["--max-old-space-size=4096"] }))).toEqual({
      args: ["/usr/bin/node", "--max-old-space-size=4096", "/app/dist/cli/main.js", "serve"],
      env: { HOME: "/home/app", MALLOC_ARENA_MAX: "2" },
    });
    expect(planHeapFlagRelaunch(running({ env: { NODE_OPTIONS: "--max-semi-space-size=32", MALLOC_ARENA_MAX: "2" } }))).toBeUndefined();
  });

  it("respects a MALLOC_ARENA_MAX the operator set, adding only the heap flags", () => {
    expect(planHeapFlagRelaunch(running({ env: { MALLOC_ARENA_MAX: "8" } }))).toEqual({
      args: ["/usr/bin/node", ...gatewayHeapFlags, "/app/dist/cli/main.js", "serve"],
      env: { MALLOC_ARENA_MAX: "8" },
    });
  });

  it("can be switched off, and is skipped where execve does not exist", () => {
    expect(planHeapFlagRelaunch(running({ env: { SWITCHYARD_HEAP_FLAGS: "off" } }))).toBeUndefined();
    const { execve: _unused, ...withoutExecve } = running();
    expect(planHeapFlagRelaunch(withoutExecve)).toBeUndefined();
  });
});
