import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseSseText } from "../../src/streaming/index.js";
import type { ProtocolId } from "../../src/unified/index.js";
import { clientProtocols, expectErrorBody, type ErrorKind } from "../support/client-protocol-routes.js";
import { textReply, withFaults } from "../support/mock-upstream.js";
import { framesToFirstText, postClientStream as postStream } from "../support/post-client-stream.js";
import { mockTargets, startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

/** The other protocol each client is paired with for the translated path. */
const translatedUpstream: Record<ProtocolId, ProtocolId> = {
  "openai-chat": "anthropic-messages",
  "openai-responses": "gemini",
  "anthropic-messages": "openai-chat",
  gemini: "openai-responses",
};

const timeoutKind: ErrorKind = { openai: ["server_error", "upstream_timeout"], responses: ["server_error", "timeout"], anthropic: "timeout_error", gemini: "DEADLINE_EXCEEDED" };

let gateway: TestGateway;
beforeAll(async () => {
  // No same-credential retry: a missed TTFB deadline reaches the client as the 504 these tests pin down.
  gateway = await startTestGateway({ env: { SWITCHYARD_TTFB_TIMEOUT_MS: "300", SWITCHYARD_STALL_TIMEOUT_MS: "300", SWITCHYARD_HEARTBEAT_MS: "0", SWITCHYARD_MAX_RETRIES: "0" } });
});
afterAll(async () => {
  await gateway.close();
});
beforeEach(() => {
  gateway.reset();
});


/** The stream's messages, and the protocol's terminal events among them. */
function terminalEvents(protocol: ProtocolId, text: string): { data: string[]; terminal: unknown[] } {
  const messages = parseSseText(text);
  const data = messages.map((message) => message.data);
  const parsed = messages.map((message) => ({ event: message.event, data: message.data === "[DONE]" ? "[DONE]" : (JSON.parse(message.data) as Record<string, unknown>) }));
  switch (protocol) {
    case "openai-chat":
      return { data, terminal: parsed.filter((message) => message.data === "[DONE]" || (typeof message.data === "object" && "error" in message.data)).map((message) => message.data) };
    case "openai-responses":
      return { data, terminal: parsed.filter((message) => /^response\.(completed|failed|incomplete)$/.test(message.event ?? "")).map((message) => message.data) };
    case "anthropic-messages":
      return { data, terminal: parsed.filter((message) => message.event === "error" || message.event === "message_stop").map((message) => message.data) };
    case "gemini":
      return { data, terminal: parsed.filter((message) => typeof message.data === "object" && "error" in message.data).map((message) => message.data) };
    default: {
      const unreachable: never = protocol;
      throw new Error(`unknown protocol ${String(unreachable)}`);
    }
  }
}

/** The one terminal event a stalled stream must end with, per client protocol. */
function expectedStallEnding(protocol: ProtocolId, provider: string): unknown[] {
  const message = `${provider}: the stream sent nothing for 300 ms`;
  switch (protocol) {
    case "openai-chat":
      return [{ error: { message, type: "server_error", param: null, code: "stream_stalled" } }, "[DONE]"];
    case "openai-responses":
      return [expect.objectContaining({ type: "response.failed", response: expect.objectContaining({ status: "failed", error: { code: "timeout", message } }) })];
    case "anthropic-messages":
      return [{ type: "error", error: { type: "timeout_error", message } }];
    case "gemini":
      return [{ error: { code: 504, message, status: "DEADLINE_EXCEEDED" } }];
    default: {
      const unreachable: never = protocol;
      throw new Error(`unknown protocol ${String(unreachable)}`);
    }
  }
}

describe.each(clientProtocols)("stream deadlines for a %s client", (protocol) => {
  describe.each([
    ["passthrough", protocol],
    ["translated", translatedUpstream[protocol]],
  ] as const)("%s", (_path, upstream) => {
    const target = mockTargets[upstream];
    const ttfbMessage = `${target.provider}: no response within the 300 ms time-to-first-byte deadline`;

    it("answers a protocol-shaped 504 when the upstream headers miss the TTFB deadline", async () => {
      gateway.mock.script(textReply("late", { delayMs: 1000 }));
      const response = await postStream(gateway.baseUrl, protocol, target.model);
      expect(response.status).toBe(504);
      expect(expectErrorBody(protocol, 504, timeoutKind, await response.json())).toBe(ttfbMessage);
    });

    it("answers a protocol-shaped 504 when headers came but the first body byte misses the TTFB deadline", async () => {
      gateway.mock.script(withFaults(textReply("late"), { stall: { afterFrames: 0, ms: 1000 } }));
      const response = await postStream(gateway.baseUrl, protocol, target.model);
      expect(response.status).toBe(504);
      expect(expectErrorBody(protocol, 504, timeoutKind, await response.json())).toBe(ttfbMessage);
    });

    it("ends with the protocol's one in-stream failure when the upstream stalls after visible output", async () => {
      gateway.mock.script(withFaults(textReply("hello there, world"), { stall: { afterFrames: framesToFirstText[upstream] } }));
      const response = await postStream(gateway.baseUrl, protocol, target.model);
      expect(response.status).toBe(200);
      const { data, terminal } = terminalEvents(protocol, await response.text());
      expect(data.some((payload) => payload.includes('"hello"'))).toBe(true);
      expect(terminal).toEqual(expectedStallEnding(protocol, target.provider));
    });
  });
});
