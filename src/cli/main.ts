#!/usr/bin/env node
import { Command } from "commander";
import { GatewayError } from "../unified/index.js";
import { doctorCommand } from "./doctor-command.js";
import { modelsCommand } from "./models-command.js";
import { serveCommand } from "./serve-command.js";

const program = new Command()
  .name("switchyard")
  .description("A self-hosted LLM API gateway: one endpoint for every model.");

program.command("serve", { isDefault: true }).description("start the gateway").action(() => serveCommand(process.env, process.cwd()));
program.command("models").description("list the models each provider serves").action(() => modelsCommand(process.env, process.cwd()));
program
  .command("doctor")
  .description("check the configuration and reach every provider")
  .action(async () => {
    if (!(await doctorCommand(process.env, process.cwd()))) process.exitCode = 1;
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`switchyard: ${GatewayError.isInstance(error) ? `${error.code}: ${error.message}` : String(error)}\n`);
  process.exit(1);
});
