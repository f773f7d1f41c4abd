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
  return decodeClientText(protocol, await response.text());
}

function decodeClientText(protocol: ProtocolId, wire: string): { events: StreamEvent[]; text: string } {
  const decoder = getCodec(protocol).createStreamDecoder();
  const events = [...parseSseText(wire).flatMap((message) => decoder.push(message)), ...decoder.end()];
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

describe("a stall after the preamble, before any visible output", () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ env: { SWITCHYARD_HEARTBEAT_MS: "0", SWITCHYARD_STALL_TIMEOUT_MS: "300" } });
  });
  afterAll(async () => {
    await gateway.close();
  });

  // Gemini streams have no preamble (their first frame carries text): a silence before it is the TTFB case
  // (stream-liveness.test.ts), so Gemini upstreams are left out here.
  const pairs = clientProtocols.flatMap((protocol) => [[protocol, protocol] as const, [protocol, translatedUpstream[protocol]] as const]).filter(([, upstream]) => upstream !== "gemini");
  it.each(pairs)(
    "a %s client of a %s upstream gets the retry's answer, not a stall error",
    async (protocol, upstream) => {
      gateway.reset();
      gateway.mock.script(withFaults(textReply("lost"), { stall: { afterFrames: framesToFirstText[upstream] - 1, ms: 5000 } }), textReply("after the stall"));
      const response = await postClientStream(gateway.baseUrl, protocol, mockTargets[upstream].model);
      expect(response.status).toBe(200);
      expect((await readClientStream(protocol, response)).text).toBe("after the stall");
      expect(gateway.mock.generateRequests()).toHaveLength(2);
    },
  );
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

/*
 * The response start goes to the client at once; a failure after it (and after heartbeats), before visible output,
 * is retried inside the same client stream.
 */

/** How a client protocol's wire text shows its response start and its terminal sequence (Gemini has no start). */
const wireMarks: Record<ProtocolId, { start?: RegExp; held?: RegExp; terminal: RegExp }> = {
  "anthropic-messages": { start: /event: message_start/g, held: /content_block_start/g, terminal: /event: message_stop|event: error/g },
  "openai-responses": { start: /"type":"response\.created"/g, held: /"type":"response\.output_item\.added"/g, terminal: /"type":"response\.(completed|failed|incomplete)"/g },
  "openai-chat": { start: /"role":"assistant"/g, terminal: /data: \[DONE\]/g },
  gemini: { terminal: /"finishReason"|"error"/g },
};

function countMatches(text: string, pattern: RegExp | undefined): number {
  return pattern === undefined ? 0 : [...text.matchAll(pattern)].length;
}

/** The other protocol each client is paired with when the upstream must send a response start before its text. */
const startingUpstream: Record<Exclude<ProtocolId, "gemini">, ProtocolId> = {
  "openai-chat": "anthropic-messages",
  "openai-responses": "anthropic-messages",
  // A Chat upstream's role chunk alone gives the Anthropic encoder nothing to put in message_start yet.
  "anthropic-messages": "openai-responses",
};

/** A client stream read piece by piece, so a test can look at it while the upstream still withholds the rest. */
function openClientReader(response: Response) {
  if (response.body === null) throw new Error("the response has no body");
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let done = false;
  let pending: ReturnType<typeof reader.read> | undefined;
  const take = (step: Awaited<ReturnType<typeof reader.read>>): void => {
    pending = undefined;
    if (step.done) done = true;
    else text += decoder.decode(step.value, { stream: true });
  };
  return {
    text: () => text,
    /** Reads until `seen` holds, the stream ends or `ms` pass; whether `seen` held. */
    async until(seen: (text: string) => boolean, ms: number): Promise<boolean> {
      const deadline = Date.now() + ms;
      while (!seen(text) && !done) {
        const left = deadline - Date.now();
        if (left <= 0) break;
        pending ??= reader.read();
        let timer: NodeJS.Timeout | undefined;
        const step = await Promise.race([pending, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), left)))]);
        clearTimeout(timer);
        if (step !== undefined) take(step);
      }
      return seen(text);
    },
    async rest(): Promise<string> {
      while (!done) take(await (pending ?? reader.read()));
      return text;
    },
  };
}

/** A Chat role chunk, then an in-band error chunk (as OpenAI-compatible servers send one inside a 200). */
const chatStartThenError: MockFrame[] = [
  { data: { id: "chatcmpl-inband", object: "chat.completion.chunk", created: 1, model: "gpt-mock-large", choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] } },
  { data: { error: { message: "Overloaded", type: "server_error", code: "server_is_overloaded" } } },
];

/** Upstream frames that send a response start and then fail in-band, before any text; `delayMs` before the failure. */
function startThenInBandError(upstream: ProtocolId, delayMs = 0): MockFrame[] {
  const frames = upstream === "anthropic-messages" ? [anthropicStart, anthropicOverloaded] : upstream === "openai-responses" ? responsesFailed : chatStartThenError;
  return frames.map((frame, index) => (index === frames.length - 1 ? { ...frame, delayMs } : frame));
}

