import { describe, expect, it } from "vitest";
import {
  assertWellFormedStream,
  type ProtocolId,
  type ReasoningPart,
  type SseMessage,
  type StreamEvent,
  type UnifiedRequest,
  type UnifiedResponse,
} from "../../unified/index.js";
import { openAiChatCodec } from "./index.js";

/**
 * Chat reasoning and its origin: reasoning_content of Chat origin goes back to a Chat upstream whatever protocol the
 * client spoke (DeepSeek / Kimi reject tool turns without it), bare origin tags are read as origins without
 * artefacts, and `reasoning_details` encode and decode symmetrically per artefact kind and origin.
 */

const now = (): number => 1_750_000_000_000;

function responseWith(output: UnifiedResponse["output"]): UnifiedResponse {
  return { id: "resp-1", model: "upstream-model", output, finishReason: { unified: "stop", raw: "stop" } };
}

/** The assistant message a Chat client gets, as it would send it back in its next request. */
function clientMessage(response: UnifiedResponse): Record<string, unknown> {
  const body = openAiChatCodec.encodeResponse(response, { now }).value;
  return ((body["choices"] as Array<Record<string, unknown>>)[0] as Record<string, unknown>)["message"] as Record<string, unknown>;
}

function reasoningFacts(part: unknown): Pick<ReasoningPart, "text" | "signature" | "redactedData" | "encryptedContent" | "origin"> {
  const { text, signature, redactedData, encryptedContent, origin } = part as ReasoningPart;
  return { text, ...(signature === undefined ? {} : { signature }), ...(redactedData === undefined ? {} : { redactedData }), ...(encryptedContent === undefined ? {} : { encryptedContent }), ...(origin === undefined ? {} : { origin }) };
}

describe("encodeRequest: reasoning of Chat origin from any client", () => {
  const request = (origin: ProtocolId | undefined): UnifiedRequest => ({
    model: "deepseek-reasoner",
    system: [],
    messages: [
      { role: "user", content: [{ type: "text", text: "Read it" }] },
      {
        role: "assistant",
        content: [
          { type: "reasoning", text: "I should read the note.", ...(origin === undefined ? {} : { origin: { protocol: origin } }) },
          { type: "tool-call", id: "call_1", name: "Read", arguments: "{}", kind: "function" },
        ],
      },
    ],
    generation: {},
    stream: false,
    sourceProtocol: "anthropic-messages",
  });

  it("sends reasoning_content back when the reasoning is Chat's, even from an Anthropic client", () => {
    const result = openAiChatCodec.encodeRequest(request("openai-chat"));
    expect((result.value["messages"] as unknown[])[1]).toEqual({
      role: "assistant",
      content: null,
      reasoning_content: "I should read the note.",
      tool_calls: [{ id: "call_1", type: "function", function: { name: "Read", arguments: "{}" } }],
    });
    expect(result.warnings).toEqual([]);
  });

  it("drops it when its origin is unknown (then the client's protocol) or another protocol", () => {
    for (const origin of [undefined, "gemini"] as const) {
      const result = openAiChatCodec.encodeRequest(request(origin));
      expect((result.value["messages"] as Array<Record<string, unknown>>)[1]?.["reasoning_content"]).toBeUndefined();
      expect(result.warnings).toEqual([
        { code: "reasoning-artefact-dropped", message: `reasoning from ${origin ?? "anthropic-messages"} is not sent to a Chat upstream`, path: "messages[1].content[0]" },
      ]);
    }
  });
});

