import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createEngineFromConfig } from "../../src/library/index.js";
import { buildServer } from "../../src/server/index.js";
import { jsonReply, sseReply, startMockUpstream, type MockUpstream } from "../support/mock-upstream.js";
import { mockProviderEnvironment, testConfigDirectory, testProxyKey } from "../support/start-test-gateway.js";

/**
 * The field cache end to end: clients that drop provider state (reasoning_content, Gemini thought signatures,
 * Anthropic signed thinking) still get it replayed, as the mock upstream sees on the following turns.
 */
interface Running {
  baseUrl: string;
  mock: MockUpstream;
  close(): Promise<void>;
}

let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(extraEnv: Record<string, string> = {}): Promise<Running> {
  const mock = await startMockUpstream();
  const config = loadConfig({
    env: { ...mockProviderEnvironment(mock.baseUrl), DEEPSEEK_API_KEY: "sk-upstream-deepseek", DEEPSEEK_API_BASE: `${mock.baseUrl}/v1`, MOONSHOT_API_KEY: "sk-upstream-moonshot", MOONSHOT_API_BASE: `${mock.baseUrl}/v1`, SWITCHYARD_PROXY_KEYS: testProxyKey, ...extraEnv },
    cwd: testConfigDirectory,
    dotenv: false,
  });
  const engine = createEngineFromConfig(config);
  const app = buildServer({ gateway: engine, proxyKeys: config.proxyKeys.map((key) => key.secret), bodyLimitBytes: config.limits.bodyBytes, jsonDepthLimit: config.limits.jsonDepth, logger: false });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as AddressInfo;
  running = {
    baseUrl: `http://127.0.0.1:${port}`,
    mock,
    async close() {
      app.server.closeAllConnections();
      await app.close();
      await mock.close();
    },
  };
  return running;
}

type ChatMessage = Record<string, unknown>;

