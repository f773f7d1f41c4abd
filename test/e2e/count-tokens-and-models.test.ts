import Anthropic from "@anthropic-ai/sdk";
import type { MessageCountTokensParams } from "@anthropic-ai/sdk/resources/messages";
import { GoogleGenAI, type Model } from "@google/genai";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { e2ePrompt, e2eTools } from "../support/e2e-scenarios.js";
import { mockTargets, startTestGateway, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

let gateway: TestGateway;
let anthropic: Anthropic;
let genai: GoogleGenAI;
beforeAll(async () => {
  gateway = await startTestGateway();
  anthropic = new Anthropic({ baseURL: gateway.baseUrl, apiKey: testProxyKey, maxRetries: 0 });
  genai = new GoogleGenAI({ apiKey: testProxyKey, httpOptions: { baseUrl: gateway.baseUrl } });
});
afterAll(async () => {
  await gateway.close();
});
beforeEach(() => {
  gateway.reset();
});

const countRequests = () => gateway.mock.received.filter((request) => request.route.operation === "count-tokens");

/** A count request as Claude Code sends one before compacting: system, tools, a tool turn with thinking. */
function countParams(model: string, withTools: boolean): MessageCountTokensParams {
  return {
    model,
    system: "You are a terse assistant.",
    messages: [
      { role: "user", content: e2ePrompt },
      ...(withTools
        ? [
            {
              role: "assistant" as const,
              content: [
                { type: "thinking" as const, thinking: "I should look the weather up.", signature: "c2ln" },
                { type: "tool_use" as const, id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
              ],
            },
            { role: "user" as const, content: [{ type: "tool_result" as const, tool_use_id: "toolu_1", content: '{"temperature":21,"sky":"sunny"}' }] },
          ]
        : []),
    ],
    ...(withTools ? { tools: e2eTools.map((tool) => ({ name: tool.name, description: tool.description, input_schema: { ...tool.parameters, type: "object" as const } })) } : {}),
  };
}

describe("count_tokens through @anthropic-ai/sdk", () => {
  it("forwards to an Anthropic upstream's count endpoint, body unchanged but the model, betas included", async () => {
    const target = mockTargets["anthropic-messages"];
    const counted = await anthropic.messages.countTokens(countParams(target.model, true), { headers: { "anthropic-beta": "token-counting-2024-11-01" } });
    expect(counted).toEqual({ input_tokens: 12 });
    const [request] = countRequests();
    expect(request?.path).toBe("/v1/messages/count_tokens");
    expect(request?.headers["anthropic-beta"]).toBe("token-counting-2024-11-01");
    const clientBody = gateway.clientRequests[0]?.bodyText ?? "";
    expect(request?.bodyText).toBe(clientBody.replace(`"model":"${target.model}"`, `"model":"${target.upstreamModel}"`));
  });

  it("counts locally for an OpenAI Chat upstream (no count endpoint): everything that goes upstream counts", async () => {
    const model = mockTargets["openai-chat"].model;
    const plain = await anthropic.messages.countTokens(countParams(model, false));
    const withToolTurn = await anthropic.messages.countTokens(countParams(model, true));
    expect(plain.input_tokens).toBeGreaterThan(0);
    // Tools, the tool call, its result and the thinking all go upstream, so they all count.
    expect(withToolTurn.input_tokens).toBeGreaterThan(plain.input_tokens + 40);
    expect(gateway.mock.received).toEqual([]);
  });

  it("asks a Gemini upstream's countTokens with the translated request", async () => {
    const target = mockTargets.gemini;
    expect(await anthropic.messages.countTokens(countParams(target.model, false))).toEqual({ input_tokens: 12 });
    const [request] = countRequests();
    expect(request?.path).toBe(`/v1beta/models/${target.upstreamModel}:countTokens`);
    expect(request?.json).toEqual({
      generateContentRequest: {
        model: `models/${target.upstreamModel}`,
        systemInstruction: { parts: [{ text: "You are a terse assistant." }] },
        contents: [{ role: "user", parts: [{ text: e2ePrompt }] }],
      },
    });
  });
});

describe("countTokens through @google/genai", () => {
  it("passes through to a Gemini upstream", async () => {
    const target = mockTargets.gemini;
    const counted = await genai.models.countTokens({ model: target.model, contents: e2ePrompt });
    expect(counted.totalTokens).toBe(12);
    const [request] = countRequests();
    expect(request?.path).toBe(`/v1beta/models/${target.upstreamModel}:countTokens`);
    expect(request?.bodyText).toBe(gateway.clientRequests[0]?.bodyText);
  });

  it("asks an Anthropic upstream's count_tokens", async () => {
    const target = mockTargets["anthropic-messages"];
    expect((await genai.models.countTokens({ model: target.model, contents: e2ePrompt })).totalTokens).toBe(12);
    expect(countRequests().map((request) => [request.path, request.json])).toEqual([
      ["/v1/messages/count_tokens", { model: target.upstreamModel, messages: [{ role: "user", content: e2ePrompt }] }],
    ]);
  });

  it.each(["openai-chat", "openai-responses"] as const)("counts locally for an %s upstream", async (protocol) => {
    const counted = await genai.models.countTokens({ model: mockTargets[protocol].model, contents: e2ePrompt });
    expect(counted.totalTokens).toBeGreaterThan(5);
    expect(gateway.mock.received).toEqual([]);
  });
});

/** What every provider's list endpoint on the mock offers, as `provider/model`, in registry order. */
const listedModels: ReadonlyArray<[string, string]> = [
  ["openai/gpt-mock-large", "openai"],
  ["openai/gpt-mock-small", "openai"],
  ["anthropic/claude-mock-sonnet", "anthropic"],
  ["anthropic/claude-mock-haiku", "anthropic"],
  ["gemini/gemini-mock-pro", "gemini"],
  ["gemini/gemini-mock-flash", "gemini"],
  ["responsesmock/gpt-mock-large", "responsesmock"],
  ["responsesmock/gpt-mock-small", "responsesmock"],
];

describe("model listing through each SDK", () => {
  it("openai models.list", async () => {
    const openai = new OpenAI({ baseURL: `${gateway.baseUrl}/v1`, apiKey: testProxyKey, maxRetries: 0 });
    const models: OpenAI.Models.Model[] = [];
    for await (const model of openai.models.list()) models.push(model);
    expect(models).toEqual(listedModels.map(([id, provider]) => ({ id, object: "model", created: 0, owned_by: provider })));
  });

  it("anthropic models.list (Anthropic shape because the SDK sends anthropic-version)", async () => {
    const ids: string[] = [];
    for await (const model of anthropic.models.list()) {
      expect(model.type).toBe("model");
      ids.push(model.id);
    }
    expect(ids).toEqual(listedModels.map(([id]) => id));
  });

  it.each(["v1beta", "v1"] as const)("genai models.list under %s", async (apiVersion) => {
    const client = new GoogleGenAI({ apiKey: testProxyKey, httpOptions: { baseUrl: gateway.baseUrl, apiVersion } });
    const models: Model[] = [];
    for await (const model of await client.models.list()) models.push(model);
    expect(models.map((model) => model.name)).toEqual(listedModels.map(([id]) => `models/${id}`));
    expect(gateway.clientRequests.map((request) => request.url.split("?")[0])).toEqual([`/${apiVersion}/models`]);
  });
});
