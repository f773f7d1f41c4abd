import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getCodec } from "../../src/protocols/index.js";
import { parseSseText } from "../../src/streaming/index.js";
import { findStreamGrammarProblems, type ProtocolId, type StreamEvent } from "../../src/unified/index.js";
import { clientProtocols } from "../support/client-protocol-routes.js";
import { answerReply, type MockAnswer } from "../support/mock-upstream.js";
import { postClientStream } from "../support/post-client-stream.js";
import { reassembleStreamEvents, type StreamContent } from "../support/stream-content.js";
import { mockTargets, providerProtocols, startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

/** Every mock provider flagged: each provider protocol is asked without streaming. */
const viaNonStreamEnv = { OPENAI_STREAM_VIA_NONSTREAM: "1", RESPONSESMOCK_STREAM_VIA_NONSTREAM: "1", ANTHROPIC_STREAM_VIA_NONSTREAM: "1", GEMINI_STREAM_VIA_NONSTREAM: "1" };

const answer: MockAnswer = {
  text: "Here is the whole answer, ünïcödé included.",
  reasoning: { text: "The user wants the weather; I will call the tool.", signature: "sig-whole-answer" },
  toolCalls: [{ name: "get_weather", arguments: { city: "Paris", days: 3 }, id: "call_whole_1" }],
  usage: { input: 21, output: 13 },
};

let flagged: TestGateway;
let streaming: TestGateway;
beforeAll(async () => {
  // Heartbeats every 20 ms while the non-streaming upstream takes 150 ms: the client sees keep-alives first.
  flagged = await startTestGateway({ env: { ...viaNonStreamEnv, SWITCHYARD_HEARTBEAT_MS: "20" } });
  streaming = await startTestGateway({ env: { SWITCHYARD_HEARTBEAT_MS: "0" } });
});
afterAll(async () => {
  await flagged.close();
  await streaming.close();
});

/** The client stream decoded by the gateway's own codec for that protocol: what an SDK of that protocol sees. */
function decodeClientStream(protocol: ProtocolId, text: string): StreamEvent[] {
  const decoder = getCodec(protocol).createStreamDecoder();
  return [...parseSseText(text).flatMap((message) => decoder.push(message)), ...decoder.end()];
}

/** Tool-call ids as the client sees them may be re-minted per request; everything else must match exactly. */
function comparable(content: StreamContent): StreamContent {
  return { ...content, toolCalls: content.toolCalls.map((call) => ({ ...call, id: call.id === null ? null : "id" })) };
}

describe.each(clientProtocols)("a streaming %s client of a provider flagged streamViaNonStream", (protocol) => {
  it.each(providerProtocols)("gets a well-formed stream with the whole answer from a %s upstream asked without streaming", async (upstream) => {
    const target = mockTargets[upstream];
    flagged.reset();
    flagged.mock.script(answerReply(answer, { delayMs: 150 }));
    const response = await postClientStream(flagged.baseUrl, protocol, target.model);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const text = await response.text();

    const [sent] = flagged.mock.generateRequests();
    expect(sent?.route.stream ?? false).toBe(false);
    expect(sent?.path).not.toMatch(/streamGenerateContent/);
    expect((sent?.json as Record<string, unknown> | undefined)?.["stream"] ?? false).toBe(false);

    // Heartbeats went out while the upstream worked, then one burst with the answer.
    expect(text.startsWith(protocol === "anthropic-messages" ? "event: ping\n" : ": keep-alive\n\n")).toBe(true);
    const events = decodeClientStream(protocol, text);
    expect(findStreamGrammarProblems(events)).toEqual([]);
    expect(events.filter((event) => event.type === "finish" || event.type === "error")).toHaveLength(1);
    const content = reassembleStreamEvents(events);
    expect(content.text).toBe(answer.text);
    expect(content.toolCalls.map((call) => [call.name, call.arguments])).toEqual([["get_weather", { city: "Paris", days: 3 }]]);
    // A Chat client gets usage only when it asks with stream_options.include_usage (this one does not).
    expect(content.usage?.outputTokens).toBe(protocol === "openai-chat" ? undefined : 13);
    expect(content.ending).toMatchObject({ kind: "finish", unified: "tool_calls" });

    // The same answer streamed normally says exactly the same thing to this client.
    streaming.reset();
    streaming.mock.script(answerReply(answer));
    const reference = reassembleStreamEvents(decodeClientStream(protocol, await (await postClientStream(streaming.baseUrl, protocol, target.model)).text()));
    expect(comparable(content)).toEqual(comparable(reference));
  });
});
