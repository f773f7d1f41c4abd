import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createEngineFromConfig } from "../../src/library/index.js";
import { builtinFieldCacheRules } from "../../src/providers/index.js";

/** switchyard.json's `fieldCache` section: raising a declared rule's bounds works, weakening it stops startup. */
const declared = builtinFieldCacheRules.deepSeekReasoningContent[0];
const cwd = "/switchyard-config";

function load(fieldCache: unknown) {
  const files: Record<string, string> = { [`${cwd}/switchyard.json`]: JSON.stringify({ fieldCache }) };
  return loadConfig({ env: { DEEPSEEK_API_KEY: "sk-deepseek-test" }, cwd, dotenv: false, readFile: (path) => files[path] });
}

describe("fieldCache in switchyard.json", () => {
  it("accepts raised bounds and extra rules", async () => {
    const extra = { ...declared, name: "my-extra-rule" };
    const config = load({ overrides: { deepseek: { [declared?.name ?? ""]: { ttlMs: 2 * (declared?.ttlMs ?? 0) } } }, rules: { deepseek: [extra] } });
    expect(config.fieldCache?.rules?.["deepseek"]?.[0]?.name).toBe("my-extra-rule");
    const engine = createEngineFromConfig(config);
    await engine.close();
  });

  it("stops startup with a config error when config would weaken a provider-declared rule", () => {
    const config = load({ overrides: { deepseek: { [declared?.name ?? ""]: { enabled: false } } } });
    expect(() => createEngineFromConfig(config)).toThrow(/cannot be switched off/);
    expect(() => createEngineFromConfig(load({ overrides: { deepseek: { [declared?.name ?? ""]: { ttlMs: 1 } } } }))).toThrow(/below the declared/);
  });

  it("rejects a malformed rule naming the field", () => {
    expect(() => load({ rules: { deepseek: [{ ...declared, mode: "sometimes" }] } })).toThrow(/fieldCache\.rules\.deepseek\[0\]\.mode/);
  });
});
