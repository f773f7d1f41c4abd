import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { credentialsListCommand, credentialsResetCommand } from "../../src/cli/credentials-command.js";
import { createCredential } from "../../src/providers/index.js";
import { errorReply, matching } from "../support/mock-upstream.js";
import { startTestGateway, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

// `switchyard credentials list|reset` while a server runs: they talk to it (its memory is the truth; an edit of the
// state file under a running server would be written over), so the table has live in-flight counts and recent
// errors, and a reset takes effect at once.

const keys = ["sk-cli-live-aaaaaaaa", "sk-cli-live-bbbbbbbb"] as const;
const [keyA, keyB] = keys;
const idOf = (key: string): string => createCredential("openai", key).id;

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

describe("switchyard credentials against a running server", () => {
  it("lists the server's live state and resets a disabled key on the server", async () => {
    const providerEnv = { OPENAI_API_KEY: keyA, OPENAI_API_KEY_1: keyB, SWITCHYARD_ROTATION: "sequential" };
    gateway = await startTestGateway({ env: { ANTHROPIC_API_KEY: undefined, GEMINI_API_KEY: undefined, RESPONSESMOCK_API_KEY: undefined, RESPONSESMOCK_API_BASE: undefined, ...providerEnv } });
    gateway.mock.script(matching({ apiKey: keyA }, errorReply(401, { message: "invalid api key" })));
    const chat = () =>
      fetch(`${gateway?.baseUrl ?? ""}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${testProxyKey}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "openai/gpt-mock-large", messages: [{ role: "user", content: "hi" }] }),
      });
    expect((await chat()).status).toBe(200);

    // The CLI sees the same configuration as the server: its address, its proxy key, its keys; a data directory
    // with no state file, so anything it prints about errors came from the server.
    const cliEnv = {
      ...providerEnv,
      OPENAI_API_BASE: gateway.config.providers.get("openai")?.baseUrl ?? "",
      SWITCHYARD_PORT: new URL(gateway.baseUrl).port,
      SWITCHYARD_PROXY_KEYS: testProxyKey,
      SWITCHYARD_DATA_DIR: mkdtempSync(join(tmpdir(), "switchyard-cli-live-")),
    };
    const cwd = mkdtempSync(join(tmpdir(), "switchyard-cli-cwd-"));
    let output = "";
    await credentialsListCommand(cliEnv, cwd, (text) => void (output += text));
    const rowOf = (key: string) => output.split("\n").find((line) => line.includes(idOf(key)));
    expect(rowOf(keyA)).toMatch(/\sdisabled\s+authentication \(upstream 401\/403\): disabled until reset\s+-\s+1\s+0\/64\s+1 \(last authentication 401 at [\d-]+T[\d:.]+Z\)$/);
    expect(rowOf(keyB)).toMatch(/\sready\s+-\s+-\s+1\s+0\/64\s+-$/);
    expect(output).not.toContain("sk-cli-live");

    output = "";
    expect(await credentialsResetCommand(cliEnv, cwd, idOf(keyA), (text) => void (output += text))).toBe(true);
    expect(output).toBe(`${idOf(keyA)}: 1 cooldown or disabled mark(s) cleared on the server at ${gateway.baseUrl}\n`);
    const status = (await gateway.engine.credentials?.status())?.[0]?.credentials.find((credential) => credential.id === idOf(keyA));
    expect(status?.state).toBe("ready");
    expect(await credentialsResetCommand(cliEnv, cwd, "openai:nosuch", () => undefined)).toBe(false);
  });
});