/** Client and upstream protocol pairs whose upstream has a response start: passthrough and translated. */
const startPairs = [
  ...(["openai-chat", "openai-responses", "anthropic-messages"] as const).map((protocol) => ["passthrough", protocol, protocol] as const),
  ...(["openai-chat", "openai-responses", "anthropic-messages"] as const).map((protocol) => ["translated", protocol, startingUpstream[protocol]] as const),
  ["translated", "gemini", "anthropic-messages"] as const,
];

describe("the response start goes out at once", () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ env: { SWITCHYARD_HEARTBEAT_MS: "0" } });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it.each(startPairs.filter(([, protocol]) => protocol !== "gemini"))(
    "%s: a %s client of a %s upstream gets the response start while the upstream still withholds its text; the rest of the preamble waits for it",
    async (_path, protocol, upstream) => {
      gateway.reset();
      // Everything before the first text, then a long silence: the start must not wait for the text.
      gateway.mock.script(withFaults(textReply("after the wait"), { stall: { afterFrames: framesToFirstText[upstream] - 1, ms: 1500 } }));
      const response = await postClientStream(gateway.baseUrl, protocol, mockTargets[upstream].model);
      expect(response.status).toBe(200);
      const reader = openClientReader(response);
      const marks = wireMarks[protocol];
      expect(await reader.until((text) => countMatches(text, marks.start) > 0, 1000)).toBe(true);
      // The held preamble (an empty block's start) does not follow while the upstream is silent.
      expect(await reader.until((text) => countMatches(text, marks.held) > 0 || text.includes("after the wait"), 200)).toBe(false);
      const wire = await reader.rest();
      expect(decodeClientText(protocol, wire).text).toBe("after the wait");
      expect(countMatches(wire, marks.start)).toBe(1);
    },
  );
});

