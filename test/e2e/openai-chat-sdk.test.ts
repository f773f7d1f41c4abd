import OpenAI from "openai";
import type { ChatCompletion, ChatCompletionCreateParams, ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tagReasoningArtefact } from "../../src/unified/index.js";
import { describeClientMatrix, isReasoningArtefact, type ClientAdapter, type ClientTurn } from "../support/describe-client-matrix.js";
import { mockReasoning } from "../support/e2e-scenarios.js";
import { textReply } from "../support/mock-upstream.js";
import { mockTargets, startTestGateway, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

/** Fields OpenAI-compatible servers add for reasoning: DeepSeek's text, OpenRouter's details with the artefacts. */
interface ReasoningMessageFields {
  reasoning_content?: string;
  reasoning_details?: Array<{ type: string; signature?: string; data?: string }>;
}

/** The opaque artefact of OpenRouter-style reasoning details: a text entry's signature or an encrypted entry's data. */
function detailArtefact(details: ReasoningMessageFields["reasoning_details"]): string | undefined {
  for (const detail of details ?? []) {
    const artefact = detail.signature ?? detail.data;
    if (isReasoningArtefact(artefact)) return artefact;
  }
  return undefined;
}

function readCompletion(completion: ChatCompletion, streamed: ReasoningMessageFields): ClientTurn {
  const choice = completion.choices[0];
  const message = choice?.message as (ChatCompletion["choices"][number]["message"] & ReasoningMessageFields) | undefined;
  const usage = completion.usage;
  const reasoning = streamed.reasoning_content ?? message?.reasoning_content;
  const signature = detailArtefact(streamed.reasoning_details ?? message?.reasoning_details);
  return {
    text: message?.content ?? "",
    toolCalls: (message?.tool_calls ?? []).flatMap((call) =>
      call.type === "function" ? [{ id: call.id, name: call.function.name, arguments: JSON.parse(call.function.arguments) as unknown }] : [],
    ),
    finish: choice?.finish_reason,
    usage: {
      prompt_tokens: usage?.prompt_tokens,
      completion_tokens: usage?.completion_tokens,
      total_tokens: usage?.total_tokens,
      cached_tokens: usage?.prompt_tokens_details?.cached_tokens,
      reasoning_tokens: usage?.completion_tokens_details?.reasoning_tokens,
    },
    ...(reasoning === undefined && signature === undefined ? {} : { reasoning: { text: reasoning ?? "", ...(signature === undefined ? {} : { signature }) } }),
  };
}

/** The `openai` SDK's Chat Completions API; streaming goes through its `stream()` helper, which checks the stream's end. */
const openAiChatAdapter: ClientAdapter = {
  protocol: "openai-chat",
  start(gateway, options) {
    const client = new OpenAI({ baseURL: `${gateway.baseUrl}/v1`, apiKey: testProxyKey, maxRetries: 0 });
    const messages: ChatCompletionMessageParam[] = [{ role: "user", content: options.prompt }];
    const base = (): ChatCompletionCreateParams => ({
      model: options.model,
      messages,
      ...(options.tools.length === 0
        ? {}
        : { tools: options.tools.map((tool) => ({ type: "function" as const, function: { name: tool.name, description: tool.description, parameters: tool.parameters } })) }),
      ...(options.thinking ? { reasoning_effort: "medium" as const } : {}),
    });
    return {
      async send(stream) {
        let completion: ChatCompletion;
        // The stream helper keeps only the fields it knows; reasoning is read from the raw chunks.
        const streamed: ReasoningMessageFields = {};
        if (stream) {
          const runner = client.chat.completions.stream({ ...base(), stream: true, stream_options: { include_usage: true } });
          runner.on("chunk", (chunk) => {
            const delta = chunk.choices[0]?.delta as ReasoningMessageFields | undefined;
            if (typeof delta?.reasoning_content === "string") streamed.reasoning_content = (streamed.reasoning_content ?? "") + delta.reasoning_content;
            if (delta?.reasoning_details !== undefined) streamed.reasoning_details = [...(streamed.reasoning_details ?? []), ...delta.reasoning_details];
          });
          completion = await runner.finalChatCompletion();
        } else {
          completion = await client.chat.completions.create({ ...base(), stream: false });
        }
        const message = completion.choices[0]?.message;
        // An application sends the assistant message back as it came (unknown fields included).
        if (message !== undefined) messages.push(message as ChatCompletionMessageParam);
        return readCompletion(completion, streamed);
      },
      addToolResults(results) {
        for (const { call, output } of results) messages.push({ role: "tool", tool_call_id: call.id, content: output });
      },
    };
  },
  finish: { stop: "stop", toolCalls: "tool_calls" },
  expectedUsage(usage, reasoningReported) {
    return {
      prompt_tokens: usage.input,
      completion_tokens: usage.output,
      total_tokens: usage.input + usage.output,
      cached_tokens: usage.cacheRead ?? 0,
      reasoning_tokens: reasoningReported ? (usage.reasoning ?? 0) : 0,
    };
  },
  expectedReasoning(upstream) {
    // Reasoning text in `reasoning_content`; artefacts in `reasoning_details`, tagged with their origin.
    if (upstream === "openai-chat") return { text: mockReasoning.text };
    // A Responses artefact is encrypted content: its tag names the kind (reasoning-signature.ts).
    return { text: mockReasoning.text, signature: tagReasoningArtefact(mockReasoning.signature ?? "", upstream, upstream === "openai-responses" ? "encrypted" : undefined) };
  },
  carriesArtefactBack() {
    // The message goes back as received; the stream helper copies unknown delta fields (`reasoning_details`) onto it.
    return true;
  },
};

describeClientMatrix("openai SDK, Chat Completions", openAiChatAdapter);

describe("openai SDK headers through the gateway", () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway.close();
  });

  it("forwards OpenAI-Beta on passthrough and swaps the proxy key for the provider's", async () => {
    gateway.mock.script(textReply("ok"));
    const client = new OpenAI({ baseURL: `${gateway.baseUrl}/v1`, apiKey: testProxyKey, maxRetries: 0, defaultHeaders: { "OpenAI-Beta": "assistants=v2" } });
    const completion = await client.chat.completions.create({ model: mockTargets["openai-chat"].model, messages: [{ role: "user", content: "hi" }] });
    expect(completion.choices[0]?.message.content).toBe("ok");
    const [received] = gateway.mock.generateRequests();
    expect([received?.headers["openai-beta"], received?.headers["authorization"]]).toEqual(["assistants=v2", `Bearer ${mockTargets["openai-chat"].upstreamKey}`]);
  });
});
