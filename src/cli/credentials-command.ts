import { loadConfig } from "../config/index.js";
import { createPoolsFromConfig, openStateStoreFromConfig, stateFilePath } from "../library/index.js";
import { createCredentialAdministration, type ProviderStatusView } from "../pipeline/index.js";

type Write = (text: string) => void;

const stdout: Write = (text) => void process.stdout.write(text);

/**
 * `switchyard credentials list`: every credential id of every provider with its state, from `<dataDir>/state.json`.
 * Reads the file a running server writes (debounced, about once a second); in-flight counts live in the server only.
 */
export async function credentialsListCommand(env: Record<string, string | undefined>, cwd: string, write: Write = stdout): Promise<void> {
  const config = loadConfig({ env, cwd });
  const store = await openStateStoreFromConfig(config);
  try {
    const status = await createCredentialAdministration(createPoolsFromConfig(config, store)).status();
    write(formatCredentialTable(status));
  } finally {
    await store.close();
  }
}

/**
 * `switchyard credentials reset <id>`: clears the cooldowns and the disabled mark of one credential in the state file.
 * A running server keeps its own copy in memory and may write it back; stop it first or wait for the cooldown.
 */
export async function credentialsResetCommand(env: Record<string, string | undefined>, cwd: string, credentialId: string, write: Write = stdout): Promise<boolean> {
  const config = loadConfig({ env, cwd });
  const store = await openStateStoreFromConfig(config);
  try {
    const administration = createCredentialAdministration(createPoolsFromConfig(config, store));
    const known = (await administration.status()).some((provider) => provider.credentials.some((credential) => credential.id === credentialId));
    if (!known) {
      write(`no credential ${credentialId} is configured (see \`switchyard credentials list\`)\n`);
      return false;
    }
    const removed = await administration.reset(credentialId);
    write(`${credentialId}: ${removed} cooldown or disabled mark(s) cleared in ${stateFilePath(config)}\n`);
    return true;
  } finally {
    await store.close();
  }
}

/** A fixed-width table: provider, credential id, tier, state, reason, until, window usage. */
export function formatCredentialTable(status: readonly ProviderStatusView[]): string {
  const rows = [["PROVIDER", "CREDENTIAL", "TIER", "STATE", "REASON", "UNTIL", "USED"]];
  for (const provider of status) {
    for (const credential of provider.credentials) {
      rows.push([provider.provider, credential.id, String(credential.tier), credential.state, credential.reason ?? "-", credential.until ?? "-", String(credential.windowUsage)]);
    }
  }
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  return `${rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  ").trimEnd()).join("\n")}\n`;
}
