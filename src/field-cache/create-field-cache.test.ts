import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { builtinFieldCacheRules, type FieldCacheRuleDeclaration } from "../providers/index.js";
import { createMemoryStateStore, openFileStateStore } from "../state/index.js";
import { createFieldCache, type FieldCachePass, type FieldCacheProvider, type FieldCacheTarget } from "./index.js";

const target: FieldCacheTarget = { providerId: "deepseek", model: "deepseek-reasoner", proxyKeyId: "key-a" };
const deepSeek: FieldCacheProvider = { id: "deepseek", protocol: "openai-chat", definition: { fieldCache: builtinFieldCacheRules.deepSeekReasoningContent } };

function chatAnswer(reasoning: string, content: string | null, toolIds: string[] = []) {
  return {
    choices: [
      {
        message: {
          role: "assistant",
          content,
          reasoning_content: reasoning,
          ...(toolIds.length === 0 ? {} : { tool_calls: toolIds.map((id) => ({ id, type: "function", function: { name: "f", arguments: "{}" } })) }),
        },
      },
    ],
  };
}

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("field cache: reasoning_content replay (DeepSeek / Kimi rules)", () => {
  it("puts reasoning_content back on the assistant message of each tool call the client stripped it from", async () => {
    const cache = createFieldCache({ store: createMemoryStateStore() });
    const rules = cache.rulesFor(deepSeek, "deepseek-reasoner");
    await cache.extract(rules, "response", chatAnswer("think 1", null, ["call_1", "call_2"]), target);
    const request = {
      model: "deepseek-reasoner",
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: null, tool_calls: [{ id: "call_2", type: "function", function: { name: "f", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "call_2", content: "ok" },
      ],
    };
    const passes: FieldCachePass[] = [];
    const injected = await cache.inject(rules, request, target, (pass) => passes.push(pass));
    expect(injected["messages"]).toMatchObject([{ role: "user" }, { role: "assistant", reasoning_content: "think 1" }, { role: "tool" }]);
    expect(request.messages[1]).not.toHaveProperty("reasoning_content");
    expect(passes).toEqual([{ rule: "deepseek-reasoning-content-per-tool-call", action: "inject", path: "messages[1].reasoning_content", source: "cache" }]);
  });

  it("returns the very same body when the client kept reasoning_content or nothing is cached", async () => {
    const cache = createFieldCache({ store: createMemoryStateStore() });
    const rules = cache.rulesFor(deepSeek, "deepseek-reasoner");
    await cache.extract(rules, "response", chatAnswer("think", "answer"), target);
    const kept = { messages: [{ role: "assistant", content: "answer", reasoning_content: "client's own" }, { role: "user", content: "next" }] };
    expect(await cache.inject(rules, kept, target)).toBe(kept);
    const unknown = { messages: [{ role: "assistant", content: "another answer" }, { role: "user", content: "next" }] };
    expect(await cache.inject(rules, unknown, target)).toBe(unknown);
  });

  it("replays a text turn's reasoning only into the last assistant turn, and only when its text is that turn's", async () => {
    const cache = createFieldCache({ store: createMemoryStateStore() });
    const rules = cache.rulesFor(deepSeek, "deepseek-reasoner");
    await cache.extract(rules, "response", chatAnswer("r1", "first answer"), target);
    await cache.extract(rules, "response", chatAnswer("r2", "second answer"), target);
    const request = {
      messages: [
        { role: "user", content: "q1" },
        { role: "assistant", content: "first answer" },
        { role: "user", content: "q2" },
        { role: "assistant", content: [{ type: "text", text: "second answer" }] },
        { role: "user", content: "q3" },
      ],
    };
    const injected = (await cache.inject(rules, request, target)) as typeof request;
    expect(injected.messages[1]).not.toHaveProperty("reasoning_content");
    expect(injected.messages[3]).toMatchObject({ reasoning_content: "r2" });
    const foreign = { messages: [{ role: "assistant", content: "something else" }, { role: "user", content: "q" }] };
    expect(await cache.inject(rules, foreign, target)).toBe(foreign);
  });

  it("keeps values apart per proxy key and per provider", async () => {
    const cache = createFieldCache({ store: createMemoryStateStore() });
    const rules = cache.rulesFor(deepSeek, "deepseek-reasoner");
    await cache.extract(rules, "response", chatAnswer("secret reasoning", null, ["call_9"]), target);
    const request = { messages: [{ role: "assistant", content: null, tool_calls: [{ id: "call_9", type: "function", function: { name: "f", arguments: "{}" } }] }] };
    expect(await cache.inject(rules, request, { ...target, proxyKeyId: "key-b" })).toBe(request);
    expect(await cache.inject(rules, request, { ...target, providerId: "other" })).toBe(request);
    expect(await cache.inject(rules, request, target)).not.toBe(request);
  });

  it("applies the Kimi rules to *kimi* models on any Chat provider and to nothing else; no rules cost one shared empty list", () => {
    const cache = createFieldCache({ store: createMemoryStateStore() });
    const plain: FieldCacheProvider = { id: "moonshot", protocol: "openai-chat", definition: { fieldCache: [] } };
    expect(cache.rulesFor(plain, "kimi-k2-thinking").map((rule) => rule.name)).toEqual(["kimi-reasoning-content-per-tool-call", "kimi-reasoning-content-last-assistant-turn"]);
    const none = cache.rulesFor(plain, "moonshot-v1-8k");
    expect(none).toHaveLength(0);
    expect(cache.rulesFor({ id: "groq", protocol: "openai-chat", definition: { fieldCache: [] } }, "llama")).toBe(none);
    expect(cache.rulesFor({ id: "x", protocol: "anthropic-messages", definition: { fieldCache: [] } }, "kimi-k2")).toBe(none);
  });
});

describe("field cache: Gemini thought signatures", () => {
  const gemini: FieldCacheProvider = { id: "gemini", protocol: "gemini", definition: { fieldCache: builtinFieldCacheRules.geminiThoughtSignature } };
  const geminiTarget: FieldCacheTarget = { providerId: "gemini", model: "gemini-3-pro" };
  const answer = {
    candidates: [{ content: { role: "model", parts: [{ functionCall: { name: "lookup", args: { city: "Paris", days: 2 } }, thoughtSignature: "sig-A" }, { functionCall: { name: "lookup", args: { city: "Rome" } } }] } }],
  };

  it("restores the signature by call (name and arguments, key order ignored) and uses the skip sentinel only when nothing is cached", async () => {
    const cache = createFieldCache({ store: createMemoryStateStore() });
    const rules = cache.rulesFor(gemini, "gemini-3-pro");
    await cache.extract(rules, "response", answer, geminiTarget);
    const request = {
      contents: [
        { role: "user", parts: [{ text: "weather" }] },
        { role: "model", parts: [{ functionCall: { name: "lookup", args: { days: 2, city: "Paris" } } }, { functionCall: { name: "lookup", args: { city: "Rome" } } }] },
        { role: "model", parts: [{ functionCall: { name: "other", args: {} } }, { functionCall: { name: "other2", args: {} } }] },
      ],
    };
    const injected = (await cache.inject(rules, request, geminiTarget)) as typeof request;
    expect(injected.contents[1]?.parts).toEqual([
      { functionCall: { name: "lookup", args: { days: 2, city: "Paris" } }, thoughtSignature: "sig-A" },
      { functionCall: { name: "lookup", args: { city: "Rome" } } },
    ]);
    expect(injected.contents[2]?.parts).toEqual([
      { functionCall: { name: "other", args: {} }, thoughtSignature: "skip_thought_signature_validator" },
      { functionCall: { name: "other2", args: {} } },
    ]);
  });

  it("forgets a signature once the same call is answered unsigned, and keeps the sentinel to models that validate", async () => {
    const cache = createFieldCache({ store: createMemoryStateStore() });
    const rules = cache.rulesFor(gemini, "gemini-3-pro");
    await cache.extract(rules, "response", answer, geminiTarget);
    const unsigned = { candidates: [{ content: { role: "model", parts: [{ functionCall: { name: "lookup", args: { city: "Paris", days: 2 } } }] } }] };
    await cache.extract(rules, "response", unsigned, geminiTarget);
    const request = { contents: [{ role: "model", parts: [{ functionCall: { name: "lookup", args: { city: "Paris", days: 2 } } }] }] };
    expect(await cache.inject(rules, request, geminiTarget)).toBe(request);
    const older = { contents: [{ role: "model", parts: [{ functionCall: { name: "never-seen", args: {} } }] }] };
    const flash = { ...geminiTarget, model: "gemini-2.5-flash" };
    expect(await cache.inject(cache.rulesFor(gemini, "gemini-2.5-flash"), older, flash)).toBe(older);
  });

  it("leaves a signature the client kept", async () => {
    const cache = createFieldCache({ store: createMemoryStateStore() });
    const rules = cache.rulesFor(gemini, "gemini-3-pro");
    const request = { contents: [{ role: "model", parts: [{ functionCall: { name: "x", args: {} }, thoughtSignature: "kept" }] }] };
    expect(await cache.inject(rules, request, geminiTarget)).toBe(request);
  });
});

describe("field cache: Anthropic thinking blocks", () => {
  const anthropic: FieldCacheProvider = { id: "anthropic", protocol: "anthropic-messages", definition: { fieldCache: builtinFieldCacheRules.anthropicThinking } };
  const anthropicTarget: FieldCacheTarget = { providerId: "anthropic", model: "claude-sonnet-4-5" };
  const thinking = { type: "thinking", thinking: "plan", signature: "sig-T" };
  const answer = { content: [thinking, { type: "text", text: "Let me check." }, { type: "tool_use", id: "toolu_1", name: "f", input: {} }] };

  it("re-inserts the signed thinking block before the tool_use of the assistant turn, once", async () => {
    const cache = createFieldCache({ store: createMemoryStateStore() });
    const rules = cache.rulesFor(anthropic, "claude-sonnet-4-5");
    await cache.extract(rules, "response", answer, anthropicTarget);
    const request = {
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: [{ type: "text", text: "Let me check." }, { type: "tool_use", id: "toolu_1", name: "f", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "ok" }] },
      ],
    };
    const passes: FieldCachePass[] = [];
    const injected = (await cache.inject(rules, request, anthropicTarget, (pass) => passes.push(pass))) as typeof request;
    expect(injected.messages[1]?.content).toEqual([thinking, { type: "text", text: "Let me check." }, { type: "tool_use", id: "toolu_1", name: "f", input: {} }]);
    expect(passes.filter((pass) => pass.action === "inject")).toHaveLength(1);
  });
});

