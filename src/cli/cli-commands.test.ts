import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config/index.js";
import { startMockUpstream, type MockUpstream } from "../../test/support/mock-upstream.js";
import { doctorCommand } from "./doctor-command.js";
import { assertSafeBinding } from "./serve-command.js";

const cwd = mkdtempSync(join(tmpdir(), "switchyard-cli-"));

describe("assertSafeBinding", () => {
  it("refuses a non-loopback host without proxy keys and says how to fix it", () => {
    const config = loadConfig({ env: { SWITCHYARD_HOST: "0.0.0.0" }, cwd, dotenv: false });
    expect(() => assertSafeBinding(config)).toThrow(/SWITCHYARD_PROXY_KEYS/);
  });

  it("allows loopback without keys and any host with keys", () => {
    expect(() => assertSafeBinding(loadConfig({ env: {}, cwd, dotenv: false }))).not.toThrow();
    const withKeys = loadConfig({ env: { SWITCHYARD_HOST: "0.0.0.0", SWITCHYARD_PROXY_KEYS: "sk-proxy-1" }, cwd, dotenv: false });
    expect(() => assertSafeBinding(withKeys)).not.toThrow();
  });
});

describe("doctor", () => {
  let mock: MockUpstream;
  beforeAll(async () => {
    mock = await startMockUpstream();
  });
  afterAll(async () => {
    await mock.close();
  });

  it("reaches each provider's model list and reports a provider it cannot reach with a fix", async () => {
    let output = "";
    const ok = await doctorCommand(
      {
        OPENAI_API_KEY: "sk-doctor-test",
        OPENAI_API_BASE: `${mock.baseUrl}/v1`,
        ANTHROPIC_API_KEY: "sk-ant-doctor",
        // Nothing listens on port 9 of loopback: the provider is unreachable.
        ANTHROPIC_API_BASE: "http://127.0.0.1:9",
      },
      cwd,
      (text) => {
        output += text;
      },
    );
    expect(ok).toBe(false);
    expect(output).toMatch(/OK\s+provider openai\s+\d+ model\(s\) from http:\/\/127\.0\.0\.1:\d+\/v1/);
    expect(output).toMatch(/FAIL\s+provider anthropic\s+http:\/\/127\.0\.0\.1:9/);
    expect(output).toContain("fix: check ANTHROPIC_API_KEY and ANTHROPIC_API_BASE");
    expect(output).not.toContain("sk-doctor-test");
    expect(output).not.toContain("sk-ant-doctor");
  });
});
