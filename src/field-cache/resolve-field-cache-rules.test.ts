import { describe, expect, it } from "vitest";
import { builtinFieldCacheRules, type FieldCacheRuleDeclaration } from "../providers/index.js";
import { createMemoryStateStore } from "../state/index.js";
import { createFieldCache, resolveFieldCacheRules } from "./index.js";

const declared = builtinFieldCacheRules.deepSeekReasoningContent;
const ruleName = "deepseek-reasoning-content-per-tool-call";
const declaredRule = declared.find((rule) => rule.name === ruleName) as FieldCacheRuleDeclaration;

describe("resolveFieldCacheRules: config strengthens provider-declared rules, never weakens them", () => {
  it("raises bounds and TTL", () => {
    const resolved = resolveFieldCacheRules("deepseek", declared, { overrides: { deepseek: { [ruleName]: { ttlMs: declaredRule.ttlMs * 2, maxEntries: declaredRule.maxEntries + 1 } } } });
    expect(resolved.find((rule) => rule.name === ruleName)).toMatchObject({ ttlMs: declaredRule.ttlMs * 2, maxEntries: declaredRule.maxEntries + 1, maxValueBytes: declaredRule.maxValueBytes });
  });

  it.each([
    ["switching it off", { enabled: false }, /cannot be switched off/],
    ["a shorter TTL", { ttlMs: 1_000 }, /ttlMs 1000 is below the declared/],
    ["a smaller value bound", { maxValueBytes: 10 }, /maxValueBytes 10 is below/],
    ["a smaller byte bound", { maxTotalBytes: 10 }, /maxTotalBytes 10 is below/],
    ["fewer entries", { maxEntries: 1 }, /maxEntries 1 is below/],
  ])("rejects %s as a config error naming provider and rule", (_label, override, message) => {
    const attempt = () => resolveFieldCacheRules("deepseek", declared, { overrides: { deepseek: { [ruleName]: override } } });
    expect(attempt).toThrow(message);
    expect(attempt).toThrow(`provider "deepseek", rule "${ruleName}"`);
  });

  it("rejects redefining a declared rule under its name, and overriding a rule that is not declared", () => {
    const redefined = { ...declaredRule, scope: "session" as const };
    expect(() => resolveFieldCacheRules("deepseek", declared, { rules: { deepseek: [redefined] } })).toThrow(/redefines a provider-declared rule/);
    expect(() => resolveFieldCacheRules("deepseek", declared, { overrides: { deepseek: { nope: { ttlMs: 1 } } } })).toThrow(/does not declare/);
  });

  it("adds configured rules after the declared ones, and lets config switch off its own", () => {
    const extra: FieldCacheRuleDeclaration = { ...declaredRule, name: "my-rule" };
    expect(resolveFieldCacheRules("deepseek", declared, { rules: { deepseek: [extra] } }).map((rule) => rule.name)).toEqual([...declared.map((rule) => rule.name), "my-rule"]);
    expect(resolveFieldCacheRules("deepseek", declared, { rules: { deepseek: [{ ...extra, enabled: false }] } }).map((rule) => rule.name)).toEqual(declared.map((rule) => rule.name));
  });

  it("fails at startup when createFieldCache is given the providers", () => {
    expect(() =>
      createFieldCache({
        store: createMemoryStateStore(),
        providers: [{ id: "deepseek", definition: { fieldCache: declared } }],
        settings: { overrides: { deepseek: { [ruleName]: { ttlMs: 1 } } } },
      }),
    ).toThrow(/below the declared/);
  });
});
