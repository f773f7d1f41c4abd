import { loadConfig } from "../config/index.js";
import { createEngineFromConfig } from "../library/index.js";

/** `switchyard models`: every `provider/model` the gateway can serve, discovered where the provider lists them. */
export async function modelsCommand(env: Record<string, string | undefined>, cwd: string): Promise<void> {
  const config = loadConfig({ env, cwd });
  const gateway = createEngineFromConfig(config);
  try {
    const models = await gateway.listModels();
    for (const model of models) process.stdout.write(`${model.id}\n`);
    if (config.providers.demoActive) process.stdout.write("(demo provider: any model name is served)\n");
  } finally {
    await gateway.close();
  }
}
