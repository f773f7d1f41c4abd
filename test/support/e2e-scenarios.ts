import { answerReply, textReply, thinkingReply, toolCallReply, type MockReasoning, type MockToolCall, type MockUsage } from "./mock-upstream.js";

/** A function tool as every client declares it. */
export interface E2eTool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** The tools every tool scenario offers. */
export const e2eTools: readonly E2eTool[] = [
  {
    name: "get_weather",
    description: "Current weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
  {
    name: "get_time",
    description: "Current time in a time zone",
    parameters: { type: "object", properties: { zone: { type: "string" } }, required: ["zone"] },
  },
];

/** The user's question in every scenario. */
export const e2ePrompt = "What is the weather in Paris, and what time is it there?";

/** The weather call the mock model makes. */
export const weatherCall: MockToolCall = { name: "get_weather", arguments: { city: "Paris" } };

/** The second, parallel call. */
export const timeCall: MockToolCall = { name: "get_time", arguments: { zone: "Europe/Paris" } };

/** What each tool returns (JSON text, as tools usually answer). */
export const toolOutputs: Readonly<Record<string, string>> = {
  get_weather: '{"temperature":21,"sky":"sunny"}',
  get_time: '{"time":"14:00"}',
};

/** The model's final answer after the tool results (non-ASCII on purpose: UTF-8 must survive every path). */
export const finalAnswer = "It is 21 °C and sunny in Paris, and it is 14:00 there.";

/** Reasoning with an opaque signature, as a thinking model returns it. */
export const mockReasoning: MockReasoning = { text: "The user wants weather and time, so I call both tools.", signature: "c2lnLW1vY2stMTIz" };

/** Usage with cached input, to check each protocol's convention (OpenAI and Gemini count cache in the prompt, Anthropic does not). */
export const cachedUsage: MockUsage = { input: 40, output: 9, cacheRead: 16 };

/** The plain answer of the text scenario. */
export const plainAnswer = "Hello from the mock upstream — ünïcödé included.";

/** Replies of the text scenario. */
export function textScenarioReplies() {
  return [answerReply({ text: plainAnswer, usage: cachedUsage })];
}

/** Replies of the single-call scenario: one call, then the final answer. */
export function singleCallReplies() {
  return [toolCallReply(weatherCall), textReply(finalAnswer)];
}

/** Replies of the parallel-call scenario: two calls in one turn, then the final answer. */
export function parallelCallReplies() {
  return [toolCallReply([weatherCall, timeCall]), textReply(finalAnswer)];
}

/** The reasoning scenario: reasoning (with signature) then text, usage with reasoning tokens. */
export function thinkingReplies() {
  return [thinkingReply(mockReasoning, finalAnswer)];
}

/** Reasoning before a tool call, then the final answer: the signature must come back on the tool-result turn. */
export function thinkingToolReplies() {
  return [toolCallReply(weatherCall, { reasoning: mockReasoning }), textReply(finalAnswer)];
}

/** The reasoning scenario's usage (thinkingReply's). */
export const thinkingUsage: MockUsage = { input: 12, output: 20, reasoning: 12 };
