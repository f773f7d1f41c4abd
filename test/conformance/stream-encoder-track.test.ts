import { describe, expect, it } from "vitest";
import { protocolIds, type ProtocolCodec, type ProtocolId, type StreamEvent, type UnifiedRequest, type Usage } from "../../src/unified/index.js";
import { loadCodecs } from "../support/load-codecs.js";

/**
 * `track` is `push` without output: a passthrough stream's shadow encoder tracks every tapped event and encodes only
 * the ending it must synthesize. So an encoder that tracked a prefix of a stream must then encode exactly what one
 * that pushed the same prefix encodes (the in-stream error and terminal sequence, or the rest of the stream), for
 * every protocol and every cut; and tracking writes nothing.
 */
const { codecs, missing } = await loadCodecs();

function codecFor(protocol: ProtocolId): ProtocolCodec {
  const codec = codecs.get(protocol);
  if (codec === undefined) throw new Error(`codec ${protocol} is missing: ${missing.get(protocol) ?? ""}`);
  return codec;
}

const usage: Usage = { inputTokens: 12, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 7, reasoningTokens: 2, totalTokens: 19 };
const request: UnifiedRequest = {
  model: "client-model",
  system: [],
  messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
  generation: {},
  stream: true,
  includeUsage: true,
};

/** Reasoning, text, then two tool calls whose deltas interleave (Anthropic and Responses queue the second one). */
const stream: StreamEvent[] = [
  { type: "start", id: "resp_1", model: "upstream-model", created: 1_700_000_000 },
  { type: "usage", usage },
  { type: "reasoning-start", index: 0, origin: { protocol: "anthropic-messages" } },
  { type: "reasoning-delta", index: 0, text: "Thinking." },
  { type: "reasoning-signature", index: 0, signature: "EqQBsignature==" },
  { type: "reasoning-end", index: 0 },
  { type: "text-start", index: 1 },
  { type: "text-delta", index: 1, text: "Hello" },
  { type: "text-delta", index: 1, text: " there" },
  { type: "text-end", index: 1 },
  { type: "tool-call-start", index: 2, id: "call_a", name: "read", kind: "function" },
  { type: "tool-call-start", index: 3, id: "call_b", name: "write", kind: "function" },
  { type: "tool-call-delta", index: 2, argumentsDelta: '{"path":' },
  { type: "tool-call-delta", index: 3, argumentsDelta: '{"text":"x"}' },
  { type: "tool-call-delta", index: 2, argumentsDelta: '"a"}' },
  { type: "tool-call-end", index: 2 },
  { type: "tool-call-end", index: 3 },
  { type: "finish", finishReason: { unified: "tool_calls", raw: null }, usage },
];

const failure: StreamEvent = { type: "error", error: { code: "stream_stalled", message: "upstream: the stream sent nothing for 10 ms", httpStatus: 504 } };

describe.each(protocolIds)("%s stream encoder: track", (protocol) => {
  const encoder = () => codecFor(protocol).createStreamEncoder({ request, now: () => 1_700_000_000_000 });

  it("writes nothing and leaves the encoder where push would, at every cut", () => {
    for (let cut = 0; cut <= stream.length; cut += 1) {
      const pushed = encoder();
      const tracked = encoder();
      for (const event of stream.slice(0, cut)) {
        pushed.push(event);
        expect(tracked.track(event)).toBeUndefined();
      }
      // The ending a passthrough synthesizes after a failure, and the rest of the stream, come out the same.
      const failedPushed = encoder();
      const failedTracked = encoder();
      for (const event of stream.slice(0, cut)) {
        failedPushed.push(event);
        failedTracked.track(event);
      }
      expect(failedTracked.push(failure) + failedTracked.end(), `error after ${cut} events`).toBe(failedPushed.push(failure) + failedPushed.end());
      const rest = (target: ReturnType<typeof encoder>) => stream.slice(cut).map((event) => target.push(event)).join("") + target.end();
      expect(rest(tracked), `rest after ${cut} events`).toBe(rest(pushed));
    }
  });

  it("produces output for the ending it is asked to encode", () => {
    const tracked = encoder();
    for (const event of stream.slice(0, 8)) tracked.track(event);
    expect(tracked.push(failure) + tracked.end()).not.toBe("");
  });
});
