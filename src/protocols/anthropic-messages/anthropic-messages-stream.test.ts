import { describe, expect, it } from "vitest";
import { parseSseText } from "../../streaming/index.js";
import { assertWellFormedStream, embedSignatureInToolCallId, type SseMessage, type StreamEvent } from "../../unified/index.js";
import { anthropicMessagesCodec } from "./index.js";

/** Anthropic SSE messages from payload objects, padded the way Anthropic pads `data:` lines. */
function sse(...payloads: Array<Record<string, unknown>>): SseMessage[] {
  return payloads.map((payload) => ({ event: String(payload["type"]), data: `${JSON.stringify(payload)}   ` }));
}

function decode(messages: readonly SseMessage[], end = true): StreamEvent[] {
  const decoder = anthropicMessagesCodec.createStreamDecoder();
  const events = messages.flatMap((message) => decoder.push(message));
  if (end) events.push(...decoder.end());
  return events;
}

const start = (usage: Record<string, unknown> = { input_tokens: 10, output_tokens: 1 }) => ({
  type: "message_start",
  message: { id: "msg_1", type: "message", role: "assistant", model: "claude-sonnet-4-5", content: [], stop_reason: null, stop_sequence: null, usage },
});
const blockStart = (index: number, block: Record<string, unknown>) => ({ type: "content_block_start", index, content_block: block });
const blockDelta = (index: number, delta: Record<string, unknown>) => ({ type: "content_block_delta", index, delta });
const blockStop = (index: number) => ({ type: "content_block_stop", index });
const messageDelta = (stopReason: string, usage: Record<string, unknown>) => ({ type: "message_delta", delta: { stop_reason: stopReason, stop_sequence: null }, usage });
const stopEvent = { type: "message_stop" };

