import { z } from "zod";
import { loadConfig, type GatewayConfig } from "../config/index.js";
import { createPoolsFromConfig, openStateStoreFromConfig, stateFilePath } from "../library/index.js";
import { createCredentialAdministration, type CredentialAdministration, type ProviderStatusView } from "../pipeline/index.js";

type Write = (text: string) => void;

const stdout: Write = (text) => void process.stdout.write(text);
const serverTimeoutMs = 3_000;

/** What `GET /v1/status` answers (pipeline/describe-credential-status.ts), checked before it is printed. */
const statusAnswerSchema = z.object({
  providers: z.array(
    z.object({
      provider: z.string(),
      credentials: z.array(
        z.object({
          id: z.string(),
          tier: z.number(),
          state: z.enum(["ready", "busy", "probing", "capped", "cooling", "disabled"]),
          reason: z.string().optional(),
          until: z.string().optional(),
          windowUsage: z.number(),
          inFlight: z.number(),
          maxConcurrency: z.number(),
          cooldowns: z.array(z.object({ scope: z.string(), model: z.string().optional(), group: z.string().optional(), code: z.string(), until: z.string() })),
          recentErrors: z.array(z.object({ code: z.string(), status: z.number().optional(), at: z.string() })),
        }),
      ),
    }),
  ),
});
const resetAnswerSchema = z.object({ cleared: z.number() });

/**
 * `switchyard credentials list`: every credential id of every provider with its state. Asks the server running at
 * the configured address first (`GET /v1/status`: live in-flight counts and state); when none answers, reads
 * `<dataDir>/state.json`, which a server writes about once a second (in-flight counts then show as `-`).
 */
export async function credentialsListCommand(env: Record<string, string | undefined>, cwd: string, write: Write = stdout): Promise<void> {
  const config = loadConfig({ env, cwd });
  const live = await askRunningServer(config, "GET", "/v1/status");
  if (live !== undefined) {
    if (!live.ok) throw new Error(`the server at ${live.url} answered ${live.status}: ${live.text}`);
    write(formatCredentialTable(parseAnswer(statusAnswerSchema, live).providers));
    return;
  }
  await withStateFile(config, async (administration) => write(formatCredentialTable(await administration.status(), { live: false })));
}

/**
 * `switchyard credentials reset <id>`: clears the cooldowns, probation and the disabled mark of one credential. A
 * running server is asked through its admin route (its memory is what counts; an edit of the file under it would be
 * written over); with no server running, the state file is changed directly.
 */
export async function credentialsResetCommand(env: Record<string, string | undefined>, cwd: string, credentialId: string, write: Write = stdout): Promise<boolean> {
  const config = loadConfig({ env, cwd });
  const live = await askRunningServer(config, "POST", `/v1/admin/credentials/${encodeURIComponent(credentialId)}/reset`);
  if (live !== undefined) {
    if (live.status === 404) {
      write(`no credential ${credentialId} is configured on the server at ${live.url} (see \`switchyard credentials list\`)\n`);
      return false;
    }
    if (!live.ok) {
      write(`the server at ${live.url} refused the reset (${live.status}): ${live.text}\n`);
      return false;
    }
    const { cleared } = parseAnswer(resetAnswerSchema, live);
    write(`${credentialId}: ${cleared} cooldown or disabled mark(s) cleared on the server at ${live.url}\n`);
    return true;
  }
  return withStateFile(config, async (administration) => {
    const known = (await administration.status()).some((provider) => provider.credentials.some((credential) => credential.id === credentialId));
    if (!known) {
      write(`no credential ${credentialId} is configured (see \`switchyard credentials list\`)\n`);
      return false;
    }
    const removed = await administration.reset(credentialId);
    write(`${credentialId}: ${removed} cooldown or disabled mark(s) cleared in ${stateFilePath(config)}\n`);
    return true;
  });
}

/** A fixed-width table: provider, credential id, tier, state, reason, until, window usage, in flight, recent errors. */
export function formatCredentialTable(status: readonly ProviderStatusView[], options: { live?: boolean } = {}): string {
  const rows = [["PROVIDER", "CREDENTIAL", "TIER", "STATE", "REASON", "UNTIL", "USED", "IN-FLIGHT", "RECENT ERRORS"]];
  for (const provider of status) {
    for (const credential of provider.credentials) {
      const errors = credential.recentErrors;
      const last = errors[errors.length - 1];
      rows.push([
        provider.provider,
        credential.id,
        String(credential.tier),
        credential.state,
        credential.reason ?? "-",
        credential.until ?? "-",
        String(credential.windowUsage),
        options.live === false ? "-" : `${credential.inFlight}/${credential.maxConcurrency}`,
        last === undefined ? "-" : `${errors.length} (last ${last.code}${last.status === undefined ? "" : ` ${last.status}`} at ${last.at})`,
      ]);
    }
  }
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  return `${rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  ").trimEnd()).join("\n")}\n`;
}

async function withStateFile<T>(config: GatewayConfig, use: (administration: CredentialAdministration) => Promise<T>): Promise<T> {
  const store = await openStateStoreFromConfig(config);
  try {
    return await use(createCredentialAdministration(createPoolsFromConfig(config, store)));
  } finally {
    await store.close();
  }
}

/**
 * One request to the server this configuration describes, with its first proxy key; undefined when nothing listens
 * there (connection refused or no answer in time), so the caller falls back to the state file.
 */
async function askRunningServer(config: GatewayConfig, method: "GET" | "POST", path: string): Promise<{ url: string; ok: boolean; status: number; text: string } | undefined> {
  // A server bound to every interface is reached on loopback.
  const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  const origin = `http://${host.includes(":") ? `[${host}]` : host}:${config.port}`;
  const key = config.proxyKeys[0]?.secret;
  try {
    const response = await fetch(`${origin}${path}`, {
      method,
      headers: key === undefined ? {} : { authorization: `Bearer ${key}` },
      signal: AbortSignal.timeout(serverTimeoutMs),
    });
    return { url: origin, ok: response.ok, status: response.status, text: await response.text() };
  } catch {
    return undefined;
  }
}

function parseAnswer<T>(schema: z.ZodType<T>, answer: { url: string; text: string }): T {
  let value: unknown;
  try {
    value = JSON.parse(answer.text) as unknown;
  } catch {
    value = undefined;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`the server at ${answer.url} gave an answer this CLI does not understand: ${answer.text.slice(0, 200)}`);
  return parsed.data;
}
