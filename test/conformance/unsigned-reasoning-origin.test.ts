import { describe, expect, it } from "vitest";
import { parseSseText } from "../../src/streaming/index.js";
import { assertWellFormedStream, type ProtocolCodec, type ProtocolId, type SseMessage, type UnifiedRequest } from "../../src/unified/index.js";
import { loadCodecs } from "../support/load-codecs.js";
import { clientTurnFromBody, clientTurnFromStream, type ClientTurn } from "../support/reassemble-client-turn.js";
import { decodeStreamMessages, encodeStreamEvents, fixedClock } from "../support/run-codec-stream.js";

/**
 * The claude-code-router #1378 class of bug, for every client protocol: a Chat upstream (DeepSeek, Kimi) answers a
 * tool turn with `reasoning_content` and no signature; the client of protocol C gets it, keeps the turn as its SDK
 * does, and sends it back with the tool result. The Chat upstream must get its reasoning_content back on that turn
 * (it rejects the turn otherwise), while an Anthropic upstream must never get it as an unsigned thinking block. The
 * origin survives the client as a bare origin tag (`swy1.openai-chat.`) wherever C has a signature slot
 * (reasoning-signature.ts); a Chat client needs none.
 */
const { codecs, missing } = await loadCodecs();

function codecFor(protocol: ProtocolId): ProtocolCodec {
  const codec = codecs.get(protocol);
  if (codec === undefined) throw new Error(`codec ${protocol} is missing: ${missing.get(protocol) ?? ""}`);
  return codec;
}

const reasoning = "I should read the note.";
const callArguments = '{"file_path":"/work/note.txt"}';
const clients = ["anthropic-messages", "gemini", "openai-responses", "openai-chat"] as const;

/** The Chat upstream's non-streamed answer: reasoning_content, then a tool call. */
const upstreamBody = {
  id: "chatcmpl-ds",
  object: "chat.completion",
  created: 1_750_000_000,
  model: "deepseek-reasoner",
  choices: [
    {
      index: 0,
      message: {
        role: "assistant",
        content: null,
        reasoning_content: reasoning,
        tool_calls: [{ id: "call_read", type: "function", function: { name: "Read", arguments: callArguments } }],
      },
      finish_reason: "tool_calls",
    },
  ],
  usage: { prompt_tokens: 12, completion_tokens: 20, total_tokens: 32, completion_tokens_details: { reasoning_tokens: 6 } },
};

/** The same answer streamed, DeepSeek style. */
const upstreamStream: SseMessage[] = [
  ...[
    { delta: { role: "assistant", content: null, reasoning_content: "I should " }, finish_reason: null },
    { delta: { reasoning_content: "read the note." }, finish_reason: null },
    { delta: { tool_calls: [{ index: 0, id: "call_read", type: "function", function: { name: "Read", arguments: "" } }] }, finish_reason: null },
    { delta: { tool_calls: [{ index: 0, function: { arguments: callArguments } }] }, finish_reason: null },
    { delta: {}, finish_reason: "tool_calls" },
  ].map((choice) => ({ data: JSON.stringify({ id: "chatcmpl-ds", object: "chat.completion.chunk", created: 1_750_000_000, model: "deepseek-reasoner", choices: [{ index: 0, ...choice }] }) })),
  { data: "[DONE]" },
];

/** The client's first request, as its decoder gave it (the encoders read its model and tools). */
function firstRequest(client: ProtocolId): UnifiedRequest {
  return {
    model: client === "anthropic-messages" ? "claude-opus-4-8" : "client-model",
    system: [],
    messages: [{ role: "user", content: [{ type: "text", text: "What does note.txt say?" }] }],
    generation: {},
    stream: false,
    sourceProtocol: client,
  };
}

/** The client's second request: the kept assistant turn and the tool result, in the client's wire form. */
function secondRequestBody(client: ProtocolId, { turn, toolCallId }: ClientTurn): Record<string, unknown> {
  const id = toolCallId ?? "";
  switch (client) {
    case "anthropic-messages":
      return {
        model: "claude-opus-4-8",
        max_tokens: 1000,
        messages: [{ role: "user", content: "What does note.txt say?" }, turn, { role: "user", content: [{ type: "tool_result", tool_use_id: id, content: "pineapple" }] }],
      };
    case "gemini":
      return {
        contents: [
          { role: "user", parts: [{ text: "What does note.txt say?" }] },
          turn,
          { role: "user", parts: [{ functionResponse: { id, name: "Read", response: { output: "pineapple" } } }] },
        ],
      };
    case "openai-responses":
      return { model: "client-model", input: [{ role: "user", content: "What does note.txt say?" }, ...(turn as unknown[]), { type: "function_call_output", call_id: id, output: "pineapple" }] };
    case "openai-chat":
      return { model: "client-model", messages: [{ role: "user", content: "What does note.txt say?" }, turn, { role: "tool", tool_call_id: id, content: "pineapple" }] };
    default: {
      const unreachable: never = client;
      throw new Error(`unknown protocol ${String(unreachable)}`);
    }
  }
}

