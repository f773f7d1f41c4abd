#!/usr/bin/env -S node --max-semi-space-size=8 --max-old-space-size=512
// V8 sizes its young generation from machine memory (128 MB here); a gateway's live heap is ~27 MB, so these flags
// keep RSS under 150 MB (bench/README.md). They only work at launch, hence the shebang, the `npm start` script and,
// for a bare `node dist/cli/main.js serve`, the in-place relaunch of relaunch-with-heap-flags.ts (which also caps
// glibc's malloc arenas). Each command's modules are imported when that command runs: `serve` loads none of the
// replay, doctor or credentials code, and relaunches before the gateway's own modules are loaded at all.
import { Command, InvalidArgumentError } from "commander";
import { GatewayError } from "../unified/index.js";
import { relaunchWithHeapFlags } from "./relaunch-with-heap-flags.js";
import type { ReplayOptions } from "./replay-command.js";

const program = new Command()
  .name("switchyard")
  .description("A self-hosted LLM API gateway: one endpoint for every model.");

program
  .command("serve", { isDefault: true })
  .description("start the gateway")
  .action(async () => {
    relaunchWithHeapFlags();
    const { serveCommand } = await import("./serve-command.js");
    return serveCommand(process.env, process.cwd());
  });
program
  .command("models")
  .description("list the models each provider serves")
  .action(async () => {
    const { modelsCommand } = await import("./models-command.js");
    return modelsCommand(process.env, process.cwd());
  });
program
  .command("doctor")
  .description("check the configuration and reach every provider")
  .action(async () => {
    const { doctorCommand } = await import("./doctor-command.js");
    if (!(await doctorCommand(process.env, process.cwd()))) process.exitCode = 1;
  });

const credentials = program.command("credentials").description("list credential states or clear a cooldown");
credentials.command("list").description("every credential id with its state (ready, cooling, disabled)").action(async () => {
  const { credentialsListCommand } = await import("./credentials-command.js");
  return credentialsListCommand(process.env, process.cwd());
});
credentials
  .command("reset <id>")
  .description("clear the cooldowns and the disabled mark of one credential")
  .action(async (id: string) => {
    const { credentialsResetCommand } = await import("./credentials-command.js");
    if (!(await credentialsResetCommand(process.env, process.cwd(), id))) process.exitCode = 1;
  });

program
  .command("replay <file>")
  .description("re-send a provider request recorded in a trace (<dataDir>/traces) or a failure dump (<dataDir>/failures)")
  .option("--target <provider/model>", "send it here instead of the recorded provider and model (translated if the protocol differs)")
  .option("--request-index <n>", "which provider request of a trace, 0 = the first (each retry or fallback is one)", (value: string) => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError("a whole number from 0");
    return Number(value);
  })
  .option("--dry-run", "print what would be sent, secrets redacted, and send nothing")
  .action(async (file: string, options: ReplayOptions) => {
    const { replayCommand } = await import("./replay-command.js");
    if (!(await replayCommand(process.env, process.cwd(), file, options))) process.exitCode = 1;
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`switchyard: ${GatewayError.isInstance(error) ? `${error.code}: ${error.message}` : String(error)}\n`);
  process.exit(1);
});
