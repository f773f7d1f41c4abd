import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createEngineFromConfig } from "../../src/library/index.js";
import { builtinFieldCacheRules } from "../../src/providers/index.js";
import { buildServer } from "../../src/server/index.js";
import { jsonReply, startMockUpstream, textReply } from "../support/mock-upstream.js";
import { mockProviderEnvironment, mockTargets, testProxyKey } from "../support/start-test-gateway.js";

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

/** A rule only switchyard.json knows, for the built-in `openai` provider: a per-turn opaque state its answers carry. */
const providerStateRule = {
  name: "openai-provider-state",
  protocol: "openai-chat",
  from: "response",
  mode: "last_assistant_turn",
  scope: "model",
  extract: { at: { path: "choices[0].message" }, value: { path: "provider_state" }, keys: [{ path: "content" }] },
  inject: { at: { path: "messages[*]", where: { role: ["assistant"] } }, keys: [{ path: "content" }], field: "provider_state", how: "set" },
  ttlMs: 60_000,
  maxValueBytes: 1024,
  maxTotalBytes: 65_536,
  maxEntries: 100,
};

describe("a fieldCache rule from switchyard.json, end to end", () => {
  it("replays a configured value into the turn it came from, for the same model only", async () => {
    const mock = await startMockUpstream();
    const files: Record<string, string> = { [`${cwd}/switchyard.json`]: JSON.stringify({ fieldCache: { rules: { openai: [providerStateRule] } } }) };
    const config = loadConfig({ env: { ...mockProviderEnvironment(mock.baseUrl), SWITCHYARD_PROXY_KEYS: testProxyKey }, cwd, dotenv: false, readFile: (path) => files[path] });
    const engine = createEngineFromConfig(config);
    const app = buildServer({ gateway: engine, proxyKeys: config.proxyKeys.map((key) => key.secret), bodyLimitBytes: config.limits.bodyBytes, jsonDepthLimit: config.limits.jsonDepth, logger: false });
    try {
      const chat = async (model: string, messages: unknown[]): Promise<Array<Record<string, unknown>>> => {
        const response = await app.inject({ method: "POST", url: "/v1/chat/completions", headers: { authorization: `Bearer ${testProxyKey}` }, payload: { model, messages } });
        expect(response.statusCode, response.body).toBe(200);
        return (mock.generateRequests().at(-1)?.json as { messages: Array<Record<string, unknown>> }).messages;
      };
      const model = mockTargets["openai-chat"].model;
      mock.script(
        jsonReply({
          id: "chatcmpl-1",
          object: "chat.completion",
          created: 1,
          model: "gpt-mock-large",
          choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "Answer one", provider_state: "opaque-state-1" } }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      );
      await chat(model, [{ role: "user", content: "first" }]);

      // The client sends the turn back without the provider's field.
      const history = [{ role: "user", content: "first" }, { role: "assistant", content: "Answer one" }, { role: "user", content: "second" }];
      mock.script(textReply("ok"), textReply("ok"), textReply("ok"));
      expect((await chat(model, history))[1]).toEqual({ role: "assistant", content: "Answer one", provider_state: "opaque-state-1" });
      // Scope `model`: another model of the same provider never gets it.
      expect((await chat("openai/gpt-mock-other", history))[1]).toEqual({ role: "assistant", content: "Answer one" });
      // last_assistant_turn: a turn whose text is not the one the value came from gets nothing.
      expect((await chat(model, [history[0], { role: "assistant", content: "Edited answer" }, history[2]]))[1]).toEqual({ role: "assistant", content: "Edited answer" });
    } finally {
      await app.close();
      await mock.close();
    }
  });
});