describe("stream decoder", () => {
  it("streams parallel tool calls with argument fragments, one block each", () => {
    const events = decode(
      sse(
        start(),
        blockStart(0, { type: "tool_use", id: "toolu_A", name: "weather", input: {} }),
        blockDelta(0, { type: "input_json_delta", partial_json: "" }),
        blockDelta(0, { type: "input_json_delta", partial_json: '{"city":' }),
        blockDelta(0, { type: "input_json_delta", partial_json: '"Paris"}' }),
        blockStop(0),
        { type: "ping" },
        blockStart(1, { type: "tool_use", id: "toolu_B", name: "time", input: {} }),
        blockStop(1),
        messageDelta("tool_use", { output_tokens: 40 }),
        stopEvent,
      ),
    );
    assertWellFormedStream(events);
    expect(events.filter((event) => event.type !== "usage")).toEqual([
      { type: "start", id: "msg_1", model: "claude-sonnet-4-5" },
      { type: "tool-call-start", index: 0, id: "toolu_A", name: "weather", kind: "function" },
      { type: "tool-call-delta", index: 0, argumentsDelta: '{"city":' },
      { type: "tool-call-delta", index: 0, argumentsDelta: '"Paris"}' },
      { type: "tool-call-end", index: 0 },
      { type: "tool-call-start", index: 1, id: "toolu_B", name: "time", kind: "function" },
      { type: "tool-call-delta", index: 1, argumentsDelta: "{}" },
      { type: "tool-call-end", index: 1 },
      {
        type: "finish",
        finishReason: { unified: "tool_calls", raw: "tool_use" },
        usage: { inputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 40, reasoningTokens: 0, totalTokens: 50, raw: { input_tokens: 10, output_tokens: 40 } },
      },
    ]);
  });

  it("merges message_start usage with the cumulative message_delta usage, never adding, cache tokens apart", () => {
    const events = decode(
      sse(
        start({ input_tokens: 11, cache_creation_input_tokens: 0, cache_read_input_tokens: 1031, output_tokens: 1, service_tier: "standard" }),
        blockStart(0, { type: "text", text: "" }),
        blockDelta(0, { type: "text_delta", text: "A" }),
        blockStop(0),
        messageDelta("max_tokens", { input_tokens: 11, cache_creation_input_tokens: null, cache_read_input_tokens: 1031, output_tokens: 100 }),
        stopEvent,
      ),
    );
    const usages = events.flatMap((event) => (event.type === "usage" ? [event.usage] : event.type === "finish" && event.usage ? [event.usage] : []));
    expect(usages.map((usage) => [usage.inputTokens, usage.cacheReadTokens, usage.cacheWriteTokens, usage.outputTokens, usage.totalTokens])).toEqual([
      [11, 1031, 0, 1, 1043],
      [11, 1031, 0, 100, 1142],
      [11, 1031, 0, 100, 1142],
    ]);
    expect(events.at(-1)).toMatchObject({ type: "finish", finishReason: { unified: "length", raw: "max_tokens" } });
  });

  it("decodes thinking with its signature, redacted thinking, citations and server tools", () => {
    const citation = { type: "web_search_result_location", cited_text: "c", url: "https://a", title: "A", encrypted_index: "Eo8" };
    const events = decode(
      sse(
        start(),
        blockStart(0, { type: "thinking", thinking: "", signature: "" }),
        blockDelta(0, { type: "thinking_delta", thinking: "Let me" }),
        blockDelta(0, { type: "thinking_delta", thinking: " think." }),
        blockDelta(0, { type: "signature_delta", signature: "EqQB" }),
        blockStop(0),
        blockStart(1, { type: "redacted_thinking", data: "EmwK" }),
        blockStop(1),
        blockStart(2, { type: "server_tool_use", id: "srvtoolu_1", name: "web_search", input: {} }),
        blockDelta(2, { type: "input_json_delta", partial_json: '{"query": "q"}' }),
        blockStop(2),
        blockStart(3, { type: "web_search_tool_result", tool_use_id: "srvtoolu_1", content: [] }),
        blockStop(3),
        blockStart(4, { citations: [], type: "text", text: "" }),
        blockDelta(4, { type: "citations_delta", citation }),
        blockDelta(4, { type: "text_delta", text: "Cited." }),
        blockStop(4),
        messageDelta("end_turn", { output_tokens: 9 }),
        stopEvent,
      ),
    );
    assertWellFormedStream(events);
    expect(events.filter((event) => event.type !== "usage" && event.type !== "start" && event.type !== "finish")).toEqual([
      { type: "reasoning-start", index: 0, origin: { protocol: "anthropic-messages" } },
      { type: "reasoning-delta", index: 0, text: "Let me" },
      { type: "reasoning-delta", index: 0, text: " think." },
      { type: "reasoning-signature", index: 0, signature: "EqQB" },
      { type: "reasoning-end", index: 0 },
      { type: "reasoning-start", index: 1, redactedData: "EmwK", origin: { protocol: "anthropic-messages" } },
      { type: "reasoning-end", index: 1 },
      {
        type: "native-item",
        index: 2,
        part: { type: "native", protocol: "anthropic-messages", value: { type: "server_tool_use", id: "srvtoolu_1", name: "web_search", input: { query: "q" } } },
      },
      {
        type: "native-item",
        index: 3,
        part: { type: "native", protocol: "anthropic-messages", value: { type: "web_search_tool_result", tool_use_id: "srvtoolu_1", content: [] } },
      },
      { type: "text-start", index: 4 },
      { type: "text-delta", index: 4, text: "Cited." },
      {
        type: "text-end",
        index: 4,
        citations: [{ kind: "url", url: "https://a", title: "A", citedText: "c", raw: citation, origin: "anthropic-messages" }],
      },
    ]);
  });

  it("maps in-stream error events to fitting codes", () => {
    const cases: Array<[string, string, Record<string, unknown>]> = [
      ["overloaded_error", "Overloaded", { code: "overloaded", httpStatus: 503, upstreamStatus: 529 }],
      ["rate_limit_error", "slow down", { code: "rate_limited", httpStatus: 429, upstreamStatus: 429 }],
      ["api_error", "Internal server error", { code: "upstream_server", httpStatus: 502, upstreamStatus: 500 }],
      ["billing_error", "credit balance too low", { code: "quota_exhausted", httpStatus: 429, upstreamStatus: 402 }],
      ["novel_error", "??", { code: "upstream_server", httpStatus: 502, upstreamStatus: 500 }],
    ];
    for (const [type, message, expected] of cases) {
      const events = decode(sse(start(), blockStart(0, { type: "text", text: "" }), { type: "error", error: { type, message } }));
      assertWellFormedStream(events);
      expect(events.at(-1)).toEqual({ type: "error", error: { message, ...expected } });
    }
  });

  it("malformed JSON becomes an error event, never a throw; nothing follows a terminal", () => {
    const decoder = anthropicMessagesCodec.createStreamDecoder();
    const events = [...decoder.push({ data: JSON.stringify(start()) }), ...decoder.push({ data: '{"type":"content_block_start",' })];
    expect(events.at(-1)).toEqual({ type: "error", error: { code: "upstream_server", message: "the stream carried a data line that is not a JSON object", httpStatus: 502 } });
    expect(decoder.push({ data: JSON.stringify(stopEvent) })).toEqual([]);
    expect(decoder.end()).toEqual([]);
    assertWellFormedStream(events);
  });

  it("end() without message_stop closes open blocks and reports the cut", () => {
    const events = decode(sse(start(), blockStart(0, { type: "text", text: "" }), blockDelta(0, { type: "text_delta", text: "par" })));
    assertWellFormedStream(events);
    expect(events.slice(-2)).toEqual([
      { type: "text-end", index: 0 },
      { type: "error", error: { code: "upstream_server", message: "the Anthropic stream ended before message_stop", httpStatus: 502 } },
    ]);
    const empty = decode([]);
    expect(empty).toEqual([{ type: "start" }, { type: "error", error: { code: "upstream_server", message: "the Anthropic stream ended before message_stop", httpStatus: 502 } }]);
  });

  it("end() after message_delta finishes: only the empty message_stop was lost", () => {
    const events = decode(sse(start(), blockStart(0, { type: "text", text: "" }), blockStop(0), messageDelta("end_turn", { output_tokens: 2 })));
    assertWellFormedStream(events);
    expect(events.at(-1)).toMatchObject({ type: "finish", finishReason: { unified: "stop", raw: "end_turn" } });
  });

  it("ignores ping, unknown events and deltas for blocks that are not open (with a warning)", () => {
    const decoder = anthropicMessagesCodec.createStreamDecoder();
    const events = sse(start(), { type: "ping" }, { type: "future_event", x: 1 }, blockDelta(5, { type: "text_delta", text: "x" }), messageDelta("end_turn", {}), stopEvent).flatMap(
      (message) => decoder.push(message),
    );
    assertWellFormedStream(events);
    expect(events.map((event) => event.type)).toEqual(["start", "usage", "usage", "finish"]);
    expect(decoder.warnings.map((warning) => warning.code)).toEqual(["stream-delta-ignored"]);
  });

  it("gives a reused block index (a spliced second message) a fresh unified index", () => {
    const events = decode(
      sse(
        start(),
        blockStart(0, { type: "text", text: "" }),
        blockDelta(0, { type: "text_delta", text: "one" }),
        blockStop(0),
        start(),
        blockStart(0, { type: "text", text: "" }),
        blockDelta(0, { type: "text_delta", text: "two" }),
        blockStop(0),
        messageDelta("end_turn", { output_tokens: 2 }),
        stopEvent,
      ),
    );
    assertWellFormedStream(events);
    expect(events.filter((event) => event.type === "text-delta")).toEqual([
      { type: "text-delta", index: 0, text: "one" },
      { type: "text-delta", index: 1, text: "two" },
    ]);
  });

  it("never throws on arbitrary input", () => {
    const pieces = [
      "",
      "null",
      "[]",
      "42",
      '"text"',
      "{}",
      '{"type":"message_start"}',
      '{"type":"message_start","message":null}',
      '{"type":"content_block_start","index":"0","content_block":{}}',
      '{"type":"content_block_start","index":0,"content_block":{"type":"tool_use"}}',
      '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":5}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":7}}',
      '{"type":"content_block_delta","index":0,"delta":null}',
      '{"type":"content_block_stop","index":0}',
      '{"type":"message_delta","delta":null,"usage":null}',
      '{"type":"message_delta","delta":{"stop_reason":3},"usage":{"output_tokens":"x"}}',
      '{"type":"error","error":null}',
      '{"type":"message_stop"}',
    ];
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let run = 0; run < 2000; run++) {
      const messages = Array.from({ length: 1 + Math.floor(random() * 8) }, () => ({ data: pieces[Math.floor(random() * pieces.length)] ?? "" }));
      const events = decode(messages);
      assertWellFormedStream(events);
    }
  });
});

