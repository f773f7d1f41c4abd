import type { FieldCacheRuleDeclaration, FieldCacheSelector } from "./field-cache-rule-declaration.js";

/**
 * The field-cache rules Switchyard ships. Values stay within one proxy key and one provider (a value is only ever
 * replayed to the provider that produced it), live six hours, and are bounded per rule. The bounds are modest
 * because the cache shares the state store (and the process's memory) with cooldowns and usage counters; a busy
 * gateway raises them in switchyard.json (`fieldCache.overrides`), which may only ever raise them.
 */
const bounds = { ttlMs: 6 * 60 * 60 * 1000, maxEntries: 2_000 } as const;
const reasoningBytes = { maxValueBytes: 256 * 1024, maxTotalBytes: 4 * 1024 * 1024 } as const;

const thinkingBlocks: FieldCacheSelector = { path: "content[*]", where: { type: ["thinking", "redacted_thinking"] } };
const anthropicToolUseIds: FieldCacheSelector = { path: "content[*]", where: { type: ["tool_use"] }, pick: "id" };
const anthropicTurnText: FieldCacheSelector = { path: "content[*]", where: { type: ["text"] }, pick: "text" };
const anthropicAssistantTurns: FieldCacheSelector = { path: "messages[*]", where: { role: ["assistant"] } };

/**
 * Anthropic thinking blocks with their signatures must come back unchanged before the tool_use of the assistant turn
 * on tool turns; an OpenAI-speaking client drops them. Keyed by the turn's tool_use ids, else by the turn's text.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#preserving-thinking-blocks
 */
const anthropicThinkingRules: readonly FieldCacheRuleDeclaration[] = [
  {
    name: "anthropic-thinking-per-tool-call",
    protocol: "anthropic-messages",
    from: "response",
    mode: "per_tool_call",
    scope: "proxy-key",
    extract: { value: thinkingBlocks, keys: [anthropicToolUseIds] },
    inject: { at: anthropicAssistantTurns, keys: [anthropicToolUseIds], field: "content", how: "prepend", unless: [thinkingBlocks] },
    ...reasoningBytes,
    ...bounds,
  },
  {
    name: "anthropic-thinking-last-assistant-turn",
    protocol: "anthropic-messages",
    from: "response",
    mode: "last_assistant_turn",
    scope: "proxy-key",
    extract: { value: thinkingBlocks, keys: [anthropicTurnText] },
    inject: { at: anthropicAssistantTurns, keys: [anthropicTurnText], field: "content", how: "prepend", unless: [thinkingBlocks] },
    ...reasoningBytes,
    ...bounds,
  },
];

const geminiFunctionCallParts = (path: string): FieldCacheSelector => ({ path, where: { functionCall: { present: true } } });
const geminiCallKey: readonly FieldCacheSelector[] = [{ path: "functionCall.name" }, { path: "functionCall.args" }];

/**
 * Gemini wants each functionCall part's `thoughtSignature` back on the next turn. The tool-call id carries it for
 * clients that keep ids; this covers clients that rewrite them, keyed by the call itself (Gemini's own call ids are
 * optional, and the ids clients see are the gateway's). A call answered unsigned is remembered as such, so an older
 * signature of an identical call is not replayed. When nothing is known of a call, the documented sentinel skips
 * validation on the models that validate; it is only ever sent to Gemini-protocol targets (this rule's protocol).
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures
 */
const geminiThoughtSignatureRules: readonly FieldCacheRuleDeclaration[] = [
  {
    name: "gemini-thought-signature",
    protocol: "gemini",
    from: "response",
    mode: "per_tool_call",
    scope: "proxy-key",
    extract: { at: geminiFunctionCallParts("candidates[*].content.parts[*]"), value: { path: "thoughtSignature" }, keys: geminiCallKey, recordMissing: true },
    inject: {
      at: geminiFunctionCallParts("contents[*].parts[*]"),
      keys: geminiCallKey,
      field: "thoughtSignature",
      how: "set",
      fallback: "skip_thought_signature_validator",
      // Gemini 3 validates signatures on function calls; earlier models neither need nor check them.
      fallbackModels: ["gemini-3*", "gemini-4*"],
    },
    maxValueBytes: 64 * 1024,
    maxTotalBytes: 2 * 1024 * 1024,
    ...bounds,
    maxEntries: 5_000,
  },
];

const chatAssistantTurns: FieldCacheSelector = { path: "messages[*]", where: { role: ["assistant"] } };
const chatToolCallIds: FieldCacheSelector = { path: "tool_calls[*].id" };

/** `reasoning_content` replay on Chat targets: by tool-call id, else into the last assistant turn it came from. */
function reasoningContentRules(prefix: string, models?: string): FieldCacheRuleDeclaration[] {
  const shared = {
    protocol: "openai-chat",
    ...(models === undefined ? {} : { models }),
    from: "response",
    scope: "proxy-key",
    ...reasoningBytes,
    ...bounds,
  } as const;
  return [
    {
      name: `${prefix}-reasoning-content-per-tool-call`,
      mode: "per_tool_call",
      extract: { at: { path: "choices[0].message" }, value: { path: "reasoning_content" }, keys: [chatToolCallIds] },
      inject: { at: chatAssistantTurns, keys: [chatToolCallIds], field: "reasoning_content", how: "set" },
      ...shared,
    },
    {
      name: `${prefix}-reasoning-content-last-assistant-turn`,
      mode: "last_assistant_turn",
      extract: { at: { path: "choices[0].message" }, value: { path: "reasoning_content" }, keys: [{ path: "content" }] },
      inject: { at: chatAssistantTurns, keys: [{ path: "content" }], field: "reasoning_content", how: "set" },
      ...shared,
    },
  ];
}

/**
 * Built-in rules by group, as the declarations carry them. DeepSeek thinking mode and Kimi's thinking models need
 * `reasoning_content` back on the assistant messages of a tool loop; Chat clients strip it.
 * @see https://api-docs.deepseek.com/guides/thinking_mode
 * @see https://platform.moonshot.ai/docs/guide/use-kimi-k2-thinking-model
 */
export const builtinFieldCacheRules = {
  anthropicThinking: anthropicThinkingRules,
  geminiThoughtSignature: geminiThoughtSignatureRules,
  deepSeekReasoningContent: reasoningContentRules("deepseek"),
  kimiReasoningContent: reasoningContentRules("kimi", "*kimi*"),
} as const;

/** Rules that apply to every provider (their `protocol` and `models` decide where): Kimi models on any Chat target. */
export const sharedFieldCacheRules: readonly FieldCacheRuleDeclaration[] = builtinFieldCacheRules.kimiReasoningContent;
