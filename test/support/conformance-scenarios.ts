import type {
  ContentPart,
  FinishReason,
  OutputPart,
  ProtocolId,
  StreamEvent,
  UnifiedFinishReason,
  UnifiedMessage,
  UnifiedRequest,
  UnifiedResponse,
  Usage,
} from "../../src/unified/index.js";

/**
 * The shared scenarios every codec runs (see codec-conformance.ts). Each is built per protocol so that it stays
 * within what that protocol can express: a Responses client carries reasoning as `encrypted_content`, the others
 * as a signature; Gemini takes images as inline data. What a protocol can only approximate (a refusal, a finish
 * reason it has no word for) is listed with the scenario as the values accepted back.
 */
export interface ConformanceScenario {
  name: ScenarioName;
  request?: (protocol: ProtocolId) => UnifiedRequest;
  response?: (protocol: ProtocolId) => UnifiedResponse;
  stream?: (protocol: ProtocolId) => StreamEvent[];
  /** Finish reasons accepted back per protocol when the protocol cannot state the original. */
  acceptedFinishReasons?: Partial<Record<ProtocolId, UnifiedFinishReason[]>>;
  /** Protocols without a refusal part: the refusal comes back as text. */
  refusalAsText?: ProtocolId[];
}

/** Scenario names, as used in `skip` lists. */
export const scenarioNames = [
  "text",
  "multi-turn",
  "tool call + tool result",
  "parallel tool calls",
  "image input",
  "reasoning with signature",
  "refusal",
  "length stop",
  "usage with cache tokens",
  "upstream error mid-stream",
] as const;
/** One scenario name. */
export type ScenarioName = (typeof scenarioNames)[number];