/** What the client's second turn becomes at a Chat upstream and at an Anthropic upstream. */
function replay(client: ProtocolId, kept: ClientTurn) {
  const request = codecFor(client).decodeRequest(secondRequestBody(client, kept)).value;
  const chat = codecFor("openai-chat").encodeRequest({ ...request, model: "deepseek-reasoner", stream: false });
  const anthropic = codecFor("anthropic-messages").encodeRequest({ ...request, model: "claude-sonnet-4-5", stream: false, generation: { maxOutputTokens: 1000 } });
  const chatAssistant = (chat.value["messages"] as Array<Record<string, unknown>>).find((message) => message["role"] === "assistant");
  const anthropicAssistant = (anthropic.value["messages"] as Array<Record<string, unknown>>).find((message) => message["role"] === "assistant");
  return { chat, chatAssistant, anthropic, anthropicAssistant };
}

function expectReplayed(client: ProtocolId, kept: ClientTurn): void {
  expect(kept.toolCallId).toBe("call_read");
  const { chat, chatAssistant, anthropic, anthropicAssistant } = replay(client, kept);
  expect(chatAssistant?.["reasoning_content"]).toBe(reasoning);
  expect(chatAssistant?.["tool_calls"]).toEqual([{ id: "call_read", type: "function", function: { name: "Read", arguments: callArguments } }]);
  expect(chat.warnings.map((warning) => warning.code)).not.toContain("reasoning-artefact-dropped");
  // Anthropic never gets unsigned thinking: the block is dropped, with a warning.
  expect(anthropicAssistant?.["content"]).toEqual([{ type: "tool_use", id: "call_read", name: "Read", input: { file_path: "/work/note.txt" } }]);
  expect(anthropic.warnings.map((warning) => warning.code)).toContain("reasoning-artefact-dropped");
}

describe("unsigned Chat reasoning survives every client and goes back to Chat only", () => {
  for (const client of clients) {
    it(`non-streamed, through the ${client} client`, () => {
      const decoded = codecFor("openai-chat").decodeResponse(structuredClone(upstreamBody)).value;
      const body = codecFor(client).encodeResponse(decoded, { request: firstRequest(client), now: fixedClock }).value;
      const kept = clientTurnFromBody(client, body);
      // Where the client has a signature slot, it carries the bare origin tag; Chat clients have reasoning_content.
      expect(JSON.stringify(kept.turn).includes('"swy1.openai-chat."')).toBe(client !== "openai-chat");
      expectReplayed(client, kept);
    });

    it(`streamed, through the ${client} client`, () => {
      const upstream = decodeStreamMessages(codecFor("openai-chat"), upstreamStream);
      assertWellFormedStream(upstream.events);
      const encoded = encodeStreamEvents(codecFor(client), upstream.events, { request: { ...firstRequest(client), stream: true }, now: fixedClock });
      expect(encoded.warnings).toEqual([]);
      const kept = clientTurnFromStream(client, parseSseText(encoded.text));
      expect(JSON.stringify(kept.turn).includes('"swy1.openai-chat."')).toBe(client !== "openai-chat");
      expectReplayed(client, kept);
    });
  }

  it("an Anthropic client is told the model it asked for, so that Claude Code keeps the tagged thinking block", () => {
    const decoded = codecFor("openai-chat").decodeResponse(structuredClone(upstreamBody)).value;
    expect(codecFor("anthropic-messages").encodeResponse(decoded, { request: firstRequest("anthropic-messages") }).value["model"]).toBe("claude-opus-4-8");
    const upstream = decodeStreamMessages(codecFor("openai-chat"), upstreamStream).events;
    const encoded = encodeStreamEvents(codecFor("anthropic-messages"), upstream, { request: firstRequest("anthropic-messages"), now: fixedClock });
    const messageStart = JSON.parse(parseSseText(encoded.text)[0]?.data ?? "{}") as { message?: { model?: string } };
    expect(messageStart.message?.model).toBe("claude-opus-4-8");
  });
});
