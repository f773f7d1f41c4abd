import OpenAI from "openai";
import type { Response, ResponseCreateParamsNonStreaming, ResponseInputItem } from "openai/resources/responses/responses";
import { tagReasoningArtefact } from "../../src/unified/index.js";
import { describeClientMatrix, isReasoningArtefact, type ClientAdapter, type ClientTurn } from "../support/describe-client-matrix.js";
import { mockReasoning } from "../support/e2e-scenarios.js";
import { testProxyKey } from "../support/start-test-gateway.js";

function readResponse(response: Response): ClientTurn {
  // A turn may hold several reasoning items (Gemini signs the part after its thoughts): texts join, the first artefact counts.
  let reasoning: ClientTurn["reasoning"];
  for (const item of response.output) {
    if (item.type !== "reasoning") continue;
    const summary = item.summary.map((part) => part.text).join("");
    const text = (reasoning?.text ?? "") + (summary === "" ? (item.content ?? []).map((part) => part.text).join("") : summary);
    const signature = reasoning?.signature ?? (isReasoningArtefact(item.encrypted_content) ? item.encrypted_content : undefined);
    reasoning = { text, ...(signature === undefined ? {} : { signature }) };
  }
  const usage = response.usage;
  return {
    text: response.output_text,
    toolCalls: response.output.flatMap((item) =>
      item.type === "function_call" ? [{ id: item.call_id, name: item.name, arguments: JSON.parse(item.arguments) as unknown }] : [],
    ),
    // Responses has no finish reason: a turn is `completed` whether it ends in text or in calls.
    finish: response.status ?? undefined,
    usage: {
      input_tokens: usage?.input_tokens,
      cached_tokens: usage?.input_tokens_details.cached_tokens,
      output_tokens: usage?.output_tokens,
      reasoning_tokens: usage?.output_tokens_details.reasoning_tokens,
      total_tokens: usage?.total_tokens,
    },
    ...(reasoning === undefined ? {} : { reasoning }),
  };
}

/** The `openai` SDK's Responses API, stateless (the whole input every turn); streaming through `responses.stream()`. */
const openAiResponsesAdapter: ClientAdapter = {
  protocol: "openai-responses",
  start(gateway, options) {
    const client = new OpenAI({ baseURL: `${gateway.baseUrl}/v1`, apiKey: testProxyKey, maxRetries: 0 });
    const input: ResponseInputItem[] = [{ role: "user", content: options.prompt }];
    const params = (): Omit<ResponseCreateParamsNonStreaming, "stream"> => ({
      model: options.model,
      input,
      store: false,
      ...(options.tools.length === 0
        ? {}
        : { tools: options.tools.map((tool) => ({ type: "function" as const, name: tool.name, description: tool.description, parameters: tool.parameters, strict: false })) }),
      ...(options.thinking ? { reasoning: { effort: "medium" as const, summary: "auto" as const }, include: ["reasoning.encrypted_content" as const] } : {}),
    });
    return {
      async send(stream) {
        const response = stream ? await client.responses.stream(params()).finalResponse() : await client.responses.create(params());
        // Stateless use: the output items go back as input on the next turn, as Codex does.
        input.push(...(response.output as ResponseInputItem[]));
        return readResponse(response);
      },
      addToolResults(results) {
        for (const { call, output } of results) input.push({ type: "function_call_output", call_id: call.id, output });
      },
    };
  },
  finish: { stop: "completed", toolCalls: "completed" },
  expectedUsage(usage, reasoningReported) {
    return {
      input_tokens: usage.input,
      cached_tokens: usage.cacheRead ?? 0,
      output_tokens: usage.output,
      reasoning_tokens: reasoningReported ? (usage.reasoning ?? 0) : 0,
      total_tokens: usage.input + usage.output,
    };
  },
  expectedReasoning(upstream) {
    if (upstream === "openai-chat") return { text: mockReasoning.text };
    const signature = mockReasoning.signature ?? "";
    return { text: mockReasoning.text, signature: upstream === "openai-responses" ? signature : tagReasoningArtefact(signature, upstream) };
  },
  carriesArtefactBack() {
    return true;
  },
};

describeClientMatrix("openai SDK, Responses", openAiResponsesAdapter);
