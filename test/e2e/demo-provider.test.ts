import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import { generateText, streamText } from "ai";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

/** No provider credentials at all: the built-in demo provider answers every model name. */
let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway({ withoutProviders: true });
});
afterAll(async () => {
  await gateway.close();
});

const prompt = "Hello there, gateway!";
const model = "gpt-demo";
const demoText = `This is the Switchyard demo provider answering as ${model}. You said: "${prompt}". Set a provider key in .env (see .env.example) to reach a real model.`;
const weatherTool = { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };

describe("the demo provider through every SDK", () => {
  it("reports itself in /health", async () => {
    const health = (await (await fetch(`${gateway.baseUrl}/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: "ok", demo: true, providers: [{ id: "demo", protocol: "openai-chat" }] });
  });

  it.each([false, true])("openai chat (stream: %s)", async (stream) => {
    const client = new OpenAI({ baseURL: `${gateway.baseUrl}/v1`, apiKey: testProxyKey, maxRetries: 0 });
    const params = { model, messages: [{ role: "user" as const, content: prompt }] };
    const text = stream
      ? (await client.chat.completions.stream(params).finalChatCompletion()).choices[0]?.message.content
      : (await client.chat.completions.create(params)).choices[0]?.message.content;
    expect(text).toBe(demoText);
  });

  it.each([false, true])("openai responses (stream: %s)", async (stream) => {
    const client = new OpenAI({ baseURL: `${gateway.baseUrl}/v1`, apiKey: testProxyKey, maxRetries: 0 });
    const params = { model, input: prompt };
    const response = stream ? await client.responses.stream(params).finalResponse() : await client.responses.create(params);
    expect([response.status, response.output_text]).toEqual(["completed", demoText]);
  });

  it.each([false, true])("anthropic messages (stream: %s)", async (stream) => {
    const client = new Anthropic({ baseURL: gateway.baseUrl, apiKey: testProxyKey, maxRetries: 0 });
    const params = { model, max_tokens: 256, messages: [{ role: "user" as const, content: prompt }] };
    const message = stream ? await client.messages.stream(params).finalMessage() : await client.messages.create(params);
    expect([message.stop_reason, message.content]).toEqual(["end_turn", [{ type: "text", text: demoText }]]);
  });

  it.each([false, true])("google genai (stream: %s)", async (stream) => {
    const client = new GoogleGenAI({ apiKey: testProxyKey, httpOptions: { baseUrl: gateway.baseUrl } });
    let text = "";
    if (stream) for await (const chunk of await client.models.generateContentStream({ model, contents: prompt })) text += chunk.text ?? "";
    else text = (await client.models.generateContent({ model, contents: prompt })).text ?? "";
    expect(text).toBe(demoText);
  });

  it.each([false, true])("Vercel AI SDK (stream: %s)", async (stream) => {
    const provider = createOpenAICompatible({ name: "switchyard", baseURL: `${gateway.baseUrl}/v1`, apiKey: testProxyKey });
    const call = { model: provider.chatModel(model), prompt, maxRetries: 0 };
    const text = stream ? await streamText(call).text : (await generateText(call)).text;
    expect(text).toBe(demoText);
  });

  it("calls a tool when asked for the weather, across protocols (anthropic SDK)", async () => {
    const client = new Anthropic({ baseURL: gateway.baseUrl, apiKey: testProxyKey, maxRetries: 0 });
    const message = await client.messages.create({
      model,
      max_tokens: 256,
      tools: [{ name: weatherTool.name, description: weatherTool.description, input_schema: { ...weatherTool.parameters, type: "object" } }],
      messages: [{ role: "user", content: "What is the weather in Paris?" }],
    });
    expect(message.stop_reason).toBe("tool_use");
    expect(message.content.map((block) => (block.type === "tool_use" ? [block.name, block.input] : block.type))).toEqual([["get_weather", { city: "Paris" }]]);
  });
});
