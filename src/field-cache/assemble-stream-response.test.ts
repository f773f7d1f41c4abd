import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../unified/index.js";
import { createStreamResponseAssembler } from "./index.js";

const events: StreamEvent[] = [
  { type: "start", id: "msg_1", model: "m" },
  { type: "reasoning-start", index: 0, origin: { protocol: "anthropic-messages" } },
  { type: "reasoning-delta", index: 0, text: "think " },
  { type: "reasoning-delta", index: 0, text: "more" },
  { type: "reasoning-signature", index: 0, signature: "sig" },
  { type: "reasoning-end", index: 0 },
  { type: "tool-call-start", index: 1, id: "toolu_1", name: "f", kind: "function" },
  { type: "tool-call-delta", index: 1, argumentsDelta: '{"a":' },
  { type: "tool-call-delta", index: 1, argumentsDelta: "1}" },
  { type: "tool-call-end", index: 1 },
];

describe("createStreamResponseAssembler", () => {
  it("rebuilds the answer the deltas describe, parts in block order, once the stream finished", () => {
    const assembler = createStreamResponseAssembler();
    for (const event of events) assembler.push(event);
    expect(assembler.finished).toBe(false);
    assembler.push({ type: "finish", finishReason: { unified: "tool_calls", raw: "tool_use" } });
    expect(assembler.response()).toEqual({
      id: "msg_1",
      model: "m",
      output: [
        { type: "reasoning", text: "think more", signature: "sig", origin: { protocol: "anthropic-messages" } },
        { type: "tool-call", id: "toolu_1", name: "f", arguments: '{"a":1}', kind: "function" },
      ],
      finishReason: { unified: "tool_calls", raw: "tool_use" },
    });
  });

  it("never completes a stream that ended in an error", () => {
    const assembler = createStreamResponseAssembler();
    for (const event of events) assembler.push(event);
    assembler.push({ type: "error", error: { code: "upstream_server", message: "connection lost", httpStatus: 502 } });
    expect(assembler.finished).toBe(false);
    expect(assembler.response()).toBeUndefined();
  });
});
