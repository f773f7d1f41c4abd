import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { generateText, jsonSchema, streamText, tool, type LanguageModelUsage, type ModelMessage, type ToolSet } from "ai";
import { describeClientMatrix, type ClientAdapter, type ClientTurn } from "../support/describe-client-matrix.js";
import { mockReasoning } from "../support/e2e-scenarios.js";
import { testProxyKey } from "../support/start-test-gateway.js";

interface VercelResult {
  text: string;
  reasoningText: string | undefined;
  toolCalls: ReadonlyArray<{ toolCallId: string; toolName: string; input: unknown }>;
  finishReason: string;
  usage: LanguageModelUsage;
}

function readResult(result: VercelResult): ClientTurn {
  return {
    text: result.text,
    toolCalls: result.toolCalls.map((call) => ({ id: call.toolCallId, name: call.toolName, arguments: call.input })),
    finish: result.finishReason,
    usage: {
      inputTokens: result.usage.inputTokens,
      cacheReadTokens: result.usage.inputTokenDetails.cacheReadTokens,
      noCacheTokens: result.usage.inputTokenDetails.noCacheTokens,
      outputTokens: result.usage.outputTokens,
      reasoningTokens: result.usage.outputTokenDetails.reasoningTokens,
      totalTokens: result.usage.totalTokens,
    },
    ...(result.reasoningText === undefined || result.reasoningText === "" ? {} : { reasoning: { text: result.reasoningText } }),
  };
}

/** The Vercel AI SDK (`ai`) through `@ai-sdk/openai-compatible` pointed at the gateway's OpenAI Chat route. */
const vercelAdapter: ClientAdapter = {
  protocol: "openai-chat",
  start(gateway, options) {
    const provider = createOpenAICompatible({ name: "switchyard", baseURL: `${gateway.baseUrl}/v1`, apiKey: testProxyKey, includeUsage: true });
    const model = provider.chatModel(options.model);
    const messages: ModelMessage[] = [{ role: "user", content: options.prompt }];
    // No `execute`: the SDK hands the calls to the application, which answers them on the next turn.
    const tools: ToolSet = Object.fromEntries(
      options.tools.map((entry) => [entry.name, tool({ description: entry.description, inputSchema: jsonSchema(entry.parameters) })]),
    );
    const call = { model, messages, maxRetries: 0, ...(options.tools.length === 0 ? {} : { tools }) };
    return {
      async send(stream) {
        let result: VercelResult;
        if (stream) {
          const streamed = streamText({ ...call, onError: () => undefined });
          result = {
            text: await streamed.text,
            reasoningText: await streamed.reasoningText,
            toolCalls: await streamed.toolCalls,
            finishReason: await streamed.finishReason,
            usage: await streamed.usage,
          };
          messages.push(...(await streamed.response).messages);
        } else {
          const generated = await generateText(call);
          result = generated;
          messages.push(...generated.response.messages);
        }
        return readResult(result);
      },
      addToolResults(results) {
        messages.push({
          role: "tool",
          content: results.map(({ call: toolCall, output }) => ({
            type: "tool-result" as const,
            toolCallId: toolCall.id,
            toolName: toolCall.name,
            output: { type: "text" as const, value: output },
          })),
        });
      },
    };
  },
  finish: { stop: "stop", toolCalls: "tool-calls" },
  expectedUsage(usage, reasoningReported) {
    const reasoning = reasoningReported ? (usage.reasoning ?? 0) : 0;
    return {
      inputTokens: usage.input,
      cacheReadTokens: usage.cacheRead ?? 0,
      noCacheTokens: usage.input - (usage.cacheRead ?? 0),
      outputTokens: usage.output,
      reasoningTokens: reasoning,
      totalTokens: usage.input + usage.output,
    };
  },
  expectedReasoning() {
    // The OpenAI-compatible provider reads `reasoning_content` only; artefacts in `reasoning_details` are not kept.
    return { text: mockReasoning.text };
  },
  carriesArtefactBack(upstream) {
    // Gemini's signature rides in the tool-call id, which the SDK sends back unchanged. Anthropic's signed thinking,
    // which the SDK drops, is put back by the gateway's field cache (provider-declared rule).
    return upstream === "gemini" || upstream === "anthropic-messages";
  },
};

describeClientMatrix("Vercel AI SDK via @ai-sdk/openai-compatible", vercelAdapter);
