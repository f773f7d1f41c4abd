import { describe, expect, it } from "vitest";
import { parseSseText } from "../../src/streaming/index.js";
import { assertWellFormedStream, type ProtocolCodec, type ProtocolId, type SseMessage, type UnifiedRequest } from "../../src/unified/index.js";
import { loadCodecs } from "../support/load-codecs.js";
import { clientTurnFromBody, clientTurnFromStream, type ClientTurn } from "../support/reassemble-client-turn.js";
import { decodeStreamMessages, encodeStreamEvents, fixedClock } from "../support/run-codec-stream.js";

/**
 * A full tool turn with a stateless Responses upstream (store: false, include reasoning.encrypted_content), for every
 * client protocol: the upstream answers with a reasoning item (summary, encrypted_content, id `rs_…`) and a function
 * call; the client of protocol C keeps the turn as its SDK does and sends it back with the tool result. The Responses
 * upstream must get its reasoning item back as it accepts one: the same id and encrypted_content, the visible text as
 * a summary and no `content`, and no empty message item (Gemini clients echo the empty text part a stream ends with).
 * C's without a slot for the payload or the id carry them in the origin tag (reasoning-signature.ts).
 */
const { codecs, missing } = await loadCodecs();

function codecFor(protocol: ProtocolId): ProtocolCodec {
  const codec = codecs.get(protocol);
  if (codec === undefined) throw new Error(`codec ${protocol} is missing: ${missing.get(protocol) ?? ""}`);
  return codec;
}

const summary = "I need the note.";
const encrypted = "gAAAAABoTurnEncryptedContent==";
const callArguments = '{"file_path":"/work/note.txt"}';
const prompt = "What does note.txt say?";
const clients = ["anthropic-messages", "gemini", "openai-chat", "openai-responses"] as const;

const reasoningItem = { id: "rs_turn", type: "reasoning", summary: [{ type: "summary_text", text: summary }], encrypted_content: encrypted };
const callItem = { id: "fc_turn", type: "function_call", status: "completed", call_id: "call_read", name: "Read", arguments: callArguments };
const usage = { input_tokens: 12, input_tokens_details: { cached_tokens: 0 }, output_tokens: 20, output_tokens_details: { reasoning_tokens: 6 }, total_tokens: 32 };

/** The upstream's non-streamed answer. */
const upstreamBody = { id: "resp_turn", object: "response", created_at: 1_750_000_000, status: "completed", model: "gpt-5", output: [reasoningItem, callItem], usage };

/** The same answer streamed. */
const upstreamStream: SseMessage[] = [
  { type: "response.created", response: { ...upstreamBody, status: "in_progress", output: [], usage: null } },
  { type: "response.output_item.added", output_index: 0, item: { id: "rs_turn", type: "reasoning", summary: [] } },
  { type: "response.reasoning_summary_part.added", output_index: 0, item_id: "rs_turn", summary_index: 0, part: { type: "summary_text", text: "" } },
  { type: "response.reasoning_summary_text.delta", output_index: 0, item_id: "rs_turn", summary_index: 0, delta: summary },
  { type: "response.reasoning_summary_text.done", output_index: 0, item_id: "rs_turn", summary_index: 0, text: summary },
  { type: "response.reasoning_summary_part.done", output_index: 0, item_id: "rs_turn", summary_index: 0, part: { type: "summary_text", text: summary } },
  { type: "response.output_item.done", output_index: 0, item: reasoningItem },
  { type: "response.output_item.added", output_index: 1, item: { ...callItem, status: "in_progress", arguments: "" } },
  { type: "response.function_call_arguments.delta", output_index: 1, item_id: "fc_turn", delta: callArguments },
  { type: "response.function_call_arguments.done", output_index: 1, item_id: "fc_turn", arguments: callArguments },
  { type: "response.output_item.done", output_index: 1, item: callItem },
  { type: "response.completed", response: upstreamBody },
].map((data, index) => ({ event: data.type, data: JSON.stringify({ ...data, sequence_number: index }) }));

function firstRequest(client: ProtocolId, stream: boolean): UnifiedRequest {
  return { model: "client-model", system: [], messages: [{ role: "user", content: [{ type: "text", text: prompt }] }], generation: {}, stream, sourceProtocol: client };
}

