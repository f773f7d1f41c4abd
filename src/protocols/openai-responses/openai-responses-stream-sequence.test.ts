import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseSseText } from "../../streaming/index.js";
import type { StreamEvent, UnifiedRequest } from "../../unified/index.js";
import { openAiResponsesCodec as codec } from "./index.js";

/**
 * Output items follow each other, as OpenAI streams them, even when the upstream interleaves its blocks (a Chat
 * upstream's parallel tool calls): each item's events lie between its output_item.added and output_item.done, and
 * the next item is added only after that.
 */

const request: UnifiedRequest = { model: "gpt-5", system: [], messages: [], generation: {}, stream: true };

interface Frame {
  type: string;
  data: Record<string, unknown>;
}

function encode(events: StreamEvent[], withEnd = true): Frame[] {
  const encoder = codec.createStreamEncoder({ request, now: () => 1_700_000_000_000 });
  const sse = events.map((event) => encoder.push(event)).join("") + (withEnd ? encoder.end() : "");
  return parseSseText(sse).map((message) => {
    const data = JSON.parse(message.data) as Record<string, unknown>;
    return { type: String(data["type"]), data };
  });
}

/** `[type, output_index]` of every frame, for reading sequences at a glance. */
function outline(frames: Frame[]): Array<[string, unknown]> {
  return frames.map((frame) => [frame.type.replace(/^response\./, ""), frame.data["output_index"]]);
}

/** Whether every output item's frames are contiguous and items come in output_index order. */
function itemsAreSequential(frames: Frame[]): boolean {
  const order: number[] = [];
  for (const frame of frames) {
    const index = frame.data["output_index"];
    if (typeof index !== "number") continue;
    if (order.at(-1) !== index) order.push(index);
  }
  return order.every((index, position) => index === position);
}

function completedOf(frames: Frame[]): Record<string, unknown> {
  const terminal = frames.at(-1);
  if (terminal === undefined || !/^response\.(completed|incomplete|failed)$/.test(terminal.type)) throw new Error(`no terminal frame: ${terminal?.type}`);
  return terminal.data["response"] as Record<string, unknown>;
}

const call = (index: number, id: string): StreamEvent => ({ type: "tool-call-start", index, id, name: `f_${id}`, kind: "function" });
const args = (index: number, argumentsDelta: string): StreamEvent => ({ type: "tool-call-delta", index, argumentsDelta });

describe("sequential output items", () => {
  it("holds a parallel call that starts while another is open, and writes it whole once the first is done", () => {
    const frames = encode([
      { type: "start", id: "chatcmpl_1" },
      call(0, "a"),
      args(0, '{"city":'),
      call(1, "b"),
      args(1, '{"q":'),
      args(0, '"Paris"}'),
      args(1, '"x"}'),
      { type: "tool-call-end", index: 0 },
      { type: "tool-call-end", index: 1 },
      { type: "finish", finishReason: { unified: "tool_calls", raw: "tool_calls" } },
    ]);
    expect(outline(frames)).toEqual([
      ["created", undefined],
      ["in_progress", undefined],
      ["output_item.added", 0],
      ["function_call_arguments.delta", 0],
      ["function_call_arguments.delta", 0],
      ["function_call_arguments.done", 0],
      ["output_item.done", 0],
      ["output_item.added", 1],
      // What was held goes out as one delta.
      ["function_call_arguments.delta", 1],
      ["function_call_arguments.done", 1],
      ["output_item.done", 1],
      ["completed", undefined],
    ]);
    expect(frames.map((frame) => frame.data["sequence_number"])).toEqual(frames.map((_frame, index) => index));
    expect(frames[8]?.data).toMatchObject({ item_id: "fc_chatcmpl_1_1", delta: '{"q":"x"}' });
    expect(completedOf(frames)["output"]).toEqual([
      { type: "function_call", id: "fc_chatcmpl_1_0", call_id: "a", name: "f_a", arguments: '{"city":"Paris"}', status: "completed" },
      { type: "function_call", id: "fc_chatcmpl_1_1", call_id: "b", name: "f_b", arguments: '{"q":"x"}', status: "completed" },
    ]);
  });

  it("holds text that opens during a call, keeping its message after the call", () => {
    const frames = encode([
      { type: "start", id: "r" },
      call(0, "a"),
      { type: "text-start", index: 1 },
      { type: "text-delta", index: 1, text: "Hel" },
      args(0, "{}"),
      { type: "text-delta", index: 1, text: "lo" },
      { type: "text-end", index: 1 },
      { type: "tool-call-end", index: 0 },
      { type: "finish", finishReason: { unified: "tool_calls", raw: null } },
    ]);
    expect(itemsAreSequential(frames)).toBe(true);
    expect(frames.filter((frame) => frame.type === "response.output_text.delta").map((frame) => frame.data["delta"])).toEqual(["Hello"]);
    expect((completedOf(frames)["output"] as Array<Record<string, unknown>>).map((item) => item["type"])).toEqual(["function_call", "message"]);
  });

  it("ends the open item and writes the held ones, in order, before response.failed, on an error or a cut stream", () => {
    const opened: StreamEvent[] = [{ type: "start", id: "r" }, call(0, "a"), args(0, "{"), call(1, "b"), args(1, "{}")];
    const onError = encode([...opened, { type: "error", error: { code: "upstream_server", message: "reset", httpStatus: 502 } }]);
    const cut = encode(opened);
    for (const frames of [onError, cut]) {
      expect(outline(frames).slice(2)).toEqual([
        ["output_item.added", 0],
        ["function_call_arguments.delta", 0],
        ["function_call_arguments.done", 0],
        ["output_item.done", 0],
        ["output_item.added", 1],
        ["function_call_arguments.delta", 1],
        ["function_call_arguments.done", 1],
        ["output_item.done", 1],
        ["failed", undefined],
      ]);
      expect((completedOf(frames)["output"] as Array<Record<string, unknown>>).map((item) => item["arguments"])).toEqual(["{", "{}"]);
    }
  });

  it("writes a held Responses native item after the open one", () => {
    const native = { type: "web_search_call", id: "ws_1", status: "completed", action: { type: "search", query: "q" } };
    const frames = encode([
      { type: "start", id: "r" },
      call(0, "a"),
      { type: "native-item", index: 1, part: { type: "native", protocol: "openai-responses", value: native } },
      { type: "tool-call-end", index: 0 },
      { type: "finish", finishReason: { unified: "tool_calls", raw: null } },
    ]);
    expect(outline(frames).slice(2, -1)).toEqual([
      ["output_item.added", 0],
      ["function_call_arguments.done", 0],
      ["output_item.done", 0],
      ["output_item.added", 1],
      ["output_item.done", 1],
    ]);
    expect(frames[6]?.data["item"]).toEqual(native);
  });
});

