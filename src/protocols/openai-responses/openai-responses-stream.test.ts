import { describe, expect, it } from "vitest";
import { parseSseText } from "../../streaming/index.js";
import { assertWellFormedStream, type StreamEvent, type UnifiedRequest } from "../../unified/index.js";
import { openAiResponsesCodec as codec } from "./index.js";

/** Edge cases of the Responses stream decoder and encoder, from the API reference (streaming events). */

function decode(payloads: unknown[], end = true): StreamEvent[] {
  const decoder = codec.createStreamDecoder();
  const events = payloads.flatMap((payload) => decoder.push({ data: typeof payload === "string" ? payload : JSON.stringify(payload) }));
  return end ? [...events, ...decoder.end()] : events;
}

const created = { type: "response.created", sequence_number: 0, response: { id: "resp_s", object: "response", created_at: 10, status: "in_progress", model: "gpt-5", output: [], usage: null } };
const usage = { input_tokens: 30, input_tokens_details: { cached_tokens: 10 }, output_tokens: 8, output_tokens_details: { reasoning_tokens: 3 }, total_tokens: 38 };
const completed = (output: unknown[], extra: Record<string, unknown> = {}) => ({
  type: "response.completed",
  response: { id: "resp_s", object: "response", created_at: 10, status: "completed", model: "gpt-5", output, usage, ...extra },
});

