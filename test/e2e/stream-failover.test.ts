import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getCodec } from "../../src/protocols/index.js";
import { parseSseText } from "../../src/streaming/index.js";
import { findStreamGrammarProblems, type ProtocolId, type StreamEvent } from "../../src/unified/index.js";
import { clientProtocols } from "../support/client-protocol-routes.js";
import { sseReply, textReply, withFaults, type MockFrame } from "../support/mock-upstream.js";
import { framesToFirstText, postClientStream } from "../support/post-client-stream.js";
import { reassembleStreamEvents } from "../support/stream-content.js";
import { mockTargets, startTestGateway, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

/** The other protocol each client is paired with for the translated path. */
const translatedUpstream: Record<ProtocolId, ProtocolId> = {
  "openai-chat": "anthropic-messages",
  "openai-responses": "gemini",
  "anthropic-messages": "openai-chat",
  gemini: "openai-responses",
};

/** What the client's own protocol says, decoded by the gateway's codec for it (as that protocol's SDK would). */
async function readClientStream(protocol: ProtocolId, response: Response): Promise<{ events: StreamEvent[]; text: string }> {
  const decoder = getCodec(protocol).createStreamDecoder();
  const events = [...parseSseText(await response.text()).flatMap((message) => decoder.push(message)), ...decoder.end()];
  expect(findStreamGrammarProblems(events)).toEqual([]);
  expect(events.filter((event) => event.type === "finish" || event.type === "error")).toHaveLength(1);
  return { events, text: reassembleStreamEvents(events).text };
}

const anthropicStart: MockFrame = {
  event: "message_start",
  data: {
    type: "message_start",
    message: { id: "msg_inband", type: "message", role: "assistant", model: "claude-mock-sonnet", content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 5, output_tokens: 1 } },
  },
};
const anthropicOverloaded: MockFrame = { event: "error", data: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } } };
const anthropicThinking: MockFrame[] = [
  { event: "content_block_start", data: { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "", signature: "" } } },
  { event: "content_block_delta", data: { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "Let me think about that." } } },
];
const responsesFailed: MockFrame[] = [
  { event: "response.created", data: { type: "response.created", sequence_number: 0, response: { id: "resp_inband", object: "response", status: "in_progress", model: "gpt-mock-small", output: [] } } },
  { event: "response.in_progress", data: { type: "response.in_progress", sequence_number: 1, response: { id: "resp_inband", object: "response", status: "in_progress", model: "gpt-mock-small", output: [] } } },
  {
    event: "response.failed",
    data: { type: "response.failed", sequence_number: 2, response: { id: "resp_inband", object: "response", status: "failed", model: "gpt-mock-small", output: [], error: { code: "server_is_overloaded", message: "Overloaded" } } },
  },
];

