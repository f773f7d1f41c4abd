import { GoogleGenAI } from "@google/genai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseSseText } from "../../src/streaming/index.js";
import type { ProtocolId } from "../../src/unified/index.js";
import { clientProtocols } from "../support/client-protocol-routes.js";
import { textReply, withFaults, type MockFaults } from "../support/mock-upstream.js";
import { framesToFirstText, postClientStream } from "../support/post-client-stream.js";
import { mockTargets, startTestGateway, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

/** The other protocol each client is paired with for the translated path. */
const translatedUpstream: Record<ProtocolId, ProtocolId> = {
  "openai-chat": "anthropic-messages",
  "openai-responses": "gemini",
  "anthropic-messages": "openai-chat",
  gemini: "openai-responses",
};

type Payload = Record<string, unknown>;

/**
 * Reads a raw client stream the way that protocol's clients do, without the gateway's codecs: the visible text, and
 * every terminal event (the ending each protocol's clients wait for, success or failure).
 */
function readRawStream(protocol: ProtocolId, body: string): { text: string; terminals: string[] } {
  const messages = parseSseText(body);
  const payloads = messages.map((message): { event: string | undefined; data: Payload | "[DONE]" } => ({
    event: message.event,
    data: message.data === "[DONE]" ? "[DONE]" : (JSON.parse(message.data) as Payload),
  }));
  let text = "";
  const terminals: string[] = [];
  for (const { event, data } of payloads) {
    if (data === "[DONE]") {
      terminals.push("[DONE]");
      continue;
    }
    switch (protocol) {
      case "openai-chat": {
        const choice = (data["choices"] as Payload[] | undefined)?.[0];
        text += String((choice?.["delta"] as Payload | undefined)?.["content"] ?? "");
        if (typeof choice?.["finish_reason"] === "string") terminals.push(`finish_reason:${choice["finish_reason"]}`);
        if (data["error"] !== undefined) terminals.push("error");
        break;
      }
      case "openai-responses":
        if (data["type"] === "response.output_text.delta") text += String(data["delta"]);
        if (/^response\.(completed|failed|incomplete)$/.test(event ?? "")) terminals.push(event ?? "");
        break;
      case "anthropic-messages":
        if (data["type"] === "content_block_delta") text += String((data["delta"] as Payload)["text"] ?? "");
        if (event === "message_stop" || event === "error") terminals.push(event);
        break;
      case "gemini": {
        const candidate = (data["candidates"] as Payload[] | undefined)?.[0];
        for (const part of ((candidate?.["content"] as Payload | undefined)?.["parts"] as Payload[] | undefined) ?? []) text += String(part["text"] ?? "");
        if (typeof candidate?.["finishReason"] === "string") terminals.push(`finishReason:${candidate["finishReason"]}`);
        if (data["error"] !== undefined) terminals.push("error");
        break;
      }
      default: {
        const unreachable: never = protocol;
        throw new Error(`unknown protocol ${String(unreachable)}`);
      }
    }
  }
  return { text, terminals };
}

/** Exactly one terminal sequence in the client's protocol: Chat a finish_reason or an error chunk, then `[DONE]`. */
function expectOneTerminal(protocol: ProtocolId, terminals: readonly string[]): void {
  if (protocol === "openai-chat") {
    expect(terminals).toHaveLength(2);
    expect(terminals[0]).toMatch(/^(finish_reason:|error$)/);
    expect(terminals[1]).toBe("[DONE]");
  } else {
    expect(terminals).toHaveLength(1);
  }
}

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway({ env: { SWITCHYARD_HEARTBEAT_MS: "0", SWITCHYARD_STALL_TIMEOUT_MS: "5000" } });
});
afterAll(async () => {
  await gateway.close();
});
beforeEach(async () => {
  gateway.reset();
  await gateway.engine.credentials?.reset();
});

const words = "alpha beta gamma delta epsilon zeta";

