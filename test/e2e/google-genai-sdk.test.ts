import { GoogleGenAI, type Content, type GenerateContentConfig, type GenerateContentResponse, type Part } from "@google/genai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { tagReasoningArtefact } from "../../src/unified/index.js";
import { describeClientMatrix, isReasoningArtefact, type ClientAdapter, type ClientTurn } from "../support/describe-client-matrix.js";
import { e2ePrompt, mockReasoning } from "../support/e2e-scenarios.js";
import { textReply } from "../support/mock-upstream.js";
import { mockTargets, startTestGateway, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

/** `@google/genai` 1.x called /v1beta, 3.x calls /v1: the gateway serves both. */
type ApiVersion = "v1beta" | "v1";

function genaiClient(gateway: TestGateway, apiVersion: ApiVersion): GoogleGenAI {
  return new GoogleGenAI({ apiKey: testProxyKey, httpOptions: { baseUrl: gateway.baseUrl, apiVersion } });
}

/** Reads the answer from all of a response's parts (one response, or every chunk of a stream merged). */
function readParts(parts: readonly Part[], last: GenerateContentResponse | undefined): ClientTurn {
  let reasoningText: string | undefined;
  let signature: string | undefined;
  for (const part of parts) {
    if (part.thought === true) reasoningText = (reasoningText ?? "") + (part.text ?? "");
    if (isReasoningArtefact(part.thoughtSignature)) signature ??= part.thoughtSignature;
  }
  const usage = last?.usageMetadata;
  return {
    text: parts.flatMap((part) => (part.thought !== true && part.text !== undefined ? [part.text] : [])).join(""),
    toolCalls: parts.flatMap((part) =>
      part.functionCall === undefined ? [] : [{ id: part.functionCall.id ?? "", name: part.functionCall.name ?? "", arguments: part.functionCall.args }],
    ),
    finish: last?.candidates?.[0]?.finishReason,
    usage: {
      promptTokenCount: usage?.promptTokenCount,
      cachedContentTokenCount: usage?.cachedContentTokenCount,
      candidatesTokenCount: usage?.candidatesTokenCount,
      thoughtsTokenCount: usage?.thoughtsTokenCount,
      totalTokenCount: usage?.totalTokenCount,
    },
    ...(reasoningText === undefined && signature === undefined
      ? {}
      : { reasoning: { text: reasoningText ?? "", ...(signature === undefined ? {} : { signature }) } }),
  };
}

/** `@google/genai` generateContent / generateContentStream, history kept as `contents` (as its chat helper does). */
function genaiAdapter(apiVersion: ApiVersion): ClientAdapter {
  return {
    protocol: "gemini",
    start(gateway, options) {
      const client = genaiClient(gateway, apiVersion);
      const contents: Content[] = [{ role: "user", parts: [{ text: options.prompt }] }];
      const config: GenerateContentConfig = {
        ...(options.tools.length === 0
          ? {}
          : { tools: [{ functionDeclarations: options.tools.map((tool) => ({ name: tool.name, description: tool.description, parametersJsonSchema: tool.parameters })) }] }),
        ...(options.thinking ? { thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 } } : {}),
      };
      return {
        async send(stream) {
          const parts: Part[] = [];
          let last: GenerateContentResponse | undefined;
          if (stream) {
            for await (const chunk of await client.models.generateContentStream({ model: options.model, contents, config })) {
              parts.push(...(chunk.candidates?.[0]?.content?.parts ?? []));
              last = chunk;
            }
          } else {
            last = await client.models.generateContent({ model: options.model, contents, config });
            parts.push(...(last.candidates?.[0]?.content?.parts ?? []));
          }
          // The model's parts go back whole, thought signatures included.
          contents.push({ role: "model", parts });
          return readParts(parts, last);
        },
        addToolResults(results) {
          contents.push({
            role: "user",
            parts: results.map(({ call, output }) => ({ functionResponse: { ...(call.id === "" ? {} : { id: call.id }), name: call.name, response: { output } } })),
          });
        },
      };
    },
    finish: { stop: "STOP", toolCalls: "STOP" },
    expectedUsage(usage, reasoningReported) {
      // promptTokenCount includes cached tokens; candidatesTokenCount excludes thoughts, which are counted apart.
      const reasoning = reasoningReported ? (usage.reasoning ?? 0) : 0;
      return {
        promptTokenCount: usage.input,
        cachedContentTokenCount: usage.cacheRead,
        candidatesTokenCount: usage.output - reasoning,
        thoughtsTokenCount: reasoning === 0 ? undefined : reasoning,
        totalTokenCount: usage.input + usage.output,
      };
    },
    expectedReasoning(upstream) {
      if (upstream === "openai-chat") return { text: mockReasoning.text };
      const signature = mockReasoning.signature ?? "";
      if (upstream === "gemini") return { text: mockReasoning.text, signature };
      // A Responses artefact is encrypted content, not a signature: its kind rides in the tag so it goes back as such.
      return { text: mockReasoning.text, signature: tagReasoningArtefact(signature, upstream, upstream === "openai-responses" ? "encrypted" : undefined) };
    },
    carriesArtefactBack() {
      return true;
    },
  };
}

describeClientMatrix("@google/genai under /v1beta", genaiAdapter("v1beta"));
describeClientMatrix("@google/genai under /v1", genaiAdapter("v1"));

describe("@google/genai paths and keys", () => {
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

  it.each(["v1beta", "v1"] as const)("calls %s with x-goog-api-key; the upstream gets the provider's key and path", async (apiVersion) => {
    gateway.mock.script(textReply("path ok"), textReply("stream path ok"));
    const client = genaiClient(gateway, apiVersion);
    const model = mockTargets.gemini.model;
    expect((await client.models.generateContent({ model, contents: e2ePrompt })).text).toBe("path ok");
    let streamed = "";
    for await (const chunk of await client.models.generateContentStream({ model, contents: e2ePrompt })) streamed += chunk.text ?? "";
    expect(streamed).toBe("stream path ok");
    expect(gateway.clientRequests.map((request) => [request.url, request.headers["x-goog-api-key"]])).toEqual([
      [`/${apiVersion}/models/${model}:generateContent`, testProxyKey],
      [`/${apiVersion}/models/${model}:streamGenerateContent?alt=sse`, testProxyKey],
    ]);
    const received = gateway.mock.generateRequests();
    expect(received.map((request) => [request.url, request.headers["x-goog-api-key"]])).toEqual([
      [`/v1beta/models/${mockTargets.gemini.upstreamModel}:generateContent`, mockTargets.gemini.upstreamKey],
      [`/v1beta/models/${mockTargets.gemini.upstreamModel}:streamGenerateContent?alt=sse`, mockTargets.gemini.upstreamKey],
    ]);
  });
});
