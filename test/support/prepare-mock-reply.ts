import type { ProtocolId } from "../../src/unified/index.js";
import { anthropicMessagesMockEncoder } from "./encode-mock-anthropic-messages.js";
import { geminiMockEncoder } from "./encode-mock-gemini.js";
import { openAiChatMockEncoder } from "./encode-mock-openai-chat.js";
import { openAiResponsesMockEncoder } from "./encode-mock-openai-responses.js";
import type { MockFrame, MockProtocolEncoder, MockRenderContext, MockRetryAfter } from "./mock-answer.js";
import type { MockFaults, MockReply } from "./mock-reply.js";
import type { RecordedRequest } from "./record-mock-request.js";

/** The encoder for each protocol. */
export const mockEncoders: Readonly<Record<ProtocolId, MockProtocolEncoder>> = {
  "openai-chat": openAiChatMockEncoder,
  "openai-responses": openAiResponsesMockEncoder,
  "anthropic-messages": anthropicMessagesMockEncoder,
  gemini: geminiMockEncoder,
};

/** One piece of body text and how long to wait before writing it. */
export interface PreparedMockFrame {
  text: string;
  delayMs: number;
}

/** A reply turned into bytes and timing, ready for the writer. */
export interface PreparedMockReply {
  reset: boolean;
  delayMs: number;
  status: number;
  headers: Record<string, string>;
  frames: PreparedMockFrame[];
  faults: MockFaults;
}

const sseHeaders = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" };
const jsonHeaders = { "content-type": "application/json" };

/** The protocol whose shapes answer a request; unknown routes get OpenAI's, the most common error shape. */
export function replyProtocol(request: RecordedRequest): ProtocolId {
  return request.route.protocol ?? "openai-chat";
}

/** One SSE frame as bytes: an optional `event:` line, one `data:` line, and the provider's blank-line separator. */
export function serializeMockFrame(frame: MockFrame, separator = "\n\n"): string {
  const data = typeof frame.data === "string" ? frame.data : JSON.stringify(frame.data);
  const newline = separator.startsWith("\r\n") ? "\r\n" : "\n";
  return frame.event === undefined ? `data: ${data}${separator}` : `event: ${frame.event}${newline}data: ${data}${separator}`;
}

/** Splits raw SSE text after each blank line, keeping every byte, so faults can count frames of a verbatim replay. */
export function splitSseText(text: string): string[] {
  return (text.match(/[\s\S]*?(?:\r\n\r\n|\n\n|$)/g) ?? []).filter((piece) => piece.length > 0);
}

function retryHeaders(retryAfter: MockRetryAfter | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (retryAfter?.seconds !== undefined) headers["retry-after"] = String(retryAfter.seconds);
  else if (retryAfter?.date !== undefined) headers["retry-after"] = retryAfter.date.toUTCString();
  if (retryAfter?.ms !== undefined) headers["retry-after-ms"] = String(retryAfter.ms);
  return headers;
}

function renderContext(request: RecordedRequest): MockRenderContext {
  const protocol = replyProtocol(request);
  return { protocol, model: request.route.model ?? "mock-model", sequence: request.sequence, body: request.json };
}

function framesOf(body: string | Array<MockFrame | string>, separator: string): PreparedMockFrame[] {
  if (typeof body === "string") return splitSseText(body).map((text) => ({ text, delayMs: 0 }));
  return body.map((frame) =>
    typeof frame === "string"
      ? { text: frame, delayMs: 0 }
      : { text: serializeMockFrame(frame, separator), delayMs: frame.delayMs ?? 0 },
  );
}

/** Gemini without `alt=sse` streams one JSON array, element by element. */
function geminiJsonArrayFrames(frames: MockFrame[]): PreparedMockFrame[] {
  const out = frames.map((frame, index) => ({
    text: `${index === 0 ? "[" : ",\r\n"}${JSON.stringify(frame.data)}`,
    delayMs: frame.delayMs ?? 0,
  }));
  out.push({ text: out.length === 0 ? "[]" : "]", delayMs: 0 });
  return out;
}

/** Turns a scripted or default reply into the bytes the mock writes for this request. */
export function prepareMockReply(reply: MockReply, request: RecordedRequest): PreparedMockReply {
  const base = { reset: false, delayMs: reply.delayMs ?? 0, faults: {} };
  const ids = { "x-request-id": `req_mock_${request.sequence}`, "request-id": `req_mock_${request.sequence}` };
  if (reply.kind === "reset") return { ...base, reset: true, status: 0, headers: {}, frames: [] };
  const faults = reply.faults ?? {};
  const encoder = mockEncoders[replyProtocol(request)];
  const withBase = (status: number, headers: Record<string, string>, frames: PreparedMockFrame[]): PreparedMockReply => ({
    ...base,
    faults,
    status: reply.status ?? status,
    headers: { ...ids, ...headers, ...reply.headers },
    frames,
  });
  switch (reply.kind) {
    case "answer": {
      const context = renderContext(request);
      if (!request.route.stream) {
        return withBase(200, jsonHeaders, [{ text: JSON.stringify(encoder.json(reply.answer, context)), delayMs: 0 }]);
      }
      const frames = encoder.frames(reply.answer, context);
      if (context.protocol === "gemini" && request.query["alt"] !== "sse") {
        return withBase(200, jsonHeaders, geminiJsonArrayFrames(frames));
      }
      return withBase(200, sseHeaders, framesOf(frames, encoder.frameSeparator));
    }
    case "json": {
      const text = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
      return withBase(200, jsonHeaders, [{ text, delayMs: 0 }]);
    }
    case "sse":
      return withBase(200, sseHeaders, framesOf(reply.body, encoder.frameSeparator));
    case "error": {
      const message = reply.message ?? `mock upstream error ${reply.status}`;
      const body = reply.body ?? encoder.error(reply.status, message, reply.retryAfter);
      const text = typeof body === "string" ? body : JSON.stringify(body);
      return withBase(reply.status, { ...jsonHeaders, ...retryHeaders(reply.retryAfter) }, [{ text, delayMs: 0 }]);
    }
    default: {
      const unreachable: never = reply;
      return unreachable;
    }
  }
}