describe("a failure after the response start, before visible output", () => {
  const keys = { ANTHROPIC_API_KEY_1: "sk-ant-second", OPENAI_API_KEY_1: "sk-openai-second", RESPONSESMOCK_API_KEY_1: "sk-responses-second", GEMINI_API_KEY_1: "gm-second" };
  let gateway: TestGateway;
  let beating: TestGateway;
  let single: TestGateway;
  beforeAll(async () => {
    // No same-key retry of a transient failure: the first one rotates to the other key.
    gateway = await startTestGateway({ env: { SWITCHYARD_HEARTBEAT_MS: "0", SWITCHYARD_ROTATION: "sequential", SWITCHYARD_MAX_RETRIES: "0", ...keys } });
    beating = await startTestGateway({ env: { SWITCHYARD_HEARTBEAT_MS: "50", SWITCHYARD_ROTATION: "sequential", SWITCHYARD_MAX_RETRIES: "0", ...keys } });
    single = await startTestGateway({ env: { SWITCHYARD_HEARTBEAT_MS: "0", SWITCHYARD_MAX_RETRIES: "0" } });
  });
  afterAll(async () => {
    await Promise.all([gateway.close(), beating.close(), single.close()]);
  });

  it.each(startPairs)("%s: a %s client of a %s upstream: an in-band error after the start is retried on the second key, in the same stream", async (_path, protocol, upstream) => {
    gateway.reset();
    await gateway.engine.credentials?.reset();
    gateway.mock.script(sseReply(startThenInBandError(upstream)), textReply("from the second key"));
    const response = await postClientStream(gateway.baseUrl, protocol, mockTargets[upstream].model);
    expect(response.status).toBe(200);
    const wire = await response.text();
    expect(decodeClientText(protocol, wire).text).toBe("from the second key");
    expect(countMatches(wire, wireMarks[protocol].start)).toBe(protocol === "gemini" ? 0 : 1);
    expect(countMatches(wire, wireMarks[protocol].terminal)).toBe(1);
    const keysUsed = gateway.mock.generateRequests().map((request) => request.apiKey);
    expect(keysUsed).toHaveLength(2);
    expect(new Set(keysUsed).size).toBe(2);
  });

  it.each(startPairs)("%s: a %s client of a %s upstream: heartbeats, then a failure before visible output, is still retried", async (_path, protocol, upstream) => {
    beating.reset();
    await beating.engine.credentials?.reset();
    // The failure comes 400 ms after the start: heartbeats (every 50 ms) reached the client before it.
    beating.mock.script(sseReply(startThenInBandError(upstream, 400)), textReply("after the heartbeats"));
    const response = await postClientStream(beating.baseUrl, protocol, mockTargets[upstream].model);
    expect(response.status).toBe(200);
    const wire = await response.text();
    expect(wire).toMatch(protocol === "anthropic-messages" ? /event: ping/ : /^: keep-alive$/m);
    expect(decodeClientText(protocol, wire).text).toBe("after the heartbeats");
    expect(countMatches(wire, wireMarks[protocol].start)).toBe(protocol === "gemini" ? 0 : 1);
    expect(countMatches(wire, wireMarks[protocol].terminal)).toBe(1);
    expect(beating.mock.generateRequests()).toHaveLength(2);
  });

  // Pairs whose client got the start before the failure (a Gemini client has none; the Anthropic encoder puts
  // message_start off until a block or usage comes, which this Responses upstream never sends).
  const startedPairs = startPairs.filter(([, protocol, upstream]) => protocol !== "gemini" && !(protocol === "anthropic-messages" && upstream === "openai-responses"));
  it.each(startedPairs)("%s: a %s client of a %s upstream: with no attempt left, the start is followed by the protocol's in-stream error", async (_path, protocol, upstream) => {
    single.reset();
    await single.engine.credentials?.reset();
    single.mock.script(sseReply(startThenInBandError(upstream)), textReply("never asked for"));
    const response = await postClientStream(single.baseUrl, protocol, mockTargets[upstream].model);
    // The start already went out with a 200: the failure can only be told inside the stream.
    expect(response.status).toBe(200);
    const wire = await response.text();
    const { events, text } = decodeClientText(protocol, wire);
    expect(text).toBe("");
    expect(events.at(-1)).toMatchObject({ type: "error", error: { code: "overloaded" } });
    expect(countMatches(wire, wireMarks[protocol].start)).toBe(1);
    expect(single.mock.generateRequests()).toHaveLength(1);
  });

  it.each(startPairs.filter((pair) => !startedPairs.includes(pair)))(
    "%s: a %s client of a %s upstream: with no attempt left and nothing sent yet, the failure is an HTTP error in the client's protocol",
    async (_path, protocol, upstream) => {
      single.reset();
      single.mock.script(sseReply(startThenInBandError(upstream)), textReply("never asked for"));
      const response = await postClientStream(single.baseUrl, protocol, mockTargets[upstream].model);
      expect(response.status).toBe(503);
      expect(JSON.stringify(await response.json())).toMatch(/Overloaded/);
    },
  );

  it.each(clientProtocols.flatMap((protocol) => [[protocol, protocol] as const, [protocol, translatedUpstream[protocol]] as const]))(
    "a %s client of a %s upstream: a failure after visible output is the stream's in-protocol error, not a retry",
    async (protocol, upstream) => {
      gateway.reset();
      await gateway.engine.credentials?.reset();
      gateway.mock.script(withFaults(textReply("partial answer"), { dropAfterFrames: framesToFirstText[upstream] }), textReply("never asked for"));
      const response = await postClientStream(gateway.baseUrl, protocol, mockTargets[upstream].model);
      expect(response.status).toBe(200);
      const { events, text } = await readClientStream(protocol, response);
      // The mock splits its text into deltas: the stream broke after the first.
      expect(text).not.toBe("");
      expect("partial answer".startsWith(text)).toBe(true);
      expect(events.at(-1)?.type).toBe("error");
      expect(gateway.mock.generateRequests()).toHaveLength(1);
    },
  );
});

describe("a stream continued by a fallback target on the other path", () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({
      env: {
        SWITCHYARD_HEARTBEAT_MS: "0",
        SWITCHYARD_MAX_RETRIES: "0",
        SWITCHYARD_FALLBACK_GROUPS: `anthropic-first=${mockTargets["anthropic-messages"].model}|${mockTargets["openai-chat"].model};chat-first=${mockTargets["openai-chat"].model}|${mockTargets["anthropic-messages"].model}`,
      },
    });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it.each([
    ["anthropic-messages", "anthropic-first", "anthropic-messages", "passthrough then translated"],
    ["openai-chat", "anthropic-first", "anthropic-messages", "translated then passthrough"],
    ["openai-chat", "chat-first", "openai-chat", "passthrough then translated"],
  ] as const)("a %s client of group/%s (%s failing after its start, %s): one start, the fallback's answer, one terminal", async (protocol, group, firstUpstream, _paths) => {
    gateway.reset();
    gateway.mock.script(sseReply(startThenInBandError(firstUpstream)), textReply("from the fallback target"));
    const response = await postClientStream(gateway.baseUrl, protocol, `group/${group}`);
    expect(response.status).toBe(200);
    const wire = await response.text();
    expect(decodeClientText(protocol, wire).text).toBe("from the fallback target");
    expect(countMatches(wire, wireMarks[protocol].start)).toBe(1);
    expect(countMatches(wire, wireMarks[protocol].terminal)).toBe(1);
    const served = gateway.mock.generateRequests().map((request) => request.route.protocol);
    expect(served).toHaveLength(2);
    expect(new Set(served).size).toBe(2);
  });
});
