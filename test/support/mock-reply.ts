import type { ProtocolId } from "../../src/unified/index.js";
import {
  defaultMockUsage,
  type MockAnswer,
  type MockFrame,
  type MockReasoning,
  type MockRetryAfter,
  type MockToolCall,
} from "./mock-answer.js";
import type { MockOperation } from "./route-mock-request.js";

/** Which requests a scripted reply may answer; every given key must match. */
export interface MockMatch {
  protocol?: ProtocolId;
  /** Defaults to `generate`, so model lists and probes never eat a reply meant for a completion. */
  operation?: MockOperation;
  /** Exact pathname, or a pattern tested against `path?query`. */
  path?: string | RegExp;
  model?: string | RegExp;
  apiKey?: string;
}

/** Misbehaviour while the body is being written; frame counts are 0-based positions in the reply's frames. */
export interface MockFaults {
  /** Destroy the socket after this many frames (mid-stream connection drop; 0 = right after the headers). */
  dropAfterFrames?: number;
  /** End the response cleanly after this many frames: the stream simply lacks its terminal events. */
  endAfterFrames?: number;
  /** Send nothing for `ms` after this many frames, then go on; without `ms` it never goes on. */
  stall?: { afterFrames: number; ms?: number };
  /** Write a broken SSE frame after this many frames, then go on (default `data: {"malformed": \n\n`). */
  malformed?: { afterFrames: number; text?: string };
  /** Write the body in pieces of `bytes` bytes every `intervalMs` (splits frames and UTF-8 sequences). */
  drip?: { bytes: number; intervalMs: number };
  /** Wait this long before every frame. */
  frameIntervalMs?: number;
}

/** Options every reply kind takes. */
export interface MockReplyOptions {
  match?: MockMatch;
  /** HTTP status (200 unless an error reply). */
  status?: number;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** Wait this long before the status line and headers (time to first byte). */
  delayMs?: number;
  faults?: MockFaults;
}

/** A protocol-neutral answer, rendered in the protocol the request came in, streamed when the request asks. */
export interface MockAnswerReply extends MockReplyOptions {
  kind: "answer";
  answer: MockAnswer;
}

/** A JSON body; a string is written verbatim (byte-for-byte fixtures), anything else is serialized. */
export interface MockJsonReply extends MockReplyOptions {
  kind: "json";
  body: unknown;
}

/** An SSE stream: raw text written verbatim, or frames (objects are serialized, strings written as they are). */
export interface MockSseReply extends MockReplyOptions {
  kind: "sse";
  body: string | Array<MockFrame | string>;
}

/** An HTTP error in the request protocol's error shape (or `body`), with retry-after headers when asked. */
export interface MockErrorReply extends MockReplyOptions {
  kind: "error";
  status: number;
  message?: string;
  retryAfter?: MockRetryAfter;
  body?: unknown;
}

/** Destroys the connection before any byte of a response is written. */
export interface MockResetReply {
  kind: "reset";
  match?: MockMatch;
  delayMs?: number;
}

/** One scripted reply. */
export type MockReply = MockAnswerReply | MockJsonReply | MockSseReply | MockErrorReply | MockResetReply;

/** Any answer, in whichever protocol is asked. */
export function answerReply(answer: MockAnswer, options: MockReplyOptions = {}): MockAnswerReply {
  return { ...options, kind: "answer", answer };
}

/** A plain text answer. */
export function textReply(text: string, options: MockReplyOptions = {}): MockAnswerReply {
  return answerReply({ text }, options);
}

/** One tool call or several parallel ones, optionally after some text and reasoning. */
export function toolCallReply(
  calls: MockToolCall | MockToolCall[],
  extra: { text?: string; reasoning?: MockReasoning } = {},
  options: MockReplyOptions = {},
): MockAnswerReply {
  return answerReply({ ...extra, toolCalls: Array.isArray(calls) ? calls : [calls] }, options);
}

/** Reasoning (with its signature where the protocol has one) followed by text. */
export function thinkingReply(reasoning: MockReasoning, text: string, options: MockReplyOptions = {}): MockAnswerReply {
  return answerReply({ reasoning, text, usage: { ...defaultMockUsage, output: 20, reasoning: 12 } }, options);
}

/** A 200 whose completion is empty: no text, no calls, zero output tokens (some providers do this when limited). */
export function emptyReply(options: MockReplyOptions = {}): MockAnswerReply {
  return answerReply({ text: "", usage: { input: defaultMockUsage.input, output: 0 } }, options);
}

/** A JSON body as it is. */
export function jsonReply(body: unknown, options: MockReplyOptions = {}): MockJsonReply {
  return { ...options, kind: "json", body };
}

/** An SSE body as raw text or frames. */
export function sseReply(body: string | Array<MockFrame | string>, options: MockReplyOptions = {}): MockSseReply {
  return { ...options, kind: "sse", body };
}

/** An error status in the protocol's shape. */
export function errorReply(
  status: number,
  extra: { message?: string; retryAfter?: MockRetryAfter; body?: unknown } = {},
  options: MockReplyOptions = {},
): MockErrorReply {
  return { ...options, ...extra, kind: "error", status };
}

/** 429 with whichever retry-after forms are given (none: a bare 429). */
export function rateLimitReply(retryAfter?: MockRetryAfter, options: MockReplyOptions = {}): MockErrorReply {
  return errorReply(429, retryAfter === undefined ? {} : { retryAfter }, options);
}

/** Anthropic's 529 overloaded (in the shape of the request's protocol). */
export function overloadedReply(options: MockReplyOptions = {}): MockErrorReply {
  return errorReply(529, { message: "Overloaded" }, options);
}

/** A connection reset before any header. */
export function resetReply(options: { match?: MockMatch; delayMs?: number } = {}): MockResetReply {
  return { ...options, kind: "reset" };
}

/** The same reply, restricted to matching requests. */
export function matching<R extends MockReply>(match: MockMatch, reply: R): R {
  return { ...reply, match };
}

/** The same reply with faults added. */
export function withFaults<R extends Exclude<MockReply, MockResetReply>>(reply: R, faults: MockFaults): R {
  return { ...reply, faults: { ...reply.faults, ...faults } };
}