describe("reasoning_details: bare origin tags and symmetric artefact kinds", () => {
  it("reads a bare origin tag as an origin without a signature or payload", () => {
    const decoded = openAiChatCodec.decodeRequest({
      model: "m",
      messages: [
        {
          role: "assistant",
          content: "A",
          reasoning_details: [
            { type: "reasoning.text", text: "unsigned", signature: "swy1.anthropic-messages.", format: "anthropic-claude-v1" },
            { type: "reasoning.encrypted", data: "swy1.gemini.", format: "google-gemini-v1" },
          ],
        },
      ],
    }).value;
    expect(decoded.messages[0]?.content.map(reasoningFacts).slice(0, 2)).toEqual([
      { text: "unsigned", origin: { protocol: "anthropic-messages" } },
      { text: "", origin: { protocol: "gemini" } },
    ]);
  });

  it("gives an encrypted payload of Anthropic origin a non-anthropic format, so it does not come back as redacted thinking", () => {
    const message = clientMessage(responseWith([{ type: "reasoning", text: "", encryptedContent: "ZW5j", origin: { protocol: "anthropic-messages" } }]));
    expect(message["reasoning_details"]).toEqual([{ type: "reasoning.encrypted", data: "swy1.anthropic-messages.encrypted:ZW5j", format: "unknown" }]);
  });

  const origins: Array<ProtocolId | undefined> = [undefined, "openai-chat", "anthropic-messages", "openai-responses", "gemini"];
  const kinds: Array<[string, Partial<ReasoningPart>]> = [
    ["signature", { text: "signed", signature: "c2ln" }],
    ["redacted", { text: "", redactedData: "cmVk" }],
    ["encrypted", { text: "", encryptedContent: "ZW5j" }],
  ];
  for (const [kind, fields] of kinds) {
    for (const origin of origins) {
      it(`the ${kind} artefact of ${origin ?? "no"} origin comes back as the same kind and origin (client turn and upstream response)`, () => {
        const part: ReasoningPart = { type: "reasoning", text: "", ...fields, ...(origin === undefined ? {} : { origin: { protocol: origin } }) };
        const message = clientMessage(responseWith([part, { type: "text", text: "A" }]));
        // No recorded origin is read as Chat's own, which is what an untagged artefact means.
        const expected = { ...fields, origin: { protocol: origin ?? "openai-chat" } };
        const asClientTurn = openAiChatCodec.decodeRequest({ model: "m", messages: [message] }).value.messages[0]?.content[0];
        expect(reasoningFacts(asClientTurn)).toEqual(expected);
        const asUpstreamResponse = openAiChatCodec.decodeResponse({
          id: "c",
          object: "chat.completion",
          created: 1,
          model: "m",
          choices: [{ index: 0, message, finish_reason: "stop" }],
        }).value.output[0];
        expect(reasoningFacts(asUpstreamResponse)).toEqual(expected);
      });
    }
  }
});

describe("decodeResponse and the stream decoder: origins of unsigned reasoning", () => {
  it("marks upstream reasoning_content and artefact-less reasoning_details as Chat's", () => {
    const output = openAiChatCodec.decodeResponse({
      id: "c",
      object: "chat.completion",
      created: 1,
      model: "deepseek-reasoner",
      choices: [{ index: 0, message: { role: "assistant", content: "A", reasoning_details: [{ type: "reasoning.text", text: "plain" }] }, finish_reason: "stop" }],
    }).value.output;
    expect(reasoningFacts(output[0])).toEqual({ text: "plain", origin: { protocol: "openai-chat" } });
  });

  function decodeStream(deltas: ReadonlyArray<Record<string, unknown>>): StreamEvent[] {
    const decoder = openAiChatCodec.createStreamDecoder();
    const messages: SseMessage[] = [
      ...deltas.map((delta) => ({ data: JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: null }] }) })),
      { data: JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }) },
      { data: "[DONE]" },
    ];
    const events = [...messages.flatMap((message) => decoder.push(message)), ...decoder.end()];
    assertWellFormedStream(events);
    return events.filter((event) => event.type.startsWith("reasoning-"));
  }

  it("puts a bare tag's origin on reasoning-start when it opens the block, on reasoning-end when read late, and nowhere without reasoning", () => {
    expect(decodeStream([{ reasoning_details: [{ type: "reasoning.text", text: "t", signature: "swy1.gemini.", format: "google-gemini-v1" }] }])).toEqual([
      { type: "reasoning-start", index: 0, origin: { protocol: "gemini" } },
      { type: "reasoning-delta", index: 0, text: "t" },
      { type: "reasoning-end", index: 0 },
    ]);
    expect(
      decodeStream([
        { reasoning_content: "t" },
        { reasoning_details: [{ type: "reasoning.encrypted", data: "swy1.anthropic-messages.", format: "unknown" }] },
      ]),
    ).toEqual([
      { type: "reasoning-start", index: 0, origin: { protocol: "openai-chat" } },
      { type: "reasoning-delta", index: 0, text: "t" },
      { type: "reasoning-end", index: 0, origin: { protocol: "anthropic-messages" } },
    ]);
    expect(decodeStream([{ content: "A" }, { reasoning_details: [{ type: "reasoning.text", text: "", signature: "swy1.gemini." }] }])).toEqual([]);
  });
});