const lastRule: FieldCacheRuleDeclaration = {
  name: "conversation-id",
  protocol: "openai-chat",
  from: "response",
  mode: "last",
  scope: "session",
  extract: { value: { path: "conversation_id" } },
  inject: { at: { path: "metadata" }, field: "conversation_id", how: "set" },
  ttlMs: 1_000,
  maxValueBytes: 20,
  maxTotalBytes: 1_000,
  maxEntries: 2,
};
const provider = (rules: FieldCacheRuleDeclaration[]): FieldCacheProvider => ({ id: "p", protocol: "openai-chat", definition: { fieldCache: rules } });

describe("field cache: modes, scopes and bounds", () => {
  it("expires values after the rule's TTL (injected clock)", async () => {
    const time = clock();
    const cache = createFieldCache({ store: createMemoryStateStore({ clock: time }) });
    const rules = cache.rulesFor(provider([lastRule]), "m");
    const session = { providerId: "p", model: "m", sessionKey: "s1" };
    await cache.extract(rules, "response", { conversation_id: "c-1" }, session);
    expect(await cache.inject(rules, { metadata: {} }, session)).toEqual({ metadata: { conversation_id: "c-1" } });
    time.advance(1_001);
    expect(await cache.inject(rules, { metadata: {} }, session)).toEqual({ metadata: {} });
  });

  it("does nothing for a session-scoped rule without a session key, and keeps sessions apart", async () => {
    const cache = createFieldCache({ store: createMemoryStateStore() });
    const rules = cache.rulesFor(provider([lastRule]), "m");
    const passes: FieldCachePass[] = [];
    await cache.extract(rules, "response", { conversation_id: "c-1" }, { providerId: "p", model: "m" });
    await cache.extract(rules, "response", { conversation_id: "c-2" }, { providerId: "p", model: "m", sessionKey: "s2" });
    expect(await cache.inject(rules, { metadata: {} }, { providerId: "p", model: "m" }, (pass) => passes.push(pass))).toEqual({ metadata: {} });
    expect(passes).toEqual([{ rule: "conversation-id", action: "skip", reason: "no_session" }]);
    expect(await cache.inject(rules, { metadata: {} }, { providerId: "p", model: "m", sessionKey: "s1" })).toEqual({ metadata: {} });
    expect(await cache.inject(rules, { metadata: {} }, { providerId: "p", model: "m", sessionKey: "s2" })).toEqual({ metadata: { conversation_id: "c-2" } });
  });

  it("keeps credential-scoped values per credential and model-scoped values per model, both within the provider", async () => {
    const cache = createFieldCache({ store: createMemoryStateStore() });
    const rules = cache.rulesFor(provider([{ ...lastRule, name: "per-credential", scope: "credential" }, { ...lastRule, name: "per-model", scope: "model" }]), "m");
    const byCredential = rules.filter((rule) => rule.scope === "credential");
    const byModel = rules.filter((rule) => rule.scope === "model");
    const keyA = { providerId: "p", model: "m", credentialId: "cred-a" };
    await cache.extract(byCredential, "response", { conversation_id: "from-a" }, keyA);
    expect(await cache.inject(byCredential, { metadata: {} }, { ...keyA, model: "other-model" })).toEqual({ metadata: { conversation_id: "from-a" } });
    expect(await cache.inject(byCredential, { metadata: {} }, { ...keyA, credentialId: "cred-b" })).toEqual({ metadata: {} });
    expect(await cache.inject(byCredential, { metadata: {} }, { ...keyA, providerId: "q" })).toEqual({ metadata: {} });
    await cache.extract(byModel, "response", { conversation_id: "from-m" }, keyA);
    expect(await cache.inject(byModel, { metadata: {} }, { ...keyA, credentialId: "cred-b" })).toEqual({ metadata: { conversation_id: "from-m" } });
    expect(await cache.inject(byModel, { metadata: {} }, { ...keyA, model: "other-model" })).toEqual({ metadata: {} });
  });

  it("refuses a value over maxValueBytes and says so", async () => {
    const cache = createFieldCache({ store: createMemoryStateStore() });
    const rules = cache.rulesFor(provider([lastRule]), "m");
    const session = { providerId: "p", model: "m", sessionKey: "s" };
    const passes: FieldCachePass[] = [];
    await cache.extract(rules, "response", { conversation_id: "x".repeat(40) }, session, (pass) => passes.push(pass));
    expect(passes).toEqual([{ rule: "conversation-id", action: "skip", path: "conversation_id", reason: "value_too_large" }]);
    expect(await cache.inject(rules, { metadata: {} }, session)).toEqual({ metadata: {} });
  });

  it("evicts the least recently used entry beyond maxEntries (a read counts as use)", async () => {
    const cache = createFieldCache({ store: createMemoryStateStore() });
    const rules = cache.rulesFor(provider([lastRule]), "m");
    const session = (key: string) => ({ providerId: "p", model: "m", sessionKey: key });
    await cache.extract(rules, "response", { conversation_id: "a" }, session("a"));
    await cache.extract(rules, "response", { conversation_id: "b" }, session("b"));
    await cache.inject(rules, { metadata: {} }, session("a"));
    await cache.extract(rules, "response", { conversation_id: "c" }, session("c"));
    expect(await cache.inject(rules, { metadata: {} }, session("a"))).toEqual({ metadata: { conversation_id: "a" } });
    expect(await cache.inject(rules, { metadata: {} }, session("b"))).toEqual({ metadata: {} });
    expect(await cache.inject(rules, { metadata: {} }, session("c"))).toEqual({ metadata: { conversation_id: "c" } });
  });

  it("evicts beyond maxTotalBytes", async () => {
    const cache = createFieldCache({ store: createMemoryStateStore() });
    const rules = cache.rulesFor(provider([{ ...lastRule, maxEntries: 100, maxTotalBytes: 12 }]), "m");
    const session = (key: string) => ({ providerId: "p", model: "m", sessionKey: key });
    await cache.extract(rules, "response", { conversation_id: "aaaaaaaa" }, session("a"));
    await cache.extract(rules, "response", { conversation_id: "bbbbbbbb" }, session("b"));
    expect(await cache.inject(rules, { metadata: {} }, session("a"))).toEqual({ metadata: {} });
    expect(await cache.inject(rules, { metadata: {} }, session("b"))).toEqual({ metadata: { conversation_id: "bbbbbbbb" } });
  });

  it("all: keeps every value in order (bounded) and injects them as one list", async () => {
    const cache = createFieldCache({ store: createMemoryStateStore() });
    const rules = cache.rulesFor(provider([{ ...lastRule, name: "ids", mode: "all", scope: "provider", maxEntries: 2, inject: { at: { path: "metadata" }, field: "seen", how: "set" } }]), "m");
    const where = { providerId: "p", model: "m" };
    for (const id of ["1", "2", "3"]) await cache.extract(rules, "response", { conversation_id: id }, where);
    expect(await cache.inject(rules, { metadata: {} }, where)).toEqual({ metadata: { seen: ["2", "3"] } });
  });

  it("last_user_turn: a value read from a request goes into the last user turn of later requests", async () => {
    const rule: FieldCacheRuleDeclaration = {
      ...lastRule,
      name: "user-tag",
      from: "request",
      mode: "last_user_turn",
      scope: "model",
      extract: { at: { path: "messages[*]", where: { role: ["user"] } }, value: { path: "tag" } },
      inject: { at: { path: "messages[*]", where: { role: ["user"] } }, field: "tag", how: "set" },
    };
    const cache = createFieldCache({ store: createMemoryStateStore() });
    const rules = cache.rulesFor(provider([rule]), "m");
    const where = { providerId: "p", model: "m" };
    await cache.extract(rules, "request", { messages: [{ role: "user", content: "a", tag: "t1" }] }, where);
    const injected = await cache.inject(rules, { messages: [{ role: "user", content: "a" }, { role: "assistant", content: "b" }, { role: "user", content: "c" }] }, where);
    expect(injected).toEqual({ messages: [{ role: "user", content: "a" }, { role: "assistant", content: "b" }, { role: "user", content: "c", tag: "t1" }] });
  });

  it("persists through the file state store across a restart", async () => {
    const directory = await mkdtemp(join(tmpdir(), "switchyard-field-cache-"));
    try {
      const path = join(directory, "state.json");
      const first = await openFileStateStore({ path, debounceMs: 60_000 });
      const before = createFieldCache({ store: first });
      await before.extract(before.rulesFor(deepSeek, "deepseek-reasoner"), "response", chatAnswer("persisted", null, ["call_p"]), target);
      await first.close();
      const second = await openFileStateStore({ path, debounceMs: 60_000 });
      const after = createFieldCache({ store: second });
      const request = { messages: [{ role: "assistant", content: null, tool_calls: [{ id: "call_p", type: "function", function: { name: "f", arguments: "{}" } }] }] };
      expect(await after.inject(after.rulesFor(deepSeek, "deepseek-reasoner"), request, target)).toMatchObject({ messages: [{ reasoning_content: "persisted" }] });
      await second.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
