import OpenAI from "openai";
import type { ChatCompletionMessageParam, ChatCompletionTool } from "openai/resources/chat/completions";
import { afterEach, describe, expect, it } from "vitest";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/index.js";
import { createEngineFromConfig } from "../../src/library/index.js";
import { buildServer } from "../../src/server/index.js";
import { errorReply, startMockUpstream, textReply, type MockUpstream } from "../support/mock-upstream.js";
import { mockTargets, startTestGateway, testConfigDirectory, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

/** OpenRouter's answer when no endpoint of a routed model supports tools (status 404). */
const noToolEndpoints = {
  error: { message: "No endpoints found that support tool use. To learn more about provider routing, visit: https://openrouter.ai/docs/provider-routing", code: 404 },
};

const weatherTool: ChatCompletionTool = {
  type: "function",
  function: { name: "get_weather", description: "Current weather in a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
};

interface OpenRouterGateway {
  mock: MockUpstream;
  client: OpenAI;
  /** Client body texts in arrival order. */
  clientBodies: string[];
  close(): Promise<void>;
}

const gateways: OpenRouterGateway[] = [];
afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.close();
});

/** The real server (config → engine → Fastify) with the OpenRouter provider pointed at the mock upstream. */
async function startOpenRouterGateway(): Promise<OpenRouterGateway> {
  const mock = await startMockUpstream();
  const config = loadConfig({
    env: { OPENROUTER_API_KEY: "sk-or-upstream", OPENROUTER_API_BASE: `${mock.baseUrl}/v1`, SWITCHYARD_PROXY_KEYS: testProxyKey, SWITCHYARD_MAX_RETRIES: "0" },
    cwd: testConfigDirectory,
    dotenv: false,
  });
  const app = buildServer({ gateway: createEngineFromConfig(config), proxyKeys: [testProxyKey], bodyLimitBytes: config.limits.bodyBytes, jsonDepthLimit: config.limits.jsonDepth, logger: false });
  const clientBodies: string[] = [];
  app.addHook("preHandler", async (request) => {
    const body: unknown = request.body;
    if (typeof body === "object" && body !== null && typeof (body as { text?: unknown }).text === "string") clientBodies.push((body as { text: string }).text);
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const gateway: OpenRouterGateway = {
    mock,
    client: new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: testProxyKey, maxRetries: 0 }),
    clientBodies,
    async close() {
      app.server.closeAllConnections();
      await app.close();
      await mock.close();
    },
  };
  gateways.push(gateway);
  return gateway;
}

function generateBodies(gateway: OpenRouterGateway): Array<Record<string, unknown>> {
  return gateway.mock.generateRequests().map((request) => request.json as Record<string, unknown>);
}

