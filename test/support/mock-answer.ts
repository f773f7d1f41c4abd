import type { ProtocolId } from "../../src/unified/index.js";

/** One function call the mock model makes. */
export interface MockToolCall {
  name: string;
  arguments: Record<string, unknown>;
  /** Call id; a deterministic `call_mock_<request>_<index>` style id when absent. */
  id?: string;
}

/** Reasoning the mock model shows before answering, with the opaque signature that must be sent back. */
export interface MockReasoning {
  text: string;
  /** Anthropic `signature`, Responses `encrypted_content`, Gemini `thoughtSignature`; chat has none. */
  signature?: string;
}

/** Token counts the mock reports (mapped to each protocol's own usage convention). */
export interface MockUsage {
  input: number;
  output: number;
  reasoning?: number;
  cacheRead?: number;
}

/** A protocol-neutral answer, rendered in whichever protocol the request came in, streamed or not. */
export interface MockAnswer {
  /** Visible text; `""` (with no tool calls) is the "200 with an empty completion" case. */
  text?: string;
  reasoning?: MockReasoning;
  toolCalls?: MockToolCall[];
  usage?: MockUsage;
  /** `length` makes a max-tokens stop; otherwise the stop follows from the content. */
  finish?: "stop" | "length";
}

/** What an encoder knows about the request it answers. */
export interface MockRenderContext {
  protocol: ProtocolId;
  model: string;
  /** 1-based index of the request in `received`: ids and timestamps derive from it, so runs are deterministic. */
  sequence: number;
  /** The parsed request body, when it was JSON (for protocol options such as chat `stream_options`). */
  body: unknown;
}

/** One SSE frame before serialization. */
export interface MockFrame {
  event?: string;
  data: unknown;
  /** Wait this long before writing the frame. */
  delayMs?: number;
}

/** What an error reply says about when to retry. */
export interface MockRetryAfter {
  /** `retry-after: <seconds>` (and Gemini `RetryInfo.retryDelay`). */
  seconds?: number;
  /** `retry-after-ms: <ms>` (OpenAI and Anthropic send it beside `retry-after`). */
  ms?: number;
  /** `retry-after: <HTTP date>`. */
  date?: Date;
}

/** Renders answers and errors in one wire protocol. */
export interface MockProtocolEncoder {
  /** The non-streaming response body. */
  json(answer: MockAnswer, context: MockRenderContext): unknown;
  /** The streaming response as ordered SSE frames (terminator included). */
  frames(answer: MockAnswer, context: MockRenderContext): MockFrame[];
  /** The protocol's error body for an HTTP status. */
  error(status: number, message: string, retryAfter: MockRetryAfter | undefined): unknown;
  /** Blank-line separator this provider puts after each frame. */
  frameSeparator: string;
}

/** The usage every default answer reports. */
export const defaultMockUsage: MockUsage = { input: 12, output: 8 };

/** A fixed epoch second (2025-01-01T00:00:00Z) plus the request sequence: deterministic `created` stamps. */
export function mockCreatedAt(sequence: number): number {
  return 1_735_689_600 + sequence;
}

/** The default answer text for a protocol, e.g. "hello from anthropic-messages mock". */
export function defaultMockText(protocol: ProtocolId): string {
  return `hello from ${protocol} mock`;
}

/**
 * Splits text into stream deltas at word boundaries (each piece keeps its leading space), so streamed output
 * has several deltas like a real model's and concatenates back to the exact input.
 */
export function splitIntoDeltas(text: string): string[] {
  const pieces = text.match(/\s*\S+|\s+$/g);
  return pieces === null || pieces.length === 0 ? [text] : pieces;
}

/** Splits serialized JSON arguments into a few fragments, the way providers stream tool arguments. */
export function splitArguments(json: string): string[] {
  if (json.length <= 4) return [json];
  const size = Math.ceil(json.length / 3);
  const out: string[] = [];
  for (let start = 0; start < json.length; start += size) out.push(json.slice(start, start + size));
  return out;
}

/** The call id of the n-th tool call of a request, unless the script gave one. */
export function mockToolCallId(call: MockToolCall, prefix: string, sequence: number, index: number): string {
  return call.id ?? `${prefix}${sequence}_${index}`;
}

/** What the answer contains, resolved once for every encoder. */
export interface ResolvedMockAnswer {
  text: string | undefined;
  reasoning: MockReasoning | undefined;
  toolCalls: MockToolCall[];
  usage: MockUsage;
  finish: "stop" | "length" | "tool-calls";
}

/** Normalizes an answer: tool calls make a tool-calls finish unless a length stop was asked for. */
export function resolveMockAnswer(answer: MockAnswer): ResolvedMockAnswer {
  const toolCalls = answer.toolCalls ?? [];
  const finish = answer.finish === "length" ? "length" : toolCalls.length > 0 ? "tool-calls" : "stop";
  return { text: answer.text, reasoning: answer.reasoning, toolCalls, usage: answer.usage ?? defaultMockUsage, finish };
}