const weatherTool = {
  type: "function" as const,
  name: "get_weather",
  description: "Current weather for a city.",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

/** A 1×1 PNG: small, valid image bytes. */
export const tinyPngBase64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

function request(messages: UnifiedMessage[], extra: Partial<UnifiedRequest> = {}): UnifiedRequest {
  return {
    model: "conformance-model",
    system: [{ role: "system", parts: [{ type: "text", text: "You are a careful assistant." }] }],
    messages,
    generation: { maxOutputTokens: 1024 },
    stream: false,
    ...extra,
  };
}

const user = (text: string): UnifiedMessage => ({ role: "user", content: [{ type: "text", text }] });
const assistant = (...content: ContentPart[]): UnifiedMessage => ({ role: "assistant", content });
const toolCall = (id: string, city: string): ContentPart => ({ type: "tool-call", id, name: "get_weather", arguments: JSON.stringify({ city }), kind: "function" });
const toolResult = (id: string, text: string): ContentPart => ({ type: "tool-result", toolCallId: id, name: "get_weather", content: [{ type: "text", text }] });

function usage(overrides: Partial<Usage> = {}): Usage {
  const base = { inputTokens: 20, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 8, reasoningTokens: 0, ...overrides };
  return { ...base, totalTokens: base.inputTokens + base.cacheReadTokens + base.cacheWriteTokens + base.outputTokens };
}

function response(output: OutputPart[], finishReason: FinishReason, responseUsage: Usage = usage()): UnifiedResponse {
  return { id: "resp_conformance_1", model: "conformance-model", created: 1_750_000_000, output, finishReason, usage: responseUsage };
}

const finish = (unified: UnifiedFinishReason): FinishReason => ({ unified, raw: null });

/** start, then one block per entry, then the terminal event. */
function stream(blocks: StreamEvent[][], terminal: StreamEvent): StreamEvent[] {
  return [{ type: "start", id: "resp_conformance_1", model: "conformance-model", created: 1_750_000_000 }, ...blocks.flat(), terminal];
}

function textBlock(index: number, ...deltas: string[]): StreamEvent[] {
  return [{ type: "text-start", index }, ...deltas.map((text): StreamEvent => ({ type: "text-delta", index, text })), { type: "text-end", index }];
}

function toolBlock(index: number, id: string, city: string): StreamEvent[] {
  const argumentsText = JSON.stringify({ city });
  return [
    { type: "tool-call-start", index, id, name: "get_weather", kind: "function" },
    { type: "tool-call-delta", index, argumentsDelta: argumentsText.slice(0, 5) },
    { type: "tool-call-delta", index, argumentsDelta: argumentsText.slice(5) },
    { type: "tool-call-end", index },
  ];
}

/** Reasoning as each protocol carries it: Responses with encrypted content, the others with a signature. */
function reasoningPart(protocol: ProtocolId): OutputPart {
  const origin = { protocol };
  if (protocol === "openai-responses") return { type: "reasoning", text: "", summary: ["Check the units first."], encryptedContent: "gAAAAABconformanceEncrypted", id: "rs_conformance_1", origin };
  return { type: "reasoning", text: "Check the units first.", signature: "EqQBconformanceSignature==", origin };
}

function reasoningBlock(protocol: ProtocolId): StreamEvent[] {
  if (protocol === "openai-responses") {
    return [
      { type: "reasoning-start", index: 0, id: "rs_conformance_1" },
      { type: "reasoning-delta", index: 0, text: "Check the units first.", summaryIndex: 0 },
      { type: "reasoning-end", index: 0, encryptedContent: "gAAAAABconformanceEncrypted", summary: ["Check the units first."] },
    ];
  }
  return [
    { type: "reasoning-start", index: 0 },
    { type: "reasoning-delta", index: 0, text: "Check the units " },
    { type: "reasoning-delta", index: 0, text: "first." },
    { type: "reasoning-signature", index: 0, signature: "EqQBconformanceSignature==" },
    { type: "reasoning-end", index: 0 },
  ];
}

/** Every scenario of the shared suite. */
export const conformanceScenarios: ConformanceScenario[] = [
  {
    name: "text",
    request: () => request([user("Say hello.")], { generation: { maxOutputTokens: 256, temperature: 0.5, topP: 0.9, stop: ["END"] } }),
    response: () => response([{ type: "text", text: "Hello there." }], finish("stop")),
    stream: () => stream([textBlock(0, "Hello", " there.")], { type: "finish", finishReason: finish("stop"), usage: usage() }),
  },
  {
    name: "multi-turn",
    request: () => request([user("My name is Ada."), assistant({ type: "text", text: "Nice to meet you, Ada." }), user("What is my name?")]),
    response: () => response([{ type: "text", text: "Your name is Ada." }], finish("stop")),
    stream: () => stream([textBlock(0, "Your name ", "is Ada.")], { type: "finish", finishReason: finish("stop"), usage: usage() }),
  },
  {
    name: "tool call + tool result",
    request: () =>
      request([user("Weather in Paris?"), assistant({ type: "text", text: "Checking." }, toolCall("call_paris_1", "Paris")), { role: "tool", content: [toolResult("call_paris_1", "18 C, clear")] }], {
        tools: [weatherTool],
        toolChoice: { type: "auto" },
      }),
    response: () => response([{ type: "text", text: "Checking." }, { type: "tool-call", id: "call_paris_1", name: "get_weather", arguments: '{"city":"Paris"}', kind: "function" }], finish("tool_calls")),
    stream: () => stream([textBlock(0, "Checking."), toolBlock(1, "call_paris_1", "Paris")], { type: "finish", finishReason: finish("tool_calls"), usage: usage() }),
  },
  {
    name: "parallel tool calls",
    request: () =>
      request(
        [
          user("Weather in Paris and Oslo?"),
          assistant(toolCall("call_paris_2", "Paris"), toolCall("call_oslo_2", "Oslo")),
          { role: "tool", content: [toolResult("call_paris_2", "18 C")] },
          { role: "tool", content: [toolResult("call_oslo_2", "4 C")] },
        ],
        { tools: [weatherTool], parallelToolCalls: true },
      ),
    response: () =>
      response(
        [
          { type: "tool-call", id: "call_paris_2", name: "get_weather", arguments: '{"city":"Paris"}', kind: "function" },
          { type: "tool-call", id: "call_oslo_2", name: "get_weather", arguments: '{"city":"Oslo"}', kind: "function" },
        ],
        finish("tool_calls"),
      ),
    stream: () => stream([toolBlock(0, "call_paris_2", "Paris"), toolBlock(1, "call_oslo_2", "Oslo")], { type: "finish", finishReason: finish("tool_calls"), usage: usage() }),
  },
  {
    name: "image input",
    request: (protocol) =>
      request([
        {
          role: "user",
          content: [
            { type: "text", text: "What is in these images?" },
            { type: "image", source: { kind: "base64", mediaType: "image/png", data: tinyPngBase64 } },
            // Gemini fetches no arbitrary URLs from a request body; it gets inline data only.
            ...(protocol === "gemini" ? [] : [{ type: "image" as const, source: { kind: "url" as const, url: "https://example.com/cat.png" } }]),
          ],
        },
      ]),
    response: () => response([{ type: "text", text: "A single pixel and a cat." }], finish("stop")),
  },
  {
    name: "reasoning with signature",
    request: (protocol) => request([user("2 km in m?"), assistant(reasoningPart(protocol), { type: "text", text: "2000 m." }), user("And 3 km?")]),
    response: (protocol) => response([reasoningPart(protocol), { type: "text", text: "3000 m." }], finish("stop"), usage({ outputTokens: 40, reasoningTokens: 30 })),
    stream: (protocol) => stream([reasoningBlock(protocol), textBlock(1, "3000 m.")], { type: "finish", finishReason: finish("stop"), usage: usage({ outputTokens: 40, reasoningTokens: 30 }) }),
  },
  {
    name: "refusal",
    response: () => response([{ type: "refusal", text: "I can't help with that." }], finish("refusal")),
    stream: () => stream([textBlock(0, "I can't help with that.")], { type: "finish", finishReason: finish("refusal"), usage: usage() }),
    refusalAsText: ["anthropic-messages", "gemini"],
    acceptedFinishReasons: { "openai-chat": ["stop", "content_filter"], "openai-responses": ["stop", "content_filter"], gemini: ["stop", "content_filter"] },
  },
  {
    name: "length stop",
    response: () => response([{ type: "text", text: "The first part of a long" }], finish("length")),
    stream: () => stream([textBlock(0, "The first part", " of a long")], { type: "finish", finishReason: finish("length"), usage: usage() }),
  },
  {
    name: "usage with cache tokens",
    response: () => response([{ type: "text", text: "Cached." }], finish("stop"), usage({ inputTokens: 100, cacheReadTokens: 900, cacheWriteTokens: 50, outputTokens: 20, reasoningTokens: 5 })),
    stream: () =>
      stream([textBlock(0, "Cached.")], {
        type: "finish",
        finishReason: finish("stop"),
        usage: usage({ inputTokens: 100, cacheReadTokens: 900, cacheWriteTokens: 50, outputTokens: 20, reasoningTokens: 5 }),
      }),
  },
  {
    name: "upstream error mid-stream",
    stream: () => [
      { type: "start", id: "resp_conformance_1", model: "conformance-model", created: 1_750_000_000 },
      { type: "text-start", index: 0 },
      { type: "text-delta", index: 0, text: "Partial answ" },
      { type: "error", error: { code: "overloaded", message: "Upstream is overloaded.", httpStatus: 503 } },
    ],
  },
];