describe("failover before any visible output", () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ env: { SWITCHYARD_HEARTBEAT_MS: "0" } });
  });
  afterAll(async () => {
    await gateway.close();
  });
  beforeEach(async () => {
    gateway.reset();
    await gateway.engine.credentials?.reset();
  });

  describe.each(clientProtocols)("a %s client", (protocol) => {
    describe.each([
      ["passthrough", protocol],
      ["translated", translatedUpstream[protocol]],
    ] as const)("%s", (_path, upstream) => {
      const target = mockTargets[upstream];

      it("gets the retry's answer when the first 200 stream finished without any output", async () => {
        gateway.mock.script(textReply(""), textReply("the second try"));
        const response = await postClientStream(gateway.baseUrl, protocol, target.model);
        expect(response.status).toBe(200);
        expect((await readClientStream(protocol, response)).text).toBe("the second try");
        expect(gateway.mock.generateRequests()).toHaveLength(2);
      });

      it("gets a well-formed empty stream when the retry is empty too (retried once, like an empty answer)", async () => {
        gateway.mock.script(textReply(""), textReply(""), textReply("never asked for"));
        const response = await postClientStream(gateway.baseUrl, protocol, target.model);
        expect(response.status).toBe(200);
        const { events, text } = await readClientStream(protocol, response);
        expect(text).toBe("");
        expect(events.at(-1)?.type).toBe("finish");
        expect(gateway.mock.generateRequests()).toHaveLength(2);
      });

      it("gets the retry's answer when the upstream closed after its preamble, before any text", async () => {
        gateway.mock.script(withFaults(textReply("lost"), { endAfterFrames: framesToFirstText[upstream] - 1 }), textReply("recovered"));
        const response = await postClientStream(gateway.baseUrl, protocol, target.model);
        expect(response.status).toBe(200);
        expect((await readClientStream(protocol, response)).text).toBe("recovered");
        expect(gateway.mock.generateRequests()).toHaveLength(2);
      });
    });
  });

  it("does not retry an empty stream that continues a prefill (the conversation ends with an assistant turn)", async () => {
    gateway.mock.script(textReply(""), textReply("never asked for"));
    const response = await fetch(`${gateway.baseUrl}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": testProxyKey, "anthropic-version": "2023-06-01" },
      body: JSON.stringify({
        model: mockTargets["anthropic-messages"].model,
        max_tokens: 16,
        stream: true,
        messages: [
          { role: "user", content: "answer in JSON" },
          { role: "assistant", content: "{" },
        ],
      }),
    });
    expect(response.status).toBe(200);
    expect((await readClientStream("anthropic-messages", response)).text).toBe("");
    expect(gateway.mock.generateRequests()).toHaveLength(1);
  });

  it.each([
    ["anthropic-messages", "anthropic-messages"],
    ["openai-chat", "anthropic-messages"],
  ] as const)("a %s client gets the retry's answer after an in-band Anthropic overloaded_error event from %s", async (protocol, upstream) => {
    gateway.mock.script(sseReply([anthropicStart, anthropicOverloaded]), textReply("after the overload"));
    const response = await postClientStream(gateway.baseUrl, protocol, mockTargets[upstream].model);
    expect(response.status).toBe(200);
    expect((await readClientStream(protocol, response)).text).toBe("after the overload");
    expect(gateway.mock.generateRequests()).toHaveLength(2);
  });

  it.each([
    ["openai-responses", "openai-responses"],
    ["anthropic-messages", "openai-responses"],
  ] as const)("a %s client gets the retry's answer after a Responses response.failed (server_is_overloaded) inside a 200 from %s", async (protocol, upstream) => {
    gateway.mock.script(sseReply(responsesFailed), textReply("after the failure"));
    const response = await postClientStream(gateway.baseUrl, protocol, mockTargets[upstream].model);
    expect(response.status).toBe(200);
    expect((await readClientStream(protocol, response)).text).toBe("after the failure");
    expect(gateway.mock.generateRequests()).toHaveLength(2);
  });
});

describe("whether reasoning-only output counts as visible", () => {
  let visible: TestGateway;
  let invisible: TestGateway;
  beforeAll(async () => {
    visible = await startTestGateway({ env: { SWITCHYARD_HEARTBEAT_MS: "0" } });
    invisible = await startTestGateway({ env: { SWITCHYARD_HEARTBEAT_MS: "0", ANTHROPIC_STREAM_REASONING_VISIBLE: "0" } });
  });
  afterAll(async () => {
    await visible.close();
    await invisible.close();
  });
  // Frames 30 ms apart, so the reasoning is forwarded (or held) before the error arrives.
  const failingAfterThinking = () => withFaults(sseReply([anthropicStart, ...anthropicThinking, anthropicOverloaded]), { frameIntervalMs: 30 });

  it("by default: the reasoning reached the client, so the failure is the stream's in-protocol error, not a retry", async () => {
    visible.mock.script(failingAfterThinking(), textReply("not asked for"));
    const response = await postClientStream(visible.baseUrl, "anthropic-messages", mockTargets["anthropic-messages"].model);
    const { events } = await readClientStream("anthropic-messages", response);
    expect(reassembleStreamEvents(events).reasoningText).toBe("Let me think about that.");
    expect(events.at(-1)).toMatchObject({ type: "error", error: { code: "overloaded" } });
    expect(visible.mock.generateRequests()).toHaveLength(1);
  });

  it.each(["anthropic-messages", "openai-chat"] as const)("with <NAME>_STREAM_REASONING_VISIBLE=0 a %s client gets the retry's answer and no reasoning", async (protocol) => {
    invisible.reset();
    invisible.mock.script(failingAfterThinking(), textReply("answer after a retry"));
    const response = await postClientStream(invisible.baseUrl, protocol, mockTargets["anthropic-messages"].model);
    expect(response.status).toBe(200);
    const { events, text } = await readClientStream(protocol, response);
    expect(text).toBe("answer after a retry");
    expect(reassembleStreamEvents(events).reasoningText).toBe("");
    expect(invisible.mock.generateRequests()).toHaveLength(2);
  });
});
