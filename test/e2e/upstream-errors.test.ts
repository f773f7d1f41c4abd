import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseSseText } from "../../src/streaming/index.js";
import type { ProtocolId } from "../../src/unified/index.js";
import { clientProtocols, clientRoutes, expectErrorBody, expectProtocolError, postRaw, type ErrorKind } from "../support/client-protocol-routes.js";
import { errorReply, overloadedReply, rateLimitReply, resetReply, textReply, withFaults, type MockReply } from "../support/mock-upstream.js";
import { mockTargets, startTestGateway, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

let gateway: TestGateway;
beforeAll(async () => {
  // One key per provider, no same-credential retries and a deadline shorter than the 429's retry-after: each upstream
  // error reaches the client after exactly one attempt, in the shape these tests pin down.
  gateway = await startTestGateway({ env: { SWITCHYARD_MAX_RETRIES: "0", SWITCHYARD_REQUEST_TIMEOUT_MS: "5000" } });
});
afterAll(async () => {
  await gateway.close();
});
beforeEach(async () => {
  gateway.reset();
  // A 429 cools the only key and a 401 disables it: start every case from healthy keys.
  await gateway.engine.credentials?.reset();
});

/** The other protocol each client is paired with for the translated path. */
const translatedUpstream: Record<ProtocolId, ProtocolId> = {
  "openai-chat": "anthropic-messages",
  "openai-responses": "gemini",
  "anthropic-messages": "openai-chat",
  gemini: "openai-responses",
};

/** Upstream HTTP error → what the client sees (CONVENTIONS.md error table). */
const httpErrorTable: ReadonlyArray<{ name: string; reply: () => MockReply; status: number; kind: ErrorKind; message: string }> = [
  {
    name: "429 rate limited",
    reply: () => rateLimitReply({ seconds: 7 }),
    status: 429,
    kind: { openai: ["requests", "rate_limit_exceeded"], anthropic: "rate_limit_error", gemini: "RESOURCE_EXHAUSTED" },
    message: "mock upstream error 429",
  },
  {
    name: "500 server error",
    reply: () => errorReply(500, { message: "internal failure" }),
    status: 503,
    kind: { openai: ["server_error", "upstream_server"], responses: ["server_error", "server_error"], anthropic: "api_error", gemini: "INTERNAL" },
    message: "internal failure",
  },
  {
    name: "529 overloaded",
    reply: () => overloadedReply(),
    status: 503,
    kind: { openai: ["server_error", "server_is_overloaded"], anthropic: "overloaded_error", gemini: "UNAVAILABLE" },
    message: "Overloaded",
  },
  {
    name: "401 from the provider (the gateway's credential failed)",
    reply: () => errorReply(401, { message: "invalid x-api-key" }),
    status: 502,
    kind: { openai: ["invalid_request_error", "invalid_api_key"], anthropic: "authentication_error", gemini: "UNAUTHENTICATED" },
    message: "invalid x-api-key",
  },
  {
    name: "400 from the provider",
    reply: () => errorReply(400, { message: "temperature: must be at most 2" }),
    status: 400,
    kind: { openai: ["invalid_request_error", null], anthropic: "invalid_request_error", gemini: "INVALID_ARGUMENT" },
    message: "temperature: must be at most 2",
  },
];

describe.each(clientProtocols)("upstream HTTP errors reach a %s client in its shape", (protocol) => {
  describe.each([
    ["passthrough", protocol],
    ["translated", translatedUpstream[protocol]],
  ] as const)("%s", (_path, upstream) => {
    const target = mockTargets[upstream];
    it.each(httpErrorTable)("$name", async ({ reply, status, kind, message }) => {
      gateway.mock.script(reply());
      const response = await postRaw(gateway.baseUrl, protocol, target.model, JSON.stringify(clientRoutes[protocol].body(target.model, false)));
      expect(expectProtocolError(protocol, status, kind, response)).toBe(`${target.provider}: ${message}`);
      if (status === 429) expect(response.headers.get("retry-after")).toBe("7");
      // The gateway keeps serving (once the key that failed is healthy again).
      await gateway.engine.credentials?.reset();
      const next = await postRaw(gateway.baseUrl, protocol, target.model, JSON.stringify(clientRoutes[protocol].body(target.model, false)));
      expect(next.status).toBe(200);
    });
  });

  it("a connection reset before any byte → 502", async () => {
    const target = mockTargets[translatedUpstream[protocol]];
    gateway.mock.script(resetReply());
    const response = await postRaw(gateway.baseUrl, protocol, target.model, JSON.stringify(clientRoutes[protocol].body(target.model, false)));
    const kind: ErrorKind = { openai: ["server_error", "upstream_server"], responses: ["server_error", "server_error"], anthropic: "api_error", gemini: "INTERNAL" };
    expect(expectProtocolError(protocol, 502, kind, response)).toMatch(new RegExp(`^${target.provider}: `));
  });
});

/** The text the mock streams; the fault cuts it after the first three words. */
const longText = "one two three four five six seven";

/** How each protocol ends a stream that failed, as raw SSE messages (after the partial output). */
function expectInStreamError(protocol: ProtocolId, messages: ReadonlyArray<{ event?: string; data: string }>, message: string): void {
  const last = messages.at(-1);
  switch (protocol) {
    case "openai-chat": {
      expect(last?.data).toBe("[DONE]");
      const error = JSON.parse(messages.at(-2)?.data ?? "{}") as unknown;
      expect(expectErrorBody(protocol, 502, { openai: ["server_error", "upstream_server"], responses: ["server_error", "server_error"], anthropic: "", gemini: "" }, error)).toBe(message);
      break;
    }
    case "openai-responses": {
      expect(last?.event).toBe("response.failed");
      const failed = JSON.parse(last?.data ?? "{}") as { response: { status: string; error: { code: string; message: string } } };
      expect([failed.response.status, failed.response.error]).toEqual(["failed", { code: "server_error", message }]);
      break;
    }
    case "anthropic-messages":
      expect(last?.event).toBe("error");
      expect(JSON.parse(last?.data ?? "{}")).toEqual({ type: "error", error: { type: "api_error", message } });
      break;
    case "gemini":
      expect(JSON.parse(last?.data ?? "{}")).toEqual({ error: { code: 502, message, status: "INTERNAL" } });
      break;
    default: {
      const unreachable: never = protocol;
      throw new Error(`unknown protocol ${String(unreachable)}`);
    }
  }
}

/** What each upstream protocol's decoder says when the stream closed before its terminal event. */
const earlyEndMessages: Record<ProtocolId, string> = {
  "openai-chat": "upstream stream ended before a finish_reason",
  "openai-responses": "the Responses stream ended before response.completed",
  "anthropic-messages": "the Anthropic stream ended before message_stop",
  gemini: "the Gemini stream ended without a finishReason",
};

/** The visible text of a raw stream in any protocol (enough to see the partial output arrived). */
function streamedText(messages: ReadonlyArray<{ event?: string; data: string }>): string {
  const text = (value: unknown): string => {
    if (typeof value !== "object" || value === null) return "";
    const record = value as Record<string, unknown>;
    if (record["type"] === "response.output_text.delta") return String(record["delta"]);
    if (record["type"] === "content_block_delta") return text(record["delta"]);
    if (record["type"] === "text_delta") return String(record["text"]);
    if (Array.isArray(record["choices"])) return String((record["choices"][0] as { delta?: { content?: string } })?.delta?.content ?? "");
    if (Array.isArray(record["candidates"])) {
      const parts = (record["candidates"][0] as { content?: { parts?: Array<{ text?: string }> } })?.content?.parts ?? [];
      return parts.map((part) => part.text ?? "").join("");
    }
    return "";
  };
  return messages.map((message) => (message.data === "[DONE]" ? "" : text(JSON.parse(message.data)))).join("");
}

describe.each(clientProtocols)("an upstream failing mid-stream, %s client", (protocol) => {
  describe.each([
    ["passthrough", protocol],
    ["translated", translatedUpstream[protocol]],
  ] as const)("%s", (_path, upstream) => {
    const target = mockTargets[upstream];
    // Frames before the cut: chat sends a role chunk first, the others their preamble (Anthropic start + ping, Responses
    // created + in_progress + item/part added), so each cut lands after a few words whatever the protocol.
    const framesBeforeCut: Record<ProtocolId, number> = { "openai-chat": 4, "openai-responses": 7, "anthropic-messages": 6, gemini: 3 };

    it.each([
      ["the connection drops", { dropAfterFrames: framesBeforeCut[upstream] }, `${target.provider}: connection failed (UND_ERR_SOCKET)`],
      ["the stream ends without its terminal event", { endAfterFrames: framesBeforeCut[upstream] }, earlyEndMessages[upstream]],
    ] as const)("%s: partial output, then the protocol's in-stream error, then the end", async (_case, faults, message) => {
      gateway.mock.script(withFaults(textReply(longText), faults));
      const response = await fetch(`${gateway.baseUrl}${clientRoutes[protocol].path(target.model, true)}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...clientRoutes[protocol].keyHeader(testProxyKey) },
        body: JSON.stringify(clientRoutes[protocol].body(target.model, true)),
      });
      expect(response.status).toBe(200);
      const messages = parseSseText(await response.text());
      expect(streamedText(messages)).toBe("one two three");
      expectInStreamError(protocol, messages, message);
    });
  });
});

describe("the SDKs raise on a mid-stream failure after yielding the partial text", () => {
  const cut = (upstream: ProtocolId) => withFaults(textReply(longText), { dropAfterFrames: { "openai-chat": 4, "openai-responses": 7, "anthropic-messages": 6, gemini: 3 }[upstream] });

  it.each(["openai-chat", "anthropic-messages"] as const)("openai chat stream (%s upstream)", async (upstream) => {
    gateway.mock.script(cut(upstream));
    const client = new OpenAI({ baseURL: `${gateway.baseUrl}/v1`, apiKey: testProxyKey, maxRetries: 0 });
    let text = "";
    const consume = async () => {
      for await (const chunk of await client.chat.completions.create({ model: mockTargets[upstream].model, stream: true, messages: [{ role: "user", content: "hi" }] })) {
        text += chunk.choices[0]?.delta.content ?? "";
      }
    };
    await expect(consume()).rejects.toBeInstanceOf(OpenAI.APIError);
    expect(text).toBe("one two three");
  });

  it.each(["openai-responses", "gemini"] as const)("openai responses stream (%s upstream)", async (upstream) => {
    gateway.mock.script(cut(upstream));
    const client = new OpenAI({ baseURL: `${gateway.baseUrl}/v1`, apiKey: testProxyKey, maxRetries: 0 });
    const stream = client.responses.stream({ model: mockTargets[upstream].model, input: "hi" });
    let text = "";
    stream.on("response.output_text.delta", (event) => {
      text += event.delta;
    });
    const final = await stream.finalResponse().catch((error: unknown) => error);
    // `response.failed` is a terminal event: the helper resolves with the failed response rather than throwing.
    expect(final).toMatchObject({ status: "failed", error: { code: "server_error" } });
    expect(text).toBe("one two three");
  });

  it.each(["anthropic-messages", "openai-chat"] as const)("anthropic messages stream (%s upstream)", async (upstream) => {
    gateway.mock.script(cut(upstream));
    const client = new Anthropic({ baseURL: gateway.baseUrl, apiKey: testProxyKey, maxRetries: 0 });
    const stream = client.messages.stream({ model: mockTargets[upstream].model, max_tokens: 64, messages: [{ role: "user", content: "hi" }] });
    let text = "";
    stream.on("text", (delta) => {
      text += delta;
    });
    await expect(stream.finalMessage()).rejects.toMatchObject({ error: { type: "error", error: { type: "api_error" } } });
    expect(text).toBe("one two three");
  });

  it.each(["gemini", "openai-responses"] as const)("genai stream (%s upstream)", async (upstream) => {
    gateway.mock.script(cut(upstream));
    const client = new GoogleGenAI({ apiKey: testProxyKey, httpOptions: { baseUrl: gateway.baseUrl } });
    let text = "";
    const consume = async () => {
      for await (const chunk of await client.models.generateContentStream({ model: mockTargets[upstream].model, contents: "hi" })) text += chunk.text ?? "";
    };
    await expect(consume()).rejects.toThrow(/UND_ERR_SOCKET/);
    expect(text).toBe("one two three");
  });
});