type BlockKind = "text" | "reasoning" | "tool";

/** One block's events, start to end. */
function blockEvents(kind: BlockKind, index: number, deltas: readonly string[]): StreamEvent[] {
  switch (kind) {
    case "text":
      return [{ type: "text-start", index }, ...deltas.map((text): StreamEvent => ({ type: "text-delta", index, text })), { type: "text-end", index }];
    case "reasoning":
      return [
        { type: "reasoning-start", index, origin: { protocol: "openai-chat" } },
        ...deltas.map((text): StreamEvent => ({ type: "reasoning-delta", index, text })),
        { type: "reasoning-end", index },
      ];
    case "tool":
      return [call(index, `c${index}`), ...deltas.map((delta) => args(index, delta)), { type: "tool-call-end", index }];
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}

const blockArbitrary = fc.record({
  kind: fc.constantFrom<BlockKind>("text", "reasoning", "tool"),
  deltas: fc.array(fc.string({ minLength: 1, maxLength: 4 }), { maxLength: 4 }),
});

describe("sequential output items (property)", () => {
  it("an interleaved stream gives the same response as its blocks one after another, with every item's events together", () => {
    fc.assert(
      fc.property(fc.array(blockArbitrary, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 64 }), (blocks, picks) => {
        const lanes = blocks.map((block, index) => blockEvents(block.kind, index, block.deltas));
        // A random interleaving that keeps each block's own order; blocks are numbered in the order they start.
        const interleaved: StreamEvent[] = [];
        const cursors = lanes.map(() => 0);
        let started = 0;
        let pick = 0;
        while (interleaved.length < lanes.flat().length) {
          const open = lanes.map((_lane, index) => index).filter((index) => index <= started && (cursors[index] ?? 0) < (lanes[index]?.length ?? 0));
          const lane = open[(picks[pick++] ?? 0) % open.length] as number;
          if (lane === started) started++;
          interleaved.push(lanes[lane]?.[cursors[lane] ?? 0] as StreamEvent);
          cursors[lane] = (cursors[lane] ?? 0) + 1;
        }
        const finish: StreamEvent = { type: "finish", finishReason: { unified: "stop", raw: null } };
        const head: StreamEvent = { type: "start", id: "p" };
        const frames = encode([head, ...interleaved, finish]);
        const reference = encode([head, ...lanes.flat(), finish]);

        expect(itemsAreSequential(frames)).toBe(true);
        expect(frames.map((frame) => frame.data["sequence_number"])).toEqual(frames.map((_frame, index) => index));
        expect(completedOf(frames)["output"]).toEqual(completedOf(reference)["output"]);
        // The same events as the sequential stream, up to how many deltas a held block's text came in.
        const collapse = (list: Frame[]): string[] =>
          list.map((frame) => `${frame.type}@${String(frame.data["output_index"])}`).filter((key, at, keys) => !(key.includes(".delta@") && keys[at - 1] === key));
        expect(collapse(frames)).toEqual(collapse(reference));
      }),
      { numRuns: 200 },
    );
  });
});
