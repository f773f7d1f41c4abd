import Anthropic from "@anthropic-ai/sdk";
import type { Message, MessageCreateParamsNonStreaming, MessageParam } from "@anthropic-ai/sdk/resources/messages";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { tagReasoningArtefact } from "../../src/unified/index.js";
import { describeClientMatrix, isReasoningArtefact, type ClientAdapter, type ClientTurn } from "../support/describe-client-matrix.js";
import { e2ePrompt, mockReasoning } from "../support/e2e-scenarios.js";
import { textReply } from "../support/mock-upstream.js";
import { mockTargets, startTestGateway, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

/** How the client authenticates: 1.x sends `Authorization: Bearer` and its own version; 0.x sent `x-api-key` and 2023-06-01. */
type AuthStyle = "1.x" | "0.x";

function anthropicClient(gateway: TestGateway, style: AuthStyle, extraHeaders: Record<string, string> = {}): Anthropic {
  if (style === "1.x") return new Anthropic({ baseURL: gateway.baseUrl, apiKey: testProxyKey, maxRetries: 0, defaultHeaders: extraHeaders });
  // `Authorization: null` removes the SDK's bearer header, leaving the 0.x headers only.
  return new Anthropic({
    baseURL: gateway.baseUrl,
    apiKey: testProxyKey,
    maxRetries: 0,
    defaultHeaders: { Authorization: null, "x-api-key": testProxyKey, "anthropic-version": "2023-06-01", ...extraHeaders },
  });
}

function readMessage(message: Message): ClientTurn {
  let reasoning: ClientTurn["reasoning"];
  for (const block of message.content) {
    if (block.type !== "thinking") continue;
    const signature = reasoning?.signature ?? (isReasoningArtefact(block.signature) ? block.signature : undefined);
    reasoning = { text: (reasoning?.text ?? "") + block.thinking, ...(signature === undefined ? {} : { signature }) };
  }
  return {
    text: message.content.flatMap((block) => (block.type === "text" ? [block.text] : [])).join(""),
    toolCalls: message.content.flatMap((block) => (block.type === "tool_use" ? [{ id: block.id, name: block.name, arguments: block.input }] : [])),
    finish: message.stop_reason ?? undefined,
    usage: {
      input_tokens: message.usage.input_tokens,
      cache_read_input_tokens: message.usage.cache_read_input_tokens ?? undefined,
      cache_creation_input_tokens: message.usage.cache_creation_input_tokens ?? undefined,
      output_tokens: message.usage.output_tokens,
    },
    ...(reasoning === undefined ? {} : { reasoning }),
  };
}

/** `@anthropic-ai/sdk` Messages; streaming through `messages.stream().finalMessage()`, which needs `message_stop`. */
function anthropicAdapter(style: AuthStyle): ClientAdapter {
  return {
    protocol: "anthropic-messages",
    start(gateway, options) {
      const client = anthropicClient(gateway, style);
      const messages: MessageParam[] = [{ role: "user", content: options.prompt }];
      const params = (): MessageCreateParamsNonStreaming => ({
        model: options.model,
        max_tokens: 2048,
        messages,
        ...(options.tools.length === 0
          ? {}
          : { tools: options.tools.map((tool) => ({ name: tool.name, description: tool.description, input_schema: { ...tool.parameters, type: "object" as const } })) }),
        ...(options.thinking ? { thinking: { type: "enabled" as const, budget_tokens: 1024 } } : {}),
      });
      return {
        async send(stream) {
          const message = stream ? await client.messages.stream(params()).finalMessage() : await client.messages.create(params());
          // The assistant content goes back verbatim, thinking blocks and signatures included (as Claude Code does).
          messages.push({ role: "assistant", content: message.content });
          return readMessage(message);
        },
        addToolResults(results) {
          // Anthropic wants every result of a turn in one user message.
          messages.push({ role: "user", content: results.map(({ call, output }) => ({ type: "tool_result" as const, tool_use_id: call.id, content: output })) });
        },
      };
    },
    finish: { stop: "end_turn", toolCalls: "tool_use" },
    expectedUsage(usage) {
      // Anthropic's input_tokens excludes cache reads; it has no separate reasoning count.
      return {
        input_tokens: usage.input - (usage.cacheRead ?? 0),
        cache_read_input_tokens: usage.cacheRead ?? 0,
        cache_creation_input_tokens: 0,
        output_tokens: usage.output,
      };
    },
    expectedReasoning(upstream) {
      if (upstream === "openai-chat") return { text: mockReasoning.text };
      const signature = mockReasoning.signature ?? "";
      if (upstream === "anthropic-messages") return { text: mockReasoning.text, signature };
      // A Responses artefact is encrypted content, not a signature: its kind rides in the tag so it goes back as such.
      return { text: mockReasoning.text, signature: tagReasoningArtefact(signature, upstream, upstream === "openai-responses" ? "encrypted" : undefined) };
    },
    carriesArtefactBack() {
      return true;
    },
  };
}

describeClientMatrix("@anthropic-ai/sdk Messages, 1.x auth (Bearer, its own anthropic-version)", anthropicAdapter("1.x"));
describeClientMatrix("@anthropic-ai/sdk Messages, 0.x auth (x-api-key, anthropic-version 2023-06-01)", anthropicAdapter("0.x"));

describe("@anthropic-ai/sdk headers through the gateway", () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway.close();
  });
  beforeEach(() => {
    gateway.reset();
  });

  it.each([
    ["1.x", { authorization: `Bearer ${testProxyKey}`, "x-api-key": undefined, "anthropic-version": "2026-10-21" }],
    ["0.x", { authorization: undefined, "x-api-key": testProxyKey, "anthropic-version": "2023-06-01" }],
  ] as const)("accepts the %s auth style and forwards betas and version, never the proxy key", async (style, clientHeaders) => {
    gateway.mock.script(textReply("ok"));
    const client = anthropicClient(gateway, style as AuthStyle, { "anthropic-beta": "interleaved-thinking-2025-05-14,context-1m-2025-08-07" });
    const message = await client.messages.create({ model: mockTargets["anthropic-messages"].model, max_tokens: 64, messages: [{ role: "user", content: e2ePrompt }] });
    expect(message.content).toEqual([{ type: "text", text: "ok" }]);
    const sent = gateway.clientRequests[0]?.headers ?? {};
    expect({ authorization: sent["authorization"], "x-api-key": sent["x-api-key"], "anthropic-version": sent["anthropic-version"] }).toEqual(clientHeaders);
    const received = gateway.mock.generateRequests()[0]?.headers ?? {};
    expect(received["anthropic-beta"]).toBe("interleaved-thinking-2025-05-14,context-1m-2025-08-07");
    expect(received["anthropic-version"]).toBe(clientHeaders["anthropic-version"]);
    expect(received["x-api-key"]).toBe(mockTargets["anthropic-messages"].upstreamKey);
    expect(received["authorization"]).toBeUndefined();
  });

  it("tolerates the ?beta=true query Claude Code adds", async () => {
    gateway.mock.script(textReply("beta ok"));
    const client = anthropicClient(gateway, "1.x");
    const params = { model: mockTargets["anthropic-messages"].model, max_tokens: 64, messages: [{ role: "user" as const, content: e2ePrompt }] };
    const message = await client.messages.create(params, { query: { beta: "true" } });
    expect(gateway.clientRequests[0]?.url).toBe("/v1/messages?beta=true");
    expect(message.content).toEqual([{ type: "text", text: "beta ok" }]);
  });
});