describe.each(clientProtocols)("a %s client of a misbehaving upstream", (protocol) => {
  describe.each([
    ["passthrough", protocol],
    ["translated", translatedUpstream[protocol]],
  ] as const)("%s", (_path, upstream) => {
    const target = mockTargets[upstream];
    const afterFirstText = framesToFirstText[upstream];
    /** One faulty reply, then (for a retry) a healthy one. */
    const run = async (faults: MockFaults): Promise<{ status: number; text: string; terminals: string[] }> => {
      gateway.mock.script(withFaults(textReply(words), faults), textReply(words));
      const response = await postClientStream(gateway.baseUrl, protocol, target.model);
      return { status: response.status, ...readRawStream(protocol, await response.text()) };
    };

    it("a malformed SSE line after visible output: the text so far, then exactly one terminal sequence", async () => {
      // Frames 30 ms apart and the bad line one frame after the first text, so that text reached the client before the
      // bad line arrived (arriving in one chunk with it, the attempt would still be retried: nothing had been sent).
      const { status, text, terminals } = await run({ malformed: { afterFrames: afterFirstText + 1 }, frameIntervalMs: 30 });
      expect(status).toBe(200);
      expect(text.startsWith("alpha")).toBe(true);
      expectOneTerminal(protocol, terminals);
      expect(gateway.mock.generateRequests()).toHaveLength(1);
    });

    it("a malformed SSE line before any output: still one well-formed stream with exactly one terminal sequence", async () => {
      const { status, text, terminals } = await run({ malformed: { afterFrames: 0 } });
      expect(status).toBe(200);
      // Either the bad line was skipped and the answer came through, or the attempt was retried on the next reply.
      expect(text).toBe(words);
      expectOneTerminal(protocol, terminals);
    });

    it("an upstream that closes after visible output without its terminal event: exactly one terminal sequence, a failure", async () => {
      const { status, text, terminals } = await run({ endAfterFrames: afterFirstText + 1 });
      expect(status).toBe(200);
      expect(text.startsWith("alpha")).toBe(true);
      expect(text).not.toBe(words);
      expectOneTerminal(protocol, terminals);
      expect(terminals[0]).toMatch(/^(error|response\.failed|response\.incomplete)$/);
    });
  });
});

describe("heartbeats and the @google/genai SDK (streamGenerateContent under /v1beta)", () => {
  let beating: TestGateway;
  beforeAll(async () => {
    beating = await startTestGateway({ env: { SWITCHYARD_HEARTBEAT_MS: "20", SWITCHYARD_STALL_TIMEOUT_MS: "5000" } });
  });
  afterAll(async () => {
    await beating.close();
  });

  it.each(["gemini", "anthropic-messages"] as const)("parses a stream with keep-alive comments from a %s upstream", async (upstream) => {
    // Frames 100 ms apart: several keep-alives in every gap, before the first frame as well.
    beating.mock.script(withFaults(textReply("slow but steady and whole"), { frameIntervalMs: 100 }));
    const client = new GoogleGenAI({ apiKey: testProxyKey, httpOptions: { baseUrl: beating.baseUrl, apiVersion: "v1beta" } });
    let text = "";
    let finishReason: string | undefined;
    for await (const chunk of await client.models.generateContentStream({ model: mockTargets[upstream].model, contents: "hi" })) {
      text += chunk.text ?? "";
      finishReason = chunk.candidates?.[0]?.finishReason ?? finishReason;
    }
    expect(text).toBe("slow but steady and whole");
    expect(finishReason).toBe("STOP");
    // The SDK really called the /v1beta streaming route, and the keep-alives really went out on it.
    const [request] = beating.clientRequests;
    expect(request?.url).toMatch(/^\/v1beta\/models\/.+:streamGenerateContent\?alt=sse/);
    const raw = await (await postClientStreamWithFrames(beating, mockTargets[upstream].model)).text();
    expect(raw.split(": keep-alive\n\n").length - 1).toBeGreaterThanOrEqual(2);
  });

  async function postClientStreamWithFrames(target: TestGateway, model: string): Promise<Response> {
    target.mock.script(withFaults(textReply("slow but steady and whole"), { frameIntervalMs: 100 }));
    return postClientStream(target.baseUrl, "gemini", model);
  }
});
