import { describe, expect, it } from "vitest";
import { builtinFieldCacheRules, type FieldCacheRuleDeclaration } from "../providers/index.js";
import { computeResponseTriggers, mayHoldResponseValues } from "./compute-response-triggers.js";
import { extractFieldValues } from "./extract-field-values.js";

const thinkingAnswer = '{"content":[{"type":"thinking","thinking":"hm","signature":"sig"},{"type":"text","text":"hi"}]}';
const textAnswer = '{"content":[{"type":"text","text":"I was thinking about it"}],"usage":{"input_tokens":1}}';

describe("computeResponseTriggers", () => {
  it("names what each built-in rule's match needs", () => {
    expect(computeResponseTriggers(builtinFieldCacheRules.anthropicThinking)).toEqual(['"thinking"', '"redacted_thinking"']);
    expect(computeResponseTriggers(builtinFieldCacheRules.deepSeekReasoningContent)).toEqual(['"reasoning_content"']);
    // recordMissing: a call without a signature is still read, so the site (a functionCall part) is what counts.
    expect(computeResponseTriggers(builtinFieldCacheRules.geminiThoughtSignature)).toEqual(['"functionCall"']);
  });

  it("is undefined when a rule could read from any answer", () => {
    const anything: FieldCacheRuleDeclaration = { ...(builtinFieldCacheRules.anthropicThinking[0] as FieldCacheRuleDeclaration), extract: { value: { path: "[*]" } } };
    expect(computeResponseTriggers([anything])).toBeUndefined();
    expect(mayHoldResponseValues(undefined, "{}")).toBe(true);
  });
});

describe("mayHoldResponseValues", () => {
  const triggers = computeResponseTriggers(builtinFieldCacheRules.anthropicThinking);

  it("skips an answer no rule can read from, and reads one that has a thinking block", () => {
    expect(mayHoldResponseValues(triggers, textAnswer)).toBe(false);
    expect(mayHoldResponseValues(triggers, thinkingAnswer)).toBe(true);
    expect(mayHoldResponseValues(triggers, thinkingAnswer.replace('"thinking"', '"redacted_thinking"'))).toBe(true);
  });

  it("reads an answer whose escapes could spell a trigger another way", () => {
    const escaped = thinkingAnswer.replace('"type":"thinking"', '"type":"th\\u0069nking"');
    // The rule does find the block in it: skipping it would lose the value.
    const rule = builtinFieldCacheRules.anthropicThinking[1] as FieldCacheRuleDeclaration;
    expect(extractFieldValues(rule, JSON.parse(escaped))).toHaveLength(1);
    expect(mayHoldResponseValues(triggers, escaped)).toBe(true);
  });

  it("never skips an answer a built-in rule reads values from", () => {
    const answers = [thinkingAnswer, '{"content":[{"type":"redacted_thinking","data":"x"},{"type":"tool_use","id":"t","name":"f","input":{}}]}'];
    for (const answer of answers) {
      const found = builtinFieldCacheRules.anthropicThinking.some((rule) => extractFieldValues(rule, JSON.parse(answer)).length > 0);
      expect(found).toBe(true);
      expect(mayHoldResponseValues(triggers, answer)).toBe(true);
    }
  });
});