describe("stream decoder", () => {
  it("decodes text parts, refusals and annotations by JSON type alone", () => {
    const message = { id: "msg_a", type: "message", status: "in_progress", role: "assistant", content: [] };
    const annotation = { type: "url_citation", url: "https://u.example", title: "U", start_index: 0, end_index: 2 };
    const events = decode([
      created,
      { type: "response.output_item.added", output_index: 0, item: message },
      { type: "response.content_part.added", output_index: 0, item_id: "msg_a", content_index: 0, part: { type: "output_text", text: "", annotations: [] } },
      { type: "response.output_text.delta", output_index: 0, item_id: "msg_a", content_index: 0, delta: "Hi" },
      { type: "response.output_text.annotation.added", output_index: 0, item_id: "msg_a", content_index: 0, annotation_index: 0, annotation },
      { type: "response.output_text.done", output_index: 0, item_id: "msg_a", content_index: 0, text: "Hi" },
      { type: "response.content_part.done", output_index: 0, item_id: "msg_a", content_index: 0, part: { type: "output_text", text: "Hi", annotations: [annotation] } },
      { type: "response.content_part.added", output_index: 0, item_id: "msg_a", content_index: 1, part: { type: "refusal", refusal: "" } },
      { type: "response.refusal.delta", output_index: 0, item_id: "msg_a", content_index: 1, delta: "No." },
      { type: "response.content_part.done", output_index: 0, item_id: "msg_a", content_index: 1, part: { type: "refusal", refusal: "No." } },
      { type: "response.output_item.done", output_index: 0, item: { ...message, status: "completed" } },
      completed([]),
    ]);
    assertWellFormedStream(events);
    expect(events).toEqual([
      { type: "start", id: "resp_s", model: "gpt-5", created: 10, extensions: { "openai-responses": { usage: null } } },
      { type: "text-start", index: 0, extensions: { "openai-responses": { wireShape: { item: { id: "msg_a" } } } } },
      { type: "text-delta", index: 0, text: "Hi" },
      { type: "text-end", index: 0, citations: [{ kind: "url", url: "https://u.example", title: "U", startIndex: 0, endIndex: 2, raw: annotation, origin: "openai-responses" }] },
      { type: "text-start", index: 1, extensions: { "openai-responses": { wireShape: { refusal: true } } } },
      { type: "text-delta", index: 1, text: "No." },
      { type: "text-end", index: 1 },
      { type: "usage", usage: { inputTokens: 20, cacheReadTokens: 10, cacheWriteTokens: 0, outputTokens: 8, reasoningTokens: 3, totalTokens: 38, raw: usage } },
      {
        type: "finish",
        finishReason: { unified: "stop", raw: "completed" },
        usage: { inputTokens: 20, cacheReadTokens: 10, cacheWriteTokens: 0, outputTokens: 8, reasoningTokens: 3, totalTokens: 38, raw: usage },
      },
    ]);
  });

  it("streams custom tool input and splits an embedded signature off the call id", () => {
    const embedded = `call_c__ts__${Buffer.from("sig").toString("base64url")}`;
    const events = decode([
      created,
      { type: "response.output_item.added", output_index: 0, item: { type: "custom_tool_call", id: "ctc_1", call_id: embedded, name: "exec", namespace: "fns", input: "" } },
      { type: "response.custom_tool_call_input.delta", output_index: 0, item_id: "ctc_1", delta: "print(" },
      { type: "response.custom_tool_call_input.delta", output_index: 0, item_id: "ctc_1", delta: "1)" },
      { type: "response.custom_tool_call_input.done", output_index: 0, item_id: "ctc_1", input: "print(1)" },
      { type: "response.output_item.done", output_index: 0, item: { type: "custom_tool_call", id: "ctc_1", call_id: embedded, name: "exec", namespace: "fns", input: "print(1)" } },
      completed([]),
    ]);
    expect(events.slice(1, 5)).toEqual([
      { type: "tool-call-start", index: 0, id: "call_c", name: "fns__exec", kind: "custom", signature: "sig", extensions: { "openai-responses": { id: "ctc_1", wireShape: { namespace: "fns" } } } },
      { type: "tool-call-delta", index: 0, argumentsDelta: "print(" },
      { type: "tool-call-delta", index: 0, argumentsDelta: "1)" },
      { type: "tool-call-end", index: 0 },
    ]);
    expect(events.at(-1)).toMatchObject({ type: "finish", finishReason: { unified: "tool_calls" } });
  });

  it("takes content that arrives only in output_item.done or only in the terminal response", () => {
    const call = { type: "function_call", id: "fc_1", call_id: "call_1", name: "f", arguments: '{"a":1}', status: "completed" };
    const reasoning = { type: "reasoning", id: "rs_1", summary: [{ type: "summary_text", text: "S" }], encrypted_content: "enc" };
    const events = decode([
      created,
      { type: "response.output_item.done", output_index: 0, item: { type: "message", id: "m", role: "assistant", content: [{ type: "output_text", text: "T", annotations: [] }] } },
      completed([{ type: "message", id: "m", role: "assistant", content: [] }, reasoning, call]),
    ]);
    assertWellFormedStream(events);
    expect(events.slice(1, -2)).toEqual([
      { type: "text-start", index: 0, extensions: { "openai-responses": { wireShape: { item: { id: "m" } } } } },
      { type: "text-delta", index: 0, text: "T" },
      { type: "text-end", index: 0 },
      { type: "reasoning-start", index: 1, id: "rs_1", origin: { protocol: "openai-responses" } },
      { type: "reasoning-delta", index: 1, text: "S", summaryIndex: 0 },
      { type: "reasoning-end", index: 1, summary: ["S"], encryptedContent: "enc" },
      { type: "tool-call-start", index: 2, id: "call_1", name: "f", kind: "function", extensions: { "openai-responses": { id: "fc_1" } } },
      { type: "tool-call-delta", index: 2, argumentsDelta: '{"a":1}' },
      { type: "tool-call-end", index: 2 },
    ]);
  });

  it("keeps redacted data first seen on output_item.done (on reasoning-end, with its origin) and never gives it twice", () => {
    const late = { id: "rs_late", type: "reasoning", summary: [], encrypted_content: "swy1.anthropic-messages.redacted:b3Bx" };
    const early = { id: "rs_early", type: "reasoning", summary: [], encrypted_content: "swy1.anthropic-messages.redacted:ZWFy" };
    const own = { id: "rs_own", type: "reasoning", summary: [], encrypted_content: "gAAAfinal" };
    const events = decode([
      created,
      { type: "response.output_item.added", output_index: 0, item: { id: "rs_late", type: "reasoning", summary: [] } },
      { type: "response.output_item.done", output_index: 0, item: late },
      { type: "response.output_item.added", output_index: 1, item: early },
      { type: "response.output_item.done", output_index: 1, item: early },
      { type: "response.output_item.added", output_index: 2, item: { ...own, encrypted_content: "gAAAprovisional" } },
      { type: "response.output_item.done", output_index: 2, item: own },
      completed([late, early, own]),
    ]);
    assertWellFormedStream(events);
    expect(events.filter((event) => event.type.startsWith("reasoning-"))).toEqual([
      { type: "reasoning-start", index: 0, id: "rs_late", origin: { protocol: "openai-responses" } },
      { type: "reasoning-end", index: 0, summary: [], redactedData: "b3Bx", origin: { protocol: "anthropic-messages" } },
      { type: "reasoning-start", index: 1, id: "rs_early", origin: { protocol: "anthropic-messages" }, redactedData: "ZWFy" },
      { type: "reasoning-end", index: 1, summary: [] },
      { type: "reasoning-start", index: 2, id: "rs_own", origin: { protocol: "openai-responses" } },
      { type: "reasoning-end", index: 2, summary: [], encryptedContent: "gAAAfinal" },
    ]);
  });

  it("maps failures: Codex's in-band server_is_overloaded, flat and nested error events", () => {
    const failed = decode([created, { type: "response.failed", response: { id: "resp_s", status: "failed", error: { code: "server_is_overloaded", message: "busy" }, output: [] } }]);
    expect(failed.at(-1)).toEqual({ type: "error", error: { code: "overloaded", message: "busy", httpStatus: 503 } });
    const flat = decode([created, { type: "error", code: "rate_limit_exceeded", message: "slow", param: null, sequence_number: 1 }]);
    expect(flat.at(-1)).toEqual({ type: "error", error: { code: "rate_limited", message: "slow", httpStatus: 429 } });
    const nested = decode([created, { type: "error", error: { type: "insufficient_quota", code: "insufficient_quota", message: "pay" } }, { type: "response.failed", response: {} }]);
    expect(nested.filter((event) => event.type === "error")).toEqual([{ type: "error", error: { code: "quota_exhausted", message: "pay", httpStatus: 429 } }]);
  });

  it("finishes response.incomplete with the incomplete reason", () => {
    const events = decode([created, { type: "response.incomplete", response: { id: "resp_s", status: "incomplete", incomplete_details: { reason: "content_filter" }, output: [] } }]);
    expect(events.at(-1)).toEqual({ type: "finish", finishReason: { unified: "content_filter", raw: "content_filter" } });
  });

  it("turns malformed JSON into an error and ignores everything after a terminal event", () => {
    const decoder = codec.createStreamDecoder();
    expect(decoder.push({ data: JSON.stringify(created) })).toHaveLength(1);
    expect(decoder.push({ data: "{not json" })).toEqual([{ type: "error", error: { code: "upstream_server", message: "malformed JSON in a Responses stream event", httpStatus: 502 } }]);
    expect(decoder.push({ data: JSON.stringify(completed([])) })).toEqual([]);
    expect(decoder.end()).toEqual([]);
  });

  it("ends a stream cut before response.completed with upstream_server", () => {
    const events = decode([
      created,
      { type: "response.output_item.added", output_index: 0, item: { type: "function_call", id: "fc_1", call_id: "c", name: "f", arguments: "" } },
      { type: "response.function_call_arguments.delta", output_index: 0, item_id: "fc_1", delta: "{" },
    ]);
    assertWellFormedStream(events);
    expect(events.slice(1)).toEqual([
      { type: "tool-call-start", index: 0, id: "c", name: "f", kind: "function", extensions: { "openai-responses": { id: "fc_1" } } },
      { type: "tool-call-delta", index: 0, argumentsDelta: "{" },
      { type: "tool-call-end", index: 0 },
      { type: "error", error: { code: "upstream_server", message: "the Responses stream ended before response.completed", httpStatus: 502 } },
    ]);
  });

  it("never throws on odd payloads", () => {
    const odd = ["null", "[]", "42", '"text"', "[DONE]", "{}", '{"type":7}', '{"type":"response.output_item.added"}', '{"type":"response.output_item.done","item":[]}',
      '{"type":"response.output_text.delta","delta":5}', '{"type":"response.completed","response":"x"}', '{"error":{"message":"m"}}'];
    for (const data of odd) {
      const decoder = codec.createStreamDecoder();
      const events = [...decoder.push({ data: JSON.stringify(created) }), ...decoder.push({ data }), ...decoder.end()];
      assertWellFormedStream(events);
    }
  });
});