describe("tool-emulation through OpenRouter (mock upstream)", () => {
  it("retries a model that rejects tools with a tool prompt, returns a real tool call, then emulates at once", async () => {
    const gateway = await startOpenRouterGateway();
    const { client } = gateway;
    gateway.mock.script(
      errorReply(404, { body: noToolEndpoints }),
      textReply('<|tool_call_start|>[get_weather(city="Paris")]<|tool_call_end|>'),
    );
    const messages: ChatCompletionMessageParam[] = [{ role: "user", content: "Weather in Paris?" }];
    const first = await client.chat.completions.create({ model: "openrouter/liquid/lfm-mock", messages, tools: [weatherTool] });

    const choice = first.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    expect(choice?.message.content).toBeNull();
    const call = choice?.message.tool_calls?.[0];
    expect(call?.type === "function" ? [call.function.name, JSON.parse(call.function.arguments)] : undefined).toEqual(["get_weather", { city: "Paris" }]);

    const [rejected, emulated] = generateBodies(gateway);
    expect(rejected?.["tools"]).toHaveLength(1);
    expect(emulated?.["tools"]).toBeUndefined();
    expect(emulated?.["tool_choice"]).toBeUndefined();
    const system = (emulated?.["messages"] as Array<{ role: string; content: string }>)[0];
    expect(system?.role).toBe("system");
    expect(system?.content).toContain('"name":"get_weather"');
    expect(system?.content).toContain('{"tool_calls":[{"name":"<tool name>"');

    // The next turn carries the tool result: the remembered model is emulated without asking upstream again.
    gateway.mock.reset();
    gateway.mock.script(textReply("It is sunny in Paris."));
    const toolCallId = call?.id ?? "";
    const second = await client.chat.completions.create({
      model: "openrouter/liquid/lfm-mock",
      tools: [weatherTool],
      messages: [...messages, { role: "assistant", content: null, tool_calls: call === undefined ? [] : [call] }, { role: "tool", tool_call_id: toolCallId, content: "sunny, 21 C" }],
    });
    expect(second.choices[0]?.message.content).toBe("It is sunny in Paris.");
    expect(second.choices[0]?.finish_reason).toBe("stop");
    const bodies = generateBodies(gateway);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]?.["tools"]).toBeUndefined();
    expect((bodies[0]?.["messages"] as unknown[]).slice(1)).toEqual([
      { role: "user", content: "Weather in Paris?" },
      { role: "assistant", content: '{"tool_calls":[{"name":"get_weather","arguments":{"city":"Paris"}}]}' },
      { role: "user", content: `Tool result (get_weather, call ${toolCallId}):\nsunny, 21 C` },
    ]);
  });

  it("streams: held text that is a JSON tool call reaches the client as a tool call", async () => {
    const gateway = await startOpenRouterGateway();
    const { client } = gateway;
    gateway.mock.script(errorReply(404, { body: noToolEndpoints }), textReply('{"tool": "get_weather", "arguments": {"city": "Rome"}}'));
    const stream = client.chat.completions.stream({ model: "openrouter/liquid/lfm-mock", messages: [{ role: "user", content: "Rome?" }], tools: [weatherTool] });
    const final = await stream.finalChatCompletion();
    const choice = final.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    expect(choice?.message.content ?? "").toBe("");
    const call = choice?.message.tool_calls?.[0];
    expect(call?.type === "function" ? [call.function.name, JSON.parse(call.function.arguments)] : undefined).toEqual(["get_weather", { city: "Rome" }]);
    expect(generateBodies(gateway).map((body) => body["tools"] === undefined)).toEqual([false, true]);

    // Still emulating: an ordinary answer streams through as text, unchanged.
    gateway.mock.reset();
    gateway.mock.script(textReply("Rome is warm today."));
    const plain = await client.chat.completions.stream({ model: "openrouter/liquid/lfm-mock", messages: [{ role: "user", content: "Rome?" }], tools: [weatherTool] }).finalChatCompletion();
    expect(plain.choices[0]?.message.content).toBe("Rome is warm today.");
    expect(plain.choices[0]?.finish_reason).toBe("stop");
    expect(generateBodies(gateway)).toHaveLength(1);
  });

  it("works for an Anthropic client too: the emulated call comes back as a tool_use block", async () => {
    const gateway = await startOpenRouterGateway();
    gateway.mock.script(errorReply(404, { body: noToolEndpoints }), textReply('Checking.\n{"tool_calls":[{"name":"get_weather","arguments":{"city":"Bern"}}]}'));
    const baseUrl = gateway.client.baseURL.replace(/\/v1$/, "");
    const response = await fetch(`${baseUrl}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": testProxyKey, "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({
        model: "openrouter/liquid/lfm-mock",
        max_tokens: 64,
        tools: [{ name: "get_weather", description: "Current weather in a city", input_schema: { type: "object", properties: { city: { type: "string" } } } }],
        messages: [{ role: "user", content: "Bern?" }],
      }),
    });
    const message = (await response.json()) as { stop_reason: string; content: Array<Record<string, unknown>> };
    expect(response.status).toBe(200);
    expect(message.stop_reason).toBe("tool_use");
    expect(message.content[0]).toEqual({ type: "text", text: "Checking." });
    expect(message.content[1]).toMatchObject({ type: "tool_use", name: "get_weather", input: { city: "Bern" } });
    expect(message.content).toHaveLength(2);
  });

  it("leaves requests without tools, and other models, untouched", async () => {
    const gateway = await startOpenRouterGateway();
    const { client } = gateway;
    gateway.mock.script(textReply("hello"));
    await client.chat.completions.create({ model: "openrouter/liquid/lfm-mock", messages: [{ role: "user", content: "hi" }] });
    const sent = gateway.mock.generateRequests()[0];
    // The passthrough body text goes out as the client wrote it, with only the model changed.
    expect(sent?.bodyText).toBe(gateway.clientBodies.at(-1)?.replace('"openrouter/liquid/lfm-mock"', '"liquid/lfm-mock"'));
  });
});


/** What an Anthropic-protocol provider says when a model has no tool support (any text can be configured). */
const anthropicRejection = "claude-mock-sonnet does not support tools";

const anthropicWeatherTool = { name: "get_weather", description: "Current weather in a city", input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };

/** The mock providers, with tool-emulation configured in switchyard.json for one of them (the Anthropic-protocol one by default). */
async function startEmulationGateway(provider = "anthropic", rejection = "does not support tools"): Promise<TestGateway> {
  const directory = await mkdtemp(join(tmpdir(), "switchyard-tool-emulation-"));
  const configFile = join(directory, "switchyard.json");
  await writeFile(configFile, JSON.stringify({ adapters: { providers: { [provider]: [{ name: "tool-emulation", options: { rejections: [rejection] } }] } } }));
  const gateway = await startTestGateway({ env: { SWITCHYARD_CONFIG: configFile, SWITCHYARD_MAX_RETRIES: "0" } });
  gateways.push({
    mock: gateway.mock,
    client: new OpenAI({ baseURL: `${gateway.baseUrl}/v1`, apiKey: testProxyKey, maxRetries: 0 }),
    clientBodies: [],
    async close() {
      await gateway.close();
      await rm(directory, { recursive: true, force: true });
    },
  });
  return gateway;
}

async function postAnthropic(gateway: TestGateway, body: Record<string, unknown>): Promise<{ status: number; text: string }> {
  const response = await fetch(`${gateway.baseUrl}/v1/messages`, {
    method: "POST",
    headers: { "x-api-key": testProxyKey, "content-type": "application/json", "anthropic-version": "2023-06-01" },
    body: JSON.stringify({ model: mockTargets["anthropic-messages"].model, max_tokens: 64, ...body }),
  });
  return { status: response.status, text: await response.text() };
}

describe("tool-emulation through an Anthropic-protocol provider that rejects tools (mock upstream)", () => {
  it("retries an Anthropic client's request with a tool prompt and answers with tool_use blocks, then emulates at once", async () => {
    const gateway = await startEmulationGateway();
    gateway.mock.script(errorReply(400, { message: anthropicRejection }), textReply('Checking.\n{"tool_calls":[{"name":"get_weather","arguments":{"city":"Bern"}}]}'));
    const first = await postAnthropic(gateway, { tools: [anthropicWeatherTool], messages: [{ role: "user", content: "Bern?" }] });
    expect(first.status).toBe(200);
    const message = JSON.parse(first.text) as { stop_reason: string; content: Array<Record<string, unknown>> };
    expect(message.stop_reason).toBe("tool_use");
    expect(message.content).toEqual([{ type: "text", text: "Checking." }, { type: "tool_use", id: expect.stringMatching(/^toolu_[0-9a-f]{24}$/), name: "get_weather", input: { city: "Bern" } }]);

    const [rejected, emulated] = gateway.mock.generateRequests().map((request) => request.json as Record<string, unknown>);
    expect(rejected?.["tools"]).toHaveLength(1);
    expect(emulated?.["tools"]).toBeUndefined();
    expect(String(emulated?.["system"])).toContain('"name":"get_weather"');

    // The tool result turn: the model is remembered, so one upstream call, with the history as text.
    gateway.reset();
    gateway.mock.script(textReply("Sunny in Bern."));
    const toolUseId = String(message.content[1]?.["id"]);
    const second = await postAnthropic(gateway, {
      tools: [anthropicWeatherTool],
      messages: [
        { role: "user", content: "Bern?" },
        { role: "assistant", content: message.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: toolUseId, content: "sunny, 18 C" }] },
      ],
    });
    expect(JSON.parse(second.text)).toMatchObject({ stop_reason: "end_turn", content: [{ type: "text", text: "Sunny in Bern." }] });
    const sent = gateway.mock.generateRequests().map((request) => request.json as { tools?: unknown; messages: unknown[] });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.tools).toBeUndefined();
    expect(sent[0]?.messages.slice(1)).toEqual([
      { role: "assistant", content: [{ type: "text", text: "Checking." }, { type: "text", text: '{"tool_calls":[{"name":"get_weather","arguments":{"city":"Bern"}}]}' }] },
      { role: "user", content: [{ type: "text", text: `Tool result (get_weather, call ${toolUseId}):\nsunny, 18 C` }] },
    ]);
  });

  it("streams to an Anthropic client (same protocol): the held text comes out as a tool_use block", async () => {
    const gateway = await startEmulationGateway();
    gateway.mock.script(errorReply(400, { message: anthropicRejection }), textReply('<|tool_call_start|>[get_weather(city="Kyiv")]<|tool_call_end|>'));
    const streamed = await postAnthropic(gateway, { stream: true, tools: [anthropicWeatherTool], messages: [{ role: "user", content: "Kyiv?" }] });
    expect(streamed.status).toBe(200);
    const events = streamed.text
      .split("\n")
      .filter((line) => line.startsWith("data: "))
      .map((line) => JSON.parse(line.slice(6)) as { type: string; content_block?: Record<string, unknown>; delta?: Record<string, unknown> });
    expect(events.find((event) => event.type === "content_block_start")?.content_block).toMatchObject({ type: "tool_use", name: "get_weather" });
    const input = events.flatMap((event) => (event.delta?.["type"] === "input_json_delta" ? [String(event.delta["partial_json"])] : [])).join("");
    expect(JSON.parse(input)).toEqual({ city: "Kyiv" });
    expect(events.find((event) => event.type === "message_delta")?.delta).toMatchObject({ stop_reason: "tool_use" });
    expect(events.some((event) => event.content_block?.["type"] === "text")).toBe(false);
  });

  it("streams to an OpenAI client (translated): the textual call arrives as a tool call, its id the same on a replay", async () => {
    /** One fresh gateway: the rejection, then the textual call, streamed to the OpenAI SDK. */
    const run = async () => {
      const gateway = await startEmulationGateway();
      const client = new OpenAI({ baseURL: `${gateway.baseUrl}/v1`, apiKey: testProxyKey, maxRetries: 0 });
      gateway.mock.script(errorReply(400, { message: anthropicRejection }), textReply('get_weather(city="Rome")'));
      const final = await client.chat.completions.stream({ model: mockTargets["anthropic-messages"].model, messages: [{ role: "user", content: "Rome?" }], tools: [weatherTool] }).finalChatCompletion();
      return { final, sent: gateway.mock.generateRequests().map((request) => (request.json as { tools?: unknown }).tools === undefined) };
    };
    const { final, sent } = await run();
    const choice = final.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    const call = choice?.message.tool_calls?.[0];
    expect(call?.type === "function" ? [call.function.name, JSON.parse(call.function.arguments)] : undefined).toEqual(["get_weather", { city: "Rome" }]);
    expect(sent).toEqual([false, true]);
    // A second gateway gets the same upstream answer (same message id, same text): the emulated id is the same, not random.
    const replayed = await run();
    expect(replayed.final.choices[0]?.message.tool_calls?.[0]?.id).toBe(call?.id);
  });
});

describe("tool-emulation through a Gemini provider that rejects tools (mock upstream)", () => {
  it("answers an OpenAI client with a real tool call read from the model's text, and the result turn as text", async () => {
    const gateway = await startEmulationGateway("gemini", "function calling is not enabled");
    const client = new OpenAI({ baseURL: `${gateway.baseUrl}/v1`, apiKey: testProxyKey, maxRetries: 0 });
    gateway.mock.script(errorReply(400, { message: "Function calling is not enabled for models/gemini-mock-pro" }), textReply('```json\n{"name":"get_weather","arguments":{"city":"Lima"}}\n```'));
    const first = await client.chat.completions.create({ model: mockTargets.gemini.model, messages: [{ role: "user", content: "Lima?" }], tools: [weatherTool] });
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call?.type === "function" ? [call.function.name, JSON.parse(call.function.arguments)] : undefined).toEqual(["get_weather", { city: "Lima" }]);
    const emulated = gateway.mock.generateRequests()[1]?.json as { tools?: unknown; systemInstruction?: { parts: Array<{ text: string }> } };
    expect(emulated.tools).toBeUndefined();
    expect(emulated.systemInstruction?.parts.at(-1)?.text).toContain('"name":"get_weather"');

    gateway.reset();
    gateway.mock.script(textReply("Mild in Lima."));
    const second = await client.chat.completions.create({
      model: mockTargets.gemini.model,
      tools: [weatherTool],
      messages: [{ role: "user", content: "Lima?" }, { role: "assistant", content: null, tool_calls: call === undefined ? [] : [call] }, { role: "tool", tool_call_id: call?.id ?? "", content: "19 C" }],
    });
    expect(second.choices[0]?.message.content).toBe("Mild in Lima.");
    const sent = gateway.mock.generateRequests().map((request) => request.json as { tools?: unknown; contents: Array<{ role: string; parts: Array<Record<string, unknown>> }> });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.tools).toBeUndefined();
    expect(sent[0]?.contents.slice(1).map((content) => [content.role, content.parts.map((part) => part["text"])])).toEqual([
      ["model", ['{"tool_calls":[{"name":"get_weather","arguments":{"city":"Lima"}}]}']],
      ["user", [expect.stringMatching(/^Tool result \(get_weather(, call [^)]+)?\):\n19 C$/)]],
    ]);
  });
});

