import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createEngineFromConfig } from "../../src/library/index.js";

// The `fieldCache` example of docs/configuration.md is what users copy: it must load and start a gateway.

const cwd = "/switchyard-docs-example";

function documentedExample(): string {
  const docs = readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");
  const section = docs.slice(docs.indexOf("### `fieldCache` (switchyard.json)"));
  const block = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];
  if (block === undefined) throw new Error("docs/configuration.md has no JSON example under ### `fieldCache`");
  return block;
}

describe("the documented fieldCache example", () => {
  it("loads, and a gateway starts with its override and its rule for a custom provider", async () => {
    const files: Record<string, string> = { [`${cwd}/switchyard.json`]: documentedExample() };
    const env = { DEEPSEEK_API_KEY: "sk-deepseek-docs", ACME_API_KEY: "sk-acme-docs", ACME_API_BASE: "http://127.0.0.1:9/v1", ACME_PROTOCOL: "openai-chat" };
    const config = loadConfig({ env, cwd, dotenv: false, readFile: (path) => files[path] });
    expect(config.fieldCache?.rules?.["acme"]?.map((rule) => rule.name)).toEqual(["acme-reasoning-per-tool-call"]);
    expect(config.fieldCache?.overrides?.["deepseek"]).toEqual({ "deepseek-reasoning-content-per-tool-call": { ttlMs: 86_400_000, maxEntries: 20_000 } });
    const engine = createEngineFromConfig(config);
    await engine.close();
  });
});