/** The client's second request: the kept assistant turn and the tool result, in the client's wire form. */
function secondRequestBody(client: ProtocolId, { turn, toolCallId }: ClientTurn): Record<string, unknown> {
  const id = toolCallId ?? "";
  switch (client) {
    case "anthropic-messages":
      return { model: "claude-opus-4-8", max_tokens: 1000, messages: [{ role: "user", content: prompt }, turn, { role: "user", content: [{ type: "tool_result", tool_use_id: id, content: "pineapple" }] }] };
    case "gemini":
      return { contents: [{ role: "user", parts: [{ text: prompt }] }, turn, { role: "user", parts: [{ functionResponse: { id, name: "Read", response: { output: "pineapple" } } }] }] };
    case "openai-responses":
      return { model: "client-model", input: [{ role: "user", content: prompt }, ...(turn as unknown[]), { type: "function_call_output", call_id: id, output: "pineapple" }] };
    case "openai-chat":
      return { model: "client-model", messages: [{ role: "user", content: prompt }, turn, { role: "tool", tool_call_id: id, content: "pineapple" }] };
    default: {
      const unreachable: never = client;
      throw new Error(`unknown protocol ${String(unreachable)}`);
    }
  }
}

/**
 * The second turn as the Responses upstream receives it. `summaryApart`: the client keeps the visible summary apart
 * from the payload (streamed Gemini thoughts, streamed Chat reasoning_content), so the item goes back without it:
 * OpenAI needs the id and encrypted_content, the summary is for display only.
 */
function expectReplayedToResponses(client: ProtocolId, kept: ClientTurn, summaryApart = false): void {
  expect(kept.toolCallId).toBe("call_read");
  const request = codecFor(client).decodeRequest(secondRequestBody(client, kept)).value;
  const { value, warnings } = codecFor("openai-responses").encodeRequest({ ...request, model: "gpt-5", stream: false });
  const input = value["input"] as Array<Record<string, unknown>>;
  expect(input.map((item) => item["type"] ?? "message")).toEqual(["message", "reasoning", "function_call", "function_call_output"]);
  const reasoning = input[1];
  // A Responses client replays the item it got; others give back exactly what OpenAI accepts.
  if (client === "openai-responses") expect(reasoning).toMatchObject(reasoningItem);
  else expect(reasoning).toEqual(summaryApart ? { ...reasoningItem, summary: [] } : reasoningItem);
  expect(input[2]).toMatchObject({ call_id: "call_read", name: "Read", arguments: callArguments });
  expect(input[3]).toMatchObject({ call_id: "call_read", output: "pineapple" });
  expect(warnings.map((warning) => warning.code)).not.toContain("reasoning-artefact-dropped");
}

describe("Responses encrypted reasoning survives every client and goes back to the Responses upstream", () => {
  for (const client of clients) {
    it(`non-streamed, through the ${client} client`, () => {
      const decoded = codecFor("openai-responses").decodeResponse(structuredClone(upstreamBody)).value;
      const { value, warnings } = codecFor(client).encodeResponse(decoded, { request: firstRequest(client, false), now: fixedClock });
      expect(warnings.map((warning) => warning.code)).not.toContain("reasoning-artefact-dropped");
      const kept = clientTurnFromBody(client, value);
      expect(JSON.stringify(kept.turn)).toContain(encrypted);
      expectReplayedToResponses(client, kept);
    });

    it(`streamed, through the ${client} client`, () => {
      const upstream = decodeStreamMessages(codecFor("openai-responses"), upstreamStream);
      assertWellFormedStream(upstream.events);
      const encoded = encodeStreamEvents(codecFor(client), upstream.events, { request: firstRequest(client, true), now: fixedClock });
      expect(encoded.warnings).toEqual([]);
      // A Gemini application pushes every streamed part back, the closing empty text part included.
      const kept = clientTurnFromStream(client, parseSseText(encoded.text), { keepEmptyText: true });
      expect(JSON.stringify(kept.turn)).toContain(encrypted);
      expectReplayedToResponses(client, kept, client === "gemini" || client === "openai-chat");
    });
  }

  it("an Anthropic client sees the payload as the thinking signature, tagged with its kind and the item id", () => {
    const decoded = codecFor("openai-responses").decodeResponse(structuredClone(upstreamBody)).value;
    const { value } = codecFor("anthropic-messages").encodeResponse(decoded, { request: firstRequest("anthropic-messages", false), now: fixedClock });
    expect((value["content"] as unknown[])[0]).toEqual({ type: "thinking", thinking: summary, signature: `swy1.openai-responses.encrypted@rs_turn:${encrypted}` });
  });
});
