import { mkdtempSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../config/index.js";
import { createPoolsFromConfig, openStateStoreFromConfig } from "../library/index.js";
import { createCredential } from "../providers/index.js";
import { credentialsListCommand, credentialsResetCommand } from "./credentials-command.js";

/** A loopback port nothing listens on (taken and given back), so the commands find no running server. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("switchyard credentials", () => {
  it("with no server running: lists the state file's credentials as a table and resets one", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "switchyard-credentials-"));
    const env = {
      OPENAI_API_KEY: "sk-cli-key-aaaaaaaa",
      OPENAI_API_KEY_1: "sk-cli-key-bbbbbbbb",
      SWITCHYARD_DATA_DIR: join(cwd, "data"),
      SWITCHYARD_PORT: String(await closedPort()),
    };
    const [first, second] = [createCredential("openai", env.OPENAI_API_KEY).id, createCredential("openai", env.OPENAI_API_KEY_1).id];
    const config = loadConfig({ env, cwd, dotenv: false });
    const store = await openStateStoreFromConfig(config);
    const lease = await createPoolsFromConfig(config, store).acquire({ provider: "openai", model: "gpt-x" });
    if (lease.kind !== "lease") throw new Error("expected a lease");
    await lease.lease.release({ kind: "disable", code: "authentication" });
    createPoolsFromConfig(config, store).pool("openai").recordError(lease.lease.credential.id, { code: "authentication", status: 401 });
    await store.close();

    let output = "";
    await credentialsListCommand(env, cwd, (text) => void (output += text));
    const lines = output.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^PROVIDER\s+CREDENTIAL\s+TIER\s+STATE\s+REASON\s+UNTIL\s+USED\s+IN-FLIGHT\s+RECENT ERRORS$/);
    expect(lines.find((line) => line.includes(lease.lease.credential.id))).toMatch(/disabled\s+authentication \(upstream 401\/403\): disabled until reset\s+-\s+1\s+-\s+1 \(last authentication 401 at \d{4}-\d\d-\d\dT[\d:.]+Z\)$/);
    expect(lines.find((line) => line.includes(lease.lease.credential.id === first ? second : first))).toMatch(/^openai\s+openai:\w+\s+1\s+ready\s+-\s+-\s+0\s+-\s+-$/);
    expect(output).not.toContain("sk-cli-key");

    output = "";
    expect(await credentialsResetCommand(env, cwd, lease.lease.credential.id, (text) => void (output += text))).toBe(true);
    expect(output).toContain(`${lease.lease.credential.id}: 1 cooldown or disabled mark(s) cleared`);
    expect(await credentialsResetCommand(env, cwd, "openai:nosuch", () => undefined)).toBe(false);
    output = "";
    await credentialsListCommand(env, cwd, (text) => void (output += text));
    expect(output).not.toContain("disabled");
  });
});