describe("stream encoder", () => {
  const request: UnifiedRequest = {
    model: "gpt-5",
    system: [],
    messages: [],
    tools: [{ type: "custom", name: "apply_patch" }],
    generation: {},
    stream: true,
  };

  function encode(events: StreamEvent[], withEnd = true): Array<{ event: string | undefined; data: Record<string, unknown> }> {
    const encoder = codec.createStreamEncoder({ request, now: () => 1_700_000_000_000 });
    const text = events.map((event) => encoder.push(event)).join("") + (withEnd ? encoder.end() : "");
    return parseSseText(text).map((message) => ({ event: message.event, data: JSON.parse(message.data) as Record<string, unknown> }));
  }

  it("emits the full sequence Codex and the SDK need for another protocol's stream", () => {
    const frames = encode([
      { type: "start", id: "msg_01", model: "claude-x", created: 99, extensions: { "anthropic-messages": { container: null } } },
      { type: "reasoning-start", index: 0, origin: { protocol: "anthropic-messages" } },
      { type: "reasoning-delta", index: 0, text: "think" },
      { type: "reasoning-signature", index: 0, signature: "c2ln" },
      { type: "reasoning-end", index: 0 },
      { type: "text-start", index: 1 },
      { type: "text-delta", index: 1, text: "Hel" },
      { type: "text-delta", index: 1, text: "lo" },
      { type: "text-end", index: 1 },
      { type: "tool-call-start", index: 2, id: "toolu_1", name: "apply_patch", kind: "function" },
      { type: "tool-call-delta", index: 2, argumentsDelta: '{"input":"*** Be' },
      { type: "tool-call-delta", index: 2, argumentsDelta: 'gin"}' },
      { type: "tool-call-end", index: 2 },
      { type: "usage", usage: { inputTokens: 1, cacheReadTokens: 2, cacheWriteTokens: 0, outputTokens: 3, reasoningTokens: 0, totalTokens: 6 } },
      { type: "finish", finishReason: { unified: "tool_calls", raw: "tool_use" } },
    ]);
    expect(frames.map((frame) => frame.event)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.reasoning_text.delta",
      "response.reasoning_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.custom_tool_call_input.delta",
      "response.custom_tool_call_input.done",
      "response.output_item.done",
      "response.completed",
    ]);
    frames.forEach((frame, index) => {
      expect(frame.data["type"]).toBe(frame.event);
      expect(frame.data["sequence_number"]).toBe(index);
    });
    expect(frames[7]?.data["item"]).toEqual({
      type: "reasoning",
      id: "rs_msg_01_0",
      summary: [],
      content: [{ type: "reasoning_text", text: "think" }],
      encrypted_content: "swy1.anthropic-messages.c2ln",
    });
    expect(frames[14]?.data["item"]).toEqual({
      type: "message",
      id: "msg_msg_01_1",
      status: "completed",
      role: "assistant",
      content: [{ type: "output_text", annotations: [], logprobs: [], text: "Hello" }],
    });
    expect(frames[16]?.data).toMatchObject({ item_id: "ctc_msg_01_2", output_index: 2, delta: "*** Begin" });
    expect(frames[18]?.data["item"]).toEqual({ type: "custom_tool_call", id: "ctc_msg_01_2", call_id: "toolu_1", name: "apply_patch", input: "*** Begin" });
    const response = frames[19]?.data["response"] as Record<string, unknown>;
    expect(response).toMatchObject({ id: "resp_msg_01", object: "response", created_at: 99, status: "completed", model: "claude-x", error: null, incomplete_details: null });
    expect(response["tools"]).toEqual([{ type: "custom", name: "apply_patch" }]);
    expect((response["output"] as unknown[]).length).toBe(3);
    expect(response["usage"]).toEqual({ input_tokens: 3, input_tokens_details: { cached_tokens: 2 }, output_tokens: 3, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 6 });
  });

  it("streams reasoning summaries part by part and embeds a Gemini call signature", () => {
    const frames = encode([
      { type: "start", id: "resp_2" },
      { type: "reasoning-start", index: 0, id: "rs_keep" },
      { type: "reasoning-delta", index: 0, text: "A", summaryIndex: 0 },
      { type: "reasoning-delta", index: 0, text: "B", summaryIndex: 1 },
      { type: "reasoning-end", index: 0, encryptedContent: "enc" },
      { type: "tool-call-start", index: 1, id: "call_1", name: "f", kind: "function", signature: "ts" },
      { type: "tool-call-delta", index: 1, argumentsDelta: "{}" },
      { type: "tool-call-end", index: 1 },
      { type: "finish", finishReason: { unified: "tool_calls", raw: null } },
    ]);
    expect(frames.slice(2, 11).map((frame) => [frame.event, frame.data["summary_index"]])).toEqual([
      ["response.output_item.added", undefined],
      ["response.reasoning_summary_part.added", 0],
      ["response.reasoning_summary_text.delta", 0],
      ["response.reasoning_summary_text.done", 0],
      ["response.reasoning_summary_part.done", 0],
      ["response.reasoning_summary_part.added", 1],
      ["response.reasoning_summary_text.delta", 1],
      ["response.reasoning_summary_text.done", 1],
      ["response.reasoning_summary_part.done", 1],
    ]);
    expect(frames[11]?.data["item"]).toEqual({ type: "reasoning", id: "rs_keep", summary: [{ type: "summary_text", text: "A" }, { type: "summary_text", text: "B" }], encrypted_content: "enc" });
    const call = frames.find((frame) => frame.event === "response.output_item.done" && (frame.data["item"] as Record<string, unknown>)["type"] === "function_call");
    expect((call?.data["item"] as Record<string, unknown>)["call_id"]).toBe(`call_1__ts__${Buffer.from("ts").toString("base64url")}`);
    expect(frames.find((frame) => frame.event === "response.function_call_arguments.done")?.data).toMatchObject({ name: "f", arguments: "{}" });
  });

  it("carries foreign artefacts with their declared origin and reads them back", () => {
    const encoder = codec.createStreamEncoder({ now: () => 0 });
    const events: StreamEvent[] = [
      { type: "start", id: "resp_5" },
      { type: "reasoning-start", index: 0, redactedData: "b3BhcXVl", origin: { protocol: "anthropic-messages" } },
      { type: "reasoning-end", index: 0 },
      { type: "reasoning-start", index: 1, origin: { protocol: "gemini" } },
      { type: "reasoning-delta", index: 1, text: "thought" },
      { type: "reasoning-signature", index: 1, signature: "Z3NpZw" },
      { type: "reasoning-end", index: 1 },
      { type: "finish", finishReason: { unified: "stop", raw: "STOP" } },
    ];
    const sse = events.map((event) => encoder.push(event)).join("") + encoder.end();
    const frames = parseSseText(sse).map((message) => JSON.parse(message.data) as Record<string, unknown>);
    expect(frames[2]).toMatchObject({ type: "response.output_item.added", item: { encrypted_content: "swy1.anthropic-messages.redacted:b3BhcXVl" } });
    const done = frames.filter((frame) => frame["type"] === "response.output_item.done").map((frame) => (frame["item"] as Record<string, unknown>)["encrypted_content"]);
    expect(done).toEqual(["swy1.anthropic-messages.redacted:b3BhcXVl", "swy1.gemini.Z3NpZw"]);
    const decoded = decode(parseSseText(sse).map((message) => JSON.parse(message.data) as unknown));
    expect(decoded.filter((event) => event.type === "reasoning-start" || event.type === "reasoning-signature")).toEqual([
      { type: "reasoning-start", index: 0, id: "rs_5_0", origin: { protocol: "anthropic-messages" }, redactedData: "b3BhcXVl" },
      // The added item had no encrypted_content: the block starts as Responses', and the signature read on
      // output_item.done carries its own origin.
      { type: "reasoning-start", index: 1, id: "rs_5_1", origin: { protocol: "openai-responses" } },
      { type: "reasoning-signature", index: 1, signature: "Z3NpZw", origin: { protocol: "gemini" } },
    ]);
  });

  it("guesses no origin: an artefact without one is Responses' own, and artefacts on reasoning-end are written", () => {
    const frames = encode([
      // The start names Anthropic, but only an origin on the reasoning events counts.
      { type: "start", id: "msg_g", extensions: { "anthropic-messages": { container: null } } },
      { type: "reasoning-start", index: 0 },
      { type: "reasoning-delta", index: 0, text: "t" },
      { type: "reasoning-signature", index: 0, signature: "c2ln" },
      { type: "reasoning-end", index: 0 },
      { type: "reasoning-start", index: 1, origin: { protocol: "openai-responses" } },
      { type: "reasoning-end", index: 1, redactedData: "b3Bx", origin: { protocol: "anthropic-messages" } },
      { type: "reasoning-start", index: 2, origin: { protocol: "openai-responses" } },
      { type: "reasoning-end", index: 2, encryptedContent: "gAAA" },
      { type: "finish", finishReason: { unified: "stop", raw: null } },
    ]);
    const items = (type: string) => frames.filter((frame) => frame.event === type).map((frame) => frame.data["item"]);
    expect(items("response.output_item.added")).toEqual([
      { id: "rs_msg_g_0", type: "reasoning", summary: [] },
      { id: "rs_msg_g_1", type: "reasoning", summary: [] },
      { id: "rs_msg_g_2", type: "reasoning", summary: [] },
    ]);
    expect(items("response.output_item.done")).toEqual([
      { type: "reasoning", id: "rs_msg_g_0", summary: [], content: [{ type: "reasoning_text", text: "t" }] },
      { type: "reasoning", id: "rs_msg_g_1", summary: [], encrypted_content: "swy1.anthropic-messages.redacted:b3Bx" },
      { type: "reasoning", id: "rs_msg_g_2", summary: [], encrypted_content: "gAAA" },
    ]);
    const codes = codec.createStreamEncoder({ request, now: () => 0 });
    for (const event of [{ type: "start" }, { type: "reasoning-start", index: 0 }, { type: "reasoning-signature", index: 0, signature: "c2ln" }, { type: "reasoning-end", index: 0 }] as StreamEvent[]) codes.push(event);
    expect(codes.warnings).toEqual([{ code: "reasoning-artefact-dropped", message: "reasoning signature without a foreign origin dropped", path: "output[0]" }]);
  });

  it("ends a length-limited stream with response.incomplete and an incomplete message", () => {
    const frames = encode([
      { type: "start", id: "resp_3" },
      { type: "text-start", index: 0 },
      { type: "text-delta", index: 0, text: "cut" },
      { type: "text-end", index: 0 },
      { type: "finish", finishReason: { unified: "length", raw: "max_tokens" } },
    ]);
    const last = frames.at(-1);
    expect(last?.event).toBe("response.incomplete");
    expect((last?.data["response"] as Record<string, unknown>)["incomplete_details"]).toEqual({ reason: "max_output_tokens" });
    expect(frames.at(-2)?.data["item"]).toMatchObject({ id: "msg_3_0", status: "incomplete" });
  });

  it("fails with response.failed carrying the partial output, and ignores what follows", () => {
    const encoder = codec.createStreamEncoder({ now: () => 0 });
    let text = encoder.push({ type: "text-start", index: 0 });
    text += encoder.push({ type: "text-delta", index: 0, text: "part" });
    text += encoder.push({ type: "error", error: { code: "overloaded", message: "busy", httpStatus: 503 } });
    expect(encoder.push({ type: "text-delta", index: 0, text: "more" })).toBe("");
    expect(encoder.end()).toBe("");
    const frames = parseSseText(text).map((message) => JSON.parse(message.data) as Record<string, unknown>);
    expect(frames[0]).toMatchObject({ type: "response.created", response: { id: "resp_0", status: "in_progress" } });
    const failed = frames.at(-1) as { type: string; response: Record<string, unknown> };
    expect(failed.type).toBe("response.failed");
    expect(failed.response["error"]).toEqual({ code: "server_is_overloaded", message: "busy" });
    expect(failed.response["output"]).toEqual([
      { type: "message", id: "msg_0_0", status: "incomplete", role: "assistant", content: [{ type: "output_text", annotations: [], logprobs: [], text: "part" }] },
    ]);
  });

  it("fails instead of closing silently when the stream ends without a terminal event", () => {
    const frames = encode([{ type: "start", id: "resp_4" }]);
    expect(frames.map((frame) => frame.event)).toEqual(["response.created", "response.in_progress", "response.failed"]);
    expect((frames[2]?.data["response"] as Record<string, unknown>)["error"]).toEqual({ code: "server_error", message: "the stream ended before the response completed" });
  });
});