describe("stream encoder", () => {
  const encoderFor = () => anthropicMessagesCodec.createStreamEncoder({ now: () => 1700000000000, request: { model: "claude-x", system: [], messages: [], generation: {}, stream: true } });

  it("writes the exact frames Claude Code and the SDK read", () => {
    const encoder = encoderFor();
    const text = [
      { type: "start", id: "msg_9", model: "claude-sonnet-4-5" },
      { type: "usage", usage: { inputTokens: 5, cacheReadTokens: 100, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0, totalTokens: 105 } },
      { type: "text-start", index: 0 },
      { type: "text-delta", index: 0, text: "Hi" },
      { type: "text-end", index: 0 },
      {
        type: "finish",
        finishReason: { unified: "stop", raw: "stop" },
        usage: { inputTokens: 5, cacheReadTokens: 100, cacheWriteTokens: 0, outputTokens: 2, reasoningTokens: 0, totalTokens: 107 },
      },
    ]
      .map((event) => encoder.push(event as StreamEvent))
      .join("");
    expect(text).toBe(
      [
        'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_9","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":100}}}\n\n',
        'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}\n\n',
        'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
        'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":5,"output_tokens":2,"cache_creation_input_tokens":0,"cache_read_input_tokens":100}}\n\n',
        'event: message_stop\ndata: {"type":"message_stop"}\n\n',
      ].join(""),
    );
    expect(encoder.push({ type: "text-start", index: 1 })).toBe("");
    expect(encoder.end()).toBe("");
  });

  it("serializes interleaved parallel tool calls into sequential blocks", () => {
    const encoder = encoderFor();
    const events: StreamEvent[] = [
      { type: "start" },
      { type: "tool-call-start", index: 3, id: "call_a", name: "f", kind: "function" },
      { type: "tool-call-start", index: 7, id: "call_b", name: "g", kind: "function", signature: "gsig" },
      { type: "tool-call-delta", index: 7, argumentsDelta: '{"y":' },
      { type: "tool-call-delta", index: 3, argumentsDelta: '{"x":1}' },
      { type: "tool-call-end", index: 3 },
      { type: "tool-call-delta", index: 7, argumentsDelta: "2}" },
      { type: "tool-call-end", index: 7 },
      { type: "finish", finishReason: { unified: "tool_calls", raw: "tool_calls" } },
    ];
    const frames = parseSseText(events.map((event) => encoder.push(event)).join("")).map((frame) => JSON.parse(frame.data) as Record<string, unknown>);
    expect(frames.slice(1, -2)).toEqual([
      { type: "content_block_start", index: 0, content_block: { type: "tool_use", id: "call_a", name: "f", input: {} } },
      { type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: '{"x":1}' } },
      { type: "content_block_stop", index: 0 },
      { type: "content_block_start", index: 1, content_block: { type: "tool_use", id: embedSignatureInToolCallId("call_b", "gsig"), name: "g", input: {} } },
      { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"y":' } },
      { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: "2}" } },
      { type: "content_block_stop", index: 1 },
    ]);
    expect(frames[0]).toEqual({
      type: "message_start",
      message: {
        id: "msg_1700000000000",
        type: "message",
        role: "assistant",
        model: "claude-x",
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
    });
    expect(frames.at(-2)).toMatchObject({ type: "message_delta", delta: { stop_reason: "tool_use", stop_sequence: null } });
  });

  it("streams thinking with its signature, redacted thinking, a freeform call, and closes what is open at finish", () => {
    const encoder = encoderFor();
    const events: StreamEvent[] = [
      { type: "start" },
      { type: "reasoning-start", index: 0 },
      { type: "reasoning-delta", index: 0, text: "a", summaryIndex: 0 },
      { type: "reasoning-delta", index: 0, text: "b", summaryIndex: 1 },
      { type: "reasoning-signature", index: 0, signature: "sig" },
      { type: "reasoning-end", index: 0, encryptedContent: "enc" },
      { type: "reasoning-start", index: 1, redactedData: "red" },
      { type: "reasoning-end", index: 1 },
      { type: "tool-call-start", index: 2, id: "ctc", name: "apply_patch", kind: "custom" },
      { type: "tool-call-delta", index: 2, argumentsDelta: 'line "1"\n' },
      { type: "native-item", index: 3, part: { type: "native", protocol: "gemini", value: {} } },
      { type: "finish", finishReason: { unified: "stop", raw: null } },
    ];
    const sseText = events.map((event) => encoder.push(event)).join("");
    const decoded = anthropicMessagesCodec.createStreamDecoder();
    const again = [...parseSseText(sseText).flatMap((message) => decoded.push(message)), ...decoded.end()];
    assertWellFormedStream(again);
    expect(again.filter((event) => event.type !== "usage" && event.type !== "start" && event.type !== "finish")).toEqual([
      { type: "reasoning-start", index: 0, origin: { protocol: "anthropic-messages" } },
      { type: "reasoning-delta", index: 0, text: "a" },
      { type: "reasoning-delta", index: 0, text: "\n\nb" },
      { type: "reasoning-signature", index: 0, signature: "sig" },
      { type: "reasoning-end", index: 0 },
      { type: "reasoning-start", index: 1, redactedData: "red", origin: { protocol: "anthropic-messages" } },
      { type: "reasoning-end", index: 1 },
      { type: "tool-call-start", index: 2, id: "ctc", name: "apply_patch", kind: "function" },
      { type: "tool-call-delta", index: 2, argumentsDelta: '{"input":"' },
      { type: "tool-call-delta", index: 2, argumentsDelta: 'line \\"1\\"\\n' },
      { type: "tool-call-delta", index: 2, argumentsDelta: '"}' },
      { type: "tool-call-end", index: 2 },
    ]);
    expect(encoder.warnings.map((warning) => warning.code)).toEqual(["reasoning-artefact-dropped", "native-part-dropped"]);
  });

  it("writes `event: error` for an error, and for an end without a terminal", () => {
    const encoder = encoderFor();
    const partial = encoder.push({ type: "start" }) + encoder.push({ type: "text-start", index: 0 }) + encoder.push({ type: "text-delta", index: 0, text: "x" });
    expect(partial).toContain("event: message_start");
    expect(encoder.push({ type: "error", error: { code: "rate_limited", message: "slow", httpStatus: 429 } })).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"rate_limit_error","message":"slow"}}\n\n',
    );
    expect(encoder.push({ type: "finish", finishReason: { unified: "stop", raw: null } })).toBe("");
    expect(encoder.end()).toBe("");

    const cut = encoderFor();
    cut.push({ type: "start" });
    expect(cut.end()).toBe('event: error\ndata: {"type":"error","error":{"type":"api_error","message":"the stream ended before the response was complete"}}\n\n');
  });
});
