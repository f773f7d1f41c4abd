import { describe, expect, it } from "vitest";
import type { FieldCache } from "../field-cache/index.js";
import { getCodec } from "../protocols/index.js";
import { builtinFieldCacheRules, type ConfiguredProvider } from "../providers/index.js";
import type { TracePassKind } from "../observability/index.js";
import { openFieldCacheRun } from "./apply-field-cache.js";
import type { GatewayCall } from "./gateway-call.js";
import type { TraceRecorder } from "./trace-recorder.js";

/** A field cache whose store is broken: every read and write rejects. */
const brokenCache: FieldCache = {
  rulesFor: () => builtinFieldCacheRules.deepSeekReasoningContent,
  inject: () => Promise.reject(new Error("state store unavailable")),
  extract: () => Promise.reject(new Error("state store unavailable")),
};

function recordingTrace(): TraceRecorder & { lines: Array<{ kind: TracePassKind; stage: unknown }> } {
  const lines: Array<{ kind: TracePassKind; stage: unknown }> = [];
  return { active: true, lines, record: (kind, _data, fields) => void lines.push({ kind, stage: fields?.["stage"] }), failedUpstream() {}, close: () => Promise.resolve() };
}

const call: GatewayCall = { protocol: "openai-chat", operation: "generate", body: {}, headers: {}, signal: new AbortController().signal };
const target = { provider: { id: "deepseek", protocol: "openai-chat", credentials: [], definition: { fieldCache: [] } } as unknown as ConfiguredProvider, upstreamModel: "deepseek-reasoner" };

describe("openFieldCacheRun", () => {
  it("never fails the request when the field cache does: the body goes out as it was, the answer is read on, the trace says why", async () => {
    const trace = recordingTrace();
    const body = { model: "deepseek-reasoner", messages: [{ role: "user", content: "hi" }] };
    const run = openFieldCacheRun({ fieldCache: brokenCache, trace }, call, body, target, getCodec("openai-chat"));
    expect(run).toBeDefined();
    await expect(run?.prepareRequest(body)).resolves.toBe(body);
    await expect(run?.readResponse({ choices: [{ message: { role: "assistant", content: "x", reasoning_content: "r" } }] })).resolves.toBeUndefined();
    await expect(run?.readResponseText("not json at all")).resolves.toBeUndefined();
    expect(trace.lines).toEqual([
      { kind: "error", stage: "field-cache" },
      { kind: "error", stage: "field-cache" },
    ]);
  });

  it("is undefined for a target without rules, so the pipeline does nothing extra", () => {
    const none: FieldCache = { ...brokenCache, rulesFor: () => [] };
    expect(openFieldCacheRun({ fieldCache: none }, call, {}, target, getCodec("openai-chat"))).toBeUndefined();
    expect(openFieldCacheRun({}, call, {}, target, getCodec("openai-chat"))).toBeUndefined();
  });
});

describe("openFieldCacheRun.readResponseText", () => {
  const answers: unknown[] = [];
  const recording: FieldCache = {
    rulesFor: () => builtinFieldCacheRules.deepSeekReasoningContent,
    inject: (_rules, body) => Promise.resolve(body),
    extract: (_rules, _from, body) => {
      answers.push(body);
      return Promise.resolve();
    },
  };

  it("does not parse an answer no rule can read from, and reads one that names a rule's field", async () => {
    const run = openFieldCacheRun({ fieldCache: recording }, call, {}, target, getCodec("openai-chat"));
    await run?.readResponseText('{"choices":[{"index":0,"message":{"role":"assistant","content":"hi"}}]}');
    expect(answers).toEqual([]);
    const withReasoning = { choices: [{ index: 0, message: { role: "assistant", content: "hi", reasoning_content: "r" } }] };
    await run?.readResponseText(JSON.stringify(withReasoning));
    expect(answers).toEqual([withReasoning]);
  });
});