/** An OpenAI Chat client call; streamed answers are read to the end and their text returned raw. */
async function chat(gateway: Running, body: Record<string, unknown>): Promise<{ json?: { choices: Array<{ message: ChatMessage }> }; text: string }> {
  const response = await fetch(`${gateway.baseUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${testProxyKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return body["stream"] === true ? { text } : { json: JSON.parse(text) as { choices: Array<{ message: ChatMessage }> }, text };
}

/** What a client that strips provider extras sends back: role, content and tool calls only. */
function stripped(message: ChatMessage): ChatMessage {
  return { role: "assistant", content: message["content"] ?? null, ...(message["tool_calls"] === undefined ? {} : { tool_calls: message["tool_calls"] }) };
}

const deepSeekToolCall = (id: string, reasoning: string) => ({
  id: `chatcmpl-${id}`,
  object: "chat.completion",
  created: 1,
  model: "deepseek-reasoner",
  choices: [
    {
      index: 0,
      finish_reason: "tool_calls",
      message: { role: "assistant", content: null, reasoning_content: reasoning, tool_calls: [{ id, type: "function", function: { name: "lookup", arguments: `{"q":"${id}"}` } }] },
    },
  ],
  usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
});

function lastGenerateBody(mock: MockUpstream): { messages: ChatMessage[] } {
  const request = mock.generateRequests().at(-1);
  return request?.json as { messages: ChatMessage[] };
}

describe("field cache: DeepSeek reasoning_content replay over three turns", () => {
  it("puts the stripped reasoning_content back on every assistant turn of the tool loop, streamed or not", async () => {
    const gateway = await start();
    const tools = [{ type: "function", function: { name: "lookup", parameters: { type: "object", properties: { q: { type: "string" } } } } }];
    const messages: ChatMessage[] = [{ role: "user", content: "research this" }];

    // Turn 1 (non-streamed): a tool call with reasoning.
    gateway.mock.script(jsonReply(deepSeekToolCall("call_1", "I should look up call_1")));
    const first = await chat(gateway, { model: "deepseek/deepseek-reasoner", messages, tools });
    const firstMessage = first.json?.choices[0]?.message as ChatMessage;
    expect(firstMessage["reasoning_content"]).toBe("I should look up call_1");
    messages.push(stripped(firstMessage), { role: "tool", tool_call_id: "call_1", content: "result 1" });

    // Turn 2 (streamed): the client stripped reasoning_content; the upstream must get it back.
    gateway.mock.script(
      sseReply([
        { data: { id: "c2", object: "chat.completion.chunk", model: "deepseek-reasoner", choices: [{ index: 0, delta: { role: "assistant", reasoning_content: "Now call_2 " } }] } },
        { data: { id: "c2", object: "chat.completion.chunk", model: "deepseek-reasoner", choices: [{ index: 0, delta: { reasoning_content: "is needed" } }] } },
        {
          data: {
            id: "c2",
            object: "chat.completion.chunk",
            model: "deepseek-reasoner",
            choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: "call_2", type: "function", function: { name: "lookup", arguments: '{"q":"call_2"}' } }] } }],
          },
        },
        { data: { id: "c2", object: "chat.completion.chunk", model: "deepseek-reasoner", choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] } },
        "data: [DONE]\n\n",
      ]),
    );
    await chat(gateway, { model: "deepseek/deepseek-reasoner", messages, tools, stream: true });
    const secondRequest = lastGenerateBody(gateway.mock);
    expect(secondRequest.messages[1]).toMatchObject({ role: "assistant", reasoning_content: "I should look up call_1" });
    messages.push(
      { role: "assistant", content: null, tool_calls: [{ id: "call_2", type: "function", function: { name: "lookup", arguments: '{"q":"call_2"}' } }] },
      { role: "tool", tool_call_id: "call_2", content: "result 2" },
    );

    // Turn 3: both assistant turns come back stripped; both get their own reasoning.
    gateway.mock.script(jsonReply({ ...deepSeekToolCall("call_3", "done"), choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "All done.", reasoning_content: "done" } }] }));
    await chat(gateway, { model: "deepseek/deepseek-reasoner", messages, tools });
    const thirdRequest = lastGenerateBody(gateway.mock);
    expect(thirdRequest.messages.filter((message) => message["role"] === "assistant").map((message) => message["reasoning_content"])).toEqual([
      "I should look up call_1",
      "Now call_2 is needed",
    ]);
    // The user and tool turns are untouched.
    expect(thirdRequest.messages.filter((message) => message["role"] !== "assistant")).toEqual(messages.filter((message) => message["role"] !== "assistant"));
  });

  it("sends the client's text unchanged (passthrough) when the client kept reasoning_content", async () => {
    const gateway = await start();
    gateway.mock.script(jsonReply(deepSeekToolCall("call_k", "kept reasoning")));
    await chat(gateway, { model: "deepseek/deepseek-reasoner", messages: [{ role: "user", content: "x" }] });
    const body = {
      model: "deepseek/deepseek-reasoner",
      messages: [
        { role: "user", content: "x" },
        { role: "assistant", content: null, reasoning_content: "client kept it", tool_calls: [{ id: "call_k", type: "function", function: { name: "lookup", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "call_k", content: "r" },
      ],
    };
    gateway.mock.script(jsonReply(deepSeekToolCall("call_l", "more")));
    await chat(gateway, body);
    expect(gateway.mock.generateRequests().at(-1)?.bodyText).toBe(JSON.stringify({ ...body, model: "deepseek-reasoner" }));
  });

  it("writes the state back after the configured adapters on the passthrough path too, so none can drop it", async () => {
    const directory = await mkdtemp(join(tmpdir(), "switchyard-field-cache-"));
    try {
      const configFile = join(directory, "switchyard.json");
      // A deny list that would remove reasoning_content (and does remove `user`): the field cache writes after it.
      const adapters = { providers: { deepseek: [{ name: "param-policy", options: { deny: ["messages[*].reasoning_content", "user"] } }] } };
      await writeFile(configFile, JSON.stringify({ adapters }));
      const gateway = await start({ SWITCHYARD_CONFIG: configFile });
      gateway.mock.script(jsonReply(deepSeekToolCall("call_p", "reasoning to keep")));
      await chat(gateway, { model: "deepseek/deepseek-reasoner", messages: [{ role: "user", content: "x" }] });
      gateway.mock.script(jsonReply(deepSeekToolCall("call_q", "more")));
      await chat(gateway, {
        model: "deepseek/deepseek-reasoner",
        user: "u-1",
        messages: [
          { role: "user", content: "x" },
          { role: "assistant", content: null, tool_calls: [{ id: "call_p", type: "function", function: { name: "lookup", arguments: "{}" } }] },
          { role: "tool", tool_call_id: "call_p", content: "r" },
        ],
      });
      const sent = gateway.mock.generateRequests().at(-1)?.json as Record<string, unknown> & { messages: ChatMessage[] };
      expect(sent).not.toHaveProperty("user");
      expect(sent.messages[1]).toMatchObject({ role: "assistant", reasoning_content: "reasoning to keep" });
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

const geminiCallAnswer = (calls: Array<{ name: string; args: Record<string, unknown>; signature?: string }>) => ({
  candidates: [
    {
      content: { role: "model", parts: calls.map((call) => ({ functionCall: { name: call.name, args: call.args }, ...(call.signature === undefined ? {} : { thoughtSignature: call.signature }) })) },
      finishReason: "STOP",
      index: 0,
    },
  ],
  usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 5, totalTokenCount: 10 },
  modelVersion: "gemini-mock-pro",
});

type GeminiPart = { functionCall?: { name: string; args: unknown }; thoughtSignature?: string; text?: string };
function modelParts(mock: MockUpstream): GeminiPart[][] {
  const body = mock.generateRequests().at(-1)?.json as { contents: Array<{ role: string; parts: GeminiPart[] }> };
  return body.contents.filter((content) => content.role === "model").map((content) => content.parts);
}

describe("field cache: Kimi models on any Chat provider", () => {
  it("replays reasoning_content for a *kimi* model of a provider defined only by environment, and not for its other models", async () => {
    const gateway = await start();
    const call = { role: "assistant", content: null, tool_calls: [{ id: "call_k1", type: "function", function: { name: "lookup", arguments: "{}" } }] };
    for (const model of ["kimi-k2-thinking", "moonshot-v1-8k"]) {
      gateway.mock.script(jsonReply({ ...deepSeekToolCall("call_k1", `reasoning of ${model}`), model }));
      await chat(gateway, { model: `moonshot/${model}`, messages: [{ role: "user", content: "go" }] });
      gateway.mock.script(jsonReply(deepSeekToolCall("call_k2", "next")));
      await chat(gateway, { model: `moonshot/${model}`, messages: [{ role: "user", content: "go" }, call, { role: "tool", tool_call_id: "call_k1", content: "r" }] });
    }
    const [, kimi, , other] = gateway.mock.generateRequests().map((request) => (request.json as { messages: ChatMessage[] }).messages[1]);
    expect(kimi).toMatchObject({ reasoning_content: "reasoning of kimi-k2-thinking" });
    expect(other).toEqual(call);
  });
});

describe("field cache: Gemini thought signatures through an OpenAI Chat client", () => {
  it("restores signatures over a tool loop where the client rewrites tool-call ids", async () => {
    const gateway = await start();
    const tools = [{ type: "function", function: { name: "weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];
    const messages: ChatMessage[] = [{ role: "user", content: "weather in Paris and Rome?" }];
    gateway.mock.script(jsonReply(geminiCallAnswer([{ name: "weather", args: { city: "Paris" }, signature: "sig-gemini-1" }, { name: "weather", args: { city: "Rome" } }])));
    const first = await chat(gateway, { model: "gemini/gemini-3-mock-pro", messages, tools });
    const calls = (first.json?.choices[0]?.message["tool_calls"] ?? []) as Array<{ id: string; type: string; function: { name: string; arguments: string } }>;
    expect(calls).toHaveLength(2);
    // The client invents its own ids (dropping the gateway's, which carried the signature).
    const rewritten = calls.map((call, index) => ({ ...call, id: `client_${index}` }));
    messages.push({ role: "assistant", content: null, tool_calls: rewritten }, ...rewritten.map((call) => ({ role: "tool", tool_call_id: call.id, content: "sunny" })));

    // Turn 2 streams: the signature is read from the assembled answer.
    const oslo = geminiCallAnswer([{ name: "weather", args: { city: "Oslo" }, signature: "sig-gemini-2" }]);
    gateway.mock.script(sseReply([{ data: { ...oslo, candidates: [{ content: { role: "model", parts: [{ text: "Checking" }] }, index: 0 }] } }, { data: oslo }]));
    const second = await chat(gateway, { model: "gemini/gemini-3-mock-pro", messages, tools, stream: true });
    expect(second.text).toContain("Oslo");
    expect(modelParts(gateway.mock)).toEqual([
      [
        { functionCall: expect.objectContaining({ name: "weather", args: { city: "Paris" } }), thoughtSignature: "sig-gemini-1" },
        { functionCall: expect.objectContaining({ name: "weather", args: { city: "Rome" } }) },
      ],
    ]);

    // Turn 3: the second call comes back with the signature stripped too, and an old turn the client made up.
    const third = [{ id: "client_2", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } }];
    messages.push({ role: "assistant", content: "Checking", tool_calls: third }, { role: "tool", tool_call_id: "client_2", content: "cold" });
    const invented = { role: "assistant", content: null, tool_calls: [{ id: "made_up", type: "function", function: { name: "weather", arguments: '{"city":"Lima"}' } }] };
    const history = [messages[0], invented, { role: "tool", tool_call_id: "made_up", content: "warm" }, ...messages.slice(1)];
    gateway.mock.script(jsonReply({ ...geminiCallAnswer([]), candidates: [{ content: { role: "model", parts: [{ text: "Done." }] }, finishReason: "STOP", index: 0 }] }));
    await chat(gateway, { model: "gemini/gemini-3-mock-pro", messages: history, tools });
    expect(modelParts(gateway.mock).map((parts) => parts.map((part) => part.thoughtSignature))).toEqual([
      ["skip_thought_signature_validator"],
      ["sig-gemini-1", undefined],
      [undefined, "sig-gemini-2"],
    ]);

    // The sentinel is for Gemini-native targets only: the same history to a Chat target carries none.
    await chat(gateway, { model: "openai/gpt-mock-large", messages: history, tools });
    expect(gateway.mock.generateRequests().at(-1)?.bodyText).not.toContain("skip_thought_signature_validator");
  });
});

describe("field cache: Anthropic thinking through an OpenAI Chat client and back", () => {
  it("replays the signed thinking block before the tool_use on the tool-result turn", async () => {
    const gateway = await start();
    const frames = [
      { event: "message_start", data: { type: "message_start", message: { id: "msg_1", type: "message", role: "assistant", model: "claude-mock-sonnet", content: [], stop_reason: null, usage: { input_tokens: 5, output_tokens: 0 } } } },
      { event: "content_block_start", data: { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "", signature: "" } } },
      { event: "content_block_delta", data: { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "The user wants " } } },
      { event: "content_block_delta", data: { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "the weather." } } },
      { event: "content_block_delta", data: { type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "EqSig-anthropic-1" } } },
      { event: "content_block_stop", data: { type: "content_block_stop", index: 0 } },
      { event: "content_block_start", data: { type: "content_block_start", index: 1, content_block: { type: "tool_use", id: "toolu_01", name: "weather", input: {} } } },
      { event: "content_block_delta", data: { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"city":"Paris"}' } } },
      { event: "content_block_stop", data: { type: "content_block_stop", index: 1 } },
      { event: "message_delta", data: { type: "message_delta", delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 20 } } },
      { event: "message_stop", data: { type: "message_stop" } },
    ];
    gateway.mock.script(sseReply(frames));
    const tools = [{ type: "function", function: { name: "weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];
    const messages: ChatMessage[] = [{ role: "user", content: "weather in Paris?" }];
    const first = await chat(gateway, { model: "anthropic/claude-mock-sonnet", messages, tools, stream: true, reasoning_effort: "low" });
    expect(first.text).toContain("toolu_01");

    // The client keeps the tool call but nothing of the reasoning.
    messages.push(
      { role: "assistant", content: null, tool_calls: [{ id: "toolu_01", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } }] },
      { role: "tool", tool_call_id: "toolu_01", content: "sunny" },
    );
    gateway.mock.script(jsonReply({ id: "msg_2", type: "message", role: "assistant", model: "claude-mock-sonnet", content: [{ type: "text", text: "Sunny." }], stop_reason: "end_turn", usage: { input_tokens: 5, output_tokens: 2 } }));
    await chat(gateway, { model: "anthropic/claude-mock-sonnet", messages, tools, reasoning_effort: "low" });
    const sent = gateway.mock.generateRequests().at(-1)?.json as { messages: Array<{ role: string; content: unknown }> };
    const assistant = sent.messages.find((message) => message.role === "assistant");
    expect(assistant?.content).toEqual([
      { type: "thinking", thinking: "The user wants the weather.", signature: "EqSig-anthropic-1" },
      expect.objectContaining({ type: "tool_use", id: "toolu_01", name: "weather", input: { city: "Paris" } }),
    ]);
  });
});

describe("field cache: transaction trace", () => {
  it("records each extraction and injection (rule, action, path), never the cached value", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "switchyard-field-cache-trace-"));
    try {
      const gateway = await start({ SWITCHYARD_TRACE: "1", SWITCHYARD_DATA_DIR: dataDir });
      gateway.mock.script(jsonReply(deepSeekToolCall("call_t", "traced reasoning")), jsonReply(deepSeekToolCall("call_u", "second")));
      const messages: ChatMessage[] = [{ role: "user", content: "go" }];
      await chat(gateway, { model: "deepseek/deepseek-reasoner", messages });
      messages.push({ role: "assistant", content: null, tool_calls: [{ id: "call_t", type: "function", function: { name: "lookup", arguments: "{}" } }] }, { role: "tool", tool_call_id: "call_t", content: "r" });
      await chat(gateway, { model: "deepseek/deepseek-reasoner", messages });
      await gateway.close();
      running = undefined;
      const directory = join(dataDir, "traces");
      const names = (await readdir(directory)).sort();
      const passes = await Promise.all(
        names.map(async (name) =>
          (await readFile(join(directory, name), "utf8"))
            .trim()
            .split("\n")
            .map((line) => JSON.parse(line) as { kind: string; data?: unknown })
            .filter((line) => line.kind === "field-cache")
            .map((line) => line.data),
        ),
      );
      expect(passes).toEqual([
        [{ rule: "deepseek-reasoning-content-per-tool-call", action: "extract", path: "choices[0].message.reasoning_content", keys: 1 }],
        [
          { rule: "deepseek-reasoning-content-per-tool-call", action: "inject", path: "messages[1].reasoning_content", source: "cache" },
          { rule: "deepseek-reasoning-content-per-tool-call", action: "extract", path: "choices[0].message.reasoning_content", keys: 1 },
        ],
      ]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
