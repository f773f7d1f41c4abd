import { loadConfig, type GatewayConfig } from "../config/index.js";
import { createModelCatalog } from "../providers/index.js";
import { createModelListFetcher, createUpstreamClient } from "../upstream/index.js";
import { GatewayError } from "../unified/index.js";
import { assertSafeBinding } from "./serve-command.js";

/** One row of the doctor's table. */
export interface DoctorRow {
  check: string;
  status: "ok" | "warn" | "fail";
  detail: string;
  fix?: string;
}

/** `switchyard doctor`: checks the config and reaches every provider's model list; returns false when anything failed. */
export async function doctorCommand(env: Record<string, string | undefined>, cwd: string, write: (text: string) => void = (text) => process.stdout.write(text)): Promise<boolean> {
  const rows: DoctorRow[] = [];
  let config: GatewayConfig;
  try {
    config = loadConfig({ env, cwd });
    rows.push({ check: "config", status: "ok", detail: Object.entries(config.sources).map(([key, value]) => `${key}: ${String(value)}`).join(", ") || "defaults" });
  } catch (error) {
    rows.push({ check: "config", status: "fail", detail: GatewayError.isInstance(error) ? error.message : String(error), fix: "correct the named variable or field" });
    write(renderTable(rows));
    return false;
  }
  try {
    assertSafeBinding(config);
    rows.push({ check: "binding", status: "ok", detail: `${config.host}:${config.port}` });
  } catch (error) {
    rows.push({ check: "binding", status: "fail", detail: (error as Error).message, fix: "set SWITCHYARD_PROXY_KEYS or SWITCHYARD_HOST=127.0.0.1" });
  }
  for (const warning of config.warnings) rows.push({ check: "config", status: "warn", detail: warning });

  const upstream = createUpstreamClient(config.upstream);
  const catalog = createModelCatalog({ registry: config.providers, fetch: createModelListFetcher(upstream), ttlMs: 0 });
  try {
    for (const provider of config.providers.providers) {
      const check = `provider ${provider.id}`;
      if (provider.discovery === undefined) {
        rows.push({ check, status: "ok", detail: `${provider.models.length} static model(s); discovery off` });
        continue;
      }
      await catalog.list(provider.id, { refresh: true });
      const state = catalog.state(provider.id);
      if (state?.source === "fallback") {
        rows.push({
          check,
          status: "fail",
          detail: `${provider.baseUrl}: ${state.error ?? "unreachable"}`,
          fix: `check ${provider.definition.envName}_API_KEY and ${provider.definition.envName}_API_BASE`,
        });
      } else {
        rows.push({ check, status: "ok", detail: `${state?.models.length ?? 0} model(s) from ${provider.baseUrl}` });
      }
    }
  } finally {
    await upstream.close();
  }
  write(renderTable(rows));
  return rows.every((row) => row.status !== "fail");
}

function renderTable(rows: readonly DoctorRow[]): string {
  const width = Math.max(...rows.map((row) => row.check.length), 5);
  return `${rows.map((row) => `${row.status.toUpperCase().padEnd(4)}  ${row.check.padEnd(width)}  ${row.detail}${row.fix === undefined ? "" : `\n      fix: ${row.fix}`}`).join("\n")}\n`;
}
