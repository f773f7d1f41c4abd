import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseSseText } from "../../src/streaming/index.js";
import { fixturesAvailable } from "./fixtures.js";
import {
  findFixture,
  fixtureReply,
  jsonReply,
  matching,
  sseReply,
  startMockUpstream,
  textReply,
  thinkingReply,
  toolCallReply,
  type MockUpstream,
} from "./mock-upstream.js";

let mock: MockUpstream;
beforeEach(async () => {
  mock = await startMockUpstream();
});
afterEach(async () => {
  await mock.close();
});

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${mock.baseUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

async function events(response: Response): Promise<Array<{ event?: string; data: string }>> {
  return parseSseText(await response.text());
}

describe("default answers, not streaming", () => {
  it("answers chat completions in the OpenAI shape", async () => {
    const response = await post("/v1/chat/completions", { model: "gpt-x", messages: [] });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({
      id: "chatcmpl-mock-1",
      object: "chat.completion",
      created: 1_735_689_601,
      model: "gpt-x",
      system_fingerprint: "fp_mock",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "hello from openai-chat mock", refusal: null },
          logprobs: null,
          finish_reason: "stop",
        },
      ],
      usage: {
        prompt_tokens: 12,
        completion_tokens: 8,
        total_tokens: 20,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    });
  });

  it("answers responses with one message item", async () => {
    const body = (await (await post("/v1/responses", { model: "gpt-x", input: "hi" })).json()) as Record<string, unknown>;
    expect(body["status"]).toBe("completed");
    expect(body["output"]).toEqual([
      {
        type: "message",
        id: "msg_mock_1",
        status: "completed",
        role: "assistant",
        content: [{ type: "output_text", text: "hello from openai-responses mock", annotations: [], logprobs: [] }],
      },
    ]);
    expect(body["usage"]).toEqual({
      input_tokens: 12,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 8,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 20,
    });
  });

  it("answers Anthropic messages, also under ?beta=true", async () => {
    const response = await post("/v1/messages?beta=true", { model: "claude-x", max_tokens: 10, messages: [] });
    expect(await response.json()).toEqual({
      id: "msg_mock_1",
      type: "message",
      role: "assistant",
      model: "claude-x",
      content: [{ type: "text", text: "hello from anthropic-messages mock" }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 8 },
    });
  });

  it("answers Gemini generateContent under /v1beta and /v1", async () => {
    for (const version of ["v1beta", "v1"]) {
      const body = await (await post(`/${version}/models/gemini-x:generateContent`, { contents: [] })).json();
      expect(body).toMatchObject({
        candidates: [{ content: { parts: [{ text: "hello from gemini mock" }], role: "model" }, finishReason: "STOP", index: 0 }],
        usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 8, totalTokenCount: 20 },
        modelVersion: "gemini-x",
      });
    }
  });
});

describe("default answers, streaming", () => {
  it("streams chat chunks ending in [DONE], with usage only when asked", async () => {
    const plain = await events(await post("/v1/chat/completions", { model: "m", stream: true }));
    expect(plain.at(-1)).toEqual({ data: "[DONE]" });
    expect(plain.some((message) => message.data.includes('"usage"'))).toBe(false);
    const withUsage = await events(
      await post("/v1/chat/completions", { model: "m", stream: true, stream_options: { include_usage: true } }),
    );
    const usageChunk = JSON.parse(withUsage.at(-2)?.data ?? "{}") as Record<string, unknown>;
    expect(usageChunk["choices"]).toEqual([]);
    expect(usageChunk["usage"]).toMatchObject({ prompt_tokens: 12, completion_tokens: 8 });
    const text = plain
      .slice(0, -1)
      .map((message) => JSON.parse(message.data) as { choices: Array<{ delta: { content?: string } }> })
      .map((chunk) => chunk.choices[0]?.delta.content ?? "")
      .join("");
    expect(text).toBe("hello from openai-chat mock");
  });

  it("streams responses events named after their type", async () => {
    const stream = await events(await post("/v1/responses", { model: "m", input: "hi", stream: true }));
    expect(stream.map((message) => message.event)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
  });

  it("streams Anthropic events with message_start and message_stop", async () => {
    const response = await post("/v1/messages", { model: "m", stream: true, max_tokens: 5, messages: [] });
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const names = (await events(response)).map((message) => message.event);
    expect(names).toEqual([
      "message_start",
      "ping",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
  });

  it("streams Gemini with CRLF framing under alt=sse, and a JSON array without it", async () => {
    const sse = await (await post("/v1beta/models/g:streamGenerateContent?alt=sse", { contents: [] })).text();
    expect(sse.split("\r\n\r\n").length).toBe(5);
    expect(parseSseText(sse).at(-1)?.data).toContain('"finishReason":"STOP"');
    const array = (await (await post("/v1beta/models/g:streamGenerateContent", { contents: [] })).json()) as unknown[];
    expect(array.length).toBe(4);
  });
});

describe("other routes", () => {
  it("lists models in the shape each family's SDK expects", async () => {
    const openai = await (await fetch(`${mock.baseUrl}/v1/models`)).json();
    expect(openai).toMatchObject({ object: "list", data: [{ id: "gpt-mock-large", object: "model" }, { id: "gpt-mock-small" }] });
    const anthropic = await (await fetch(`${mock.baseUrl}/v1/models`, { headers: { "anthropic-version": "2023-06-01" } })).json();
    expect(anthropic).toMatchObject({ data: [{ type: "model", id: "claude-mock-sonnet" }, { id: "claude-mock-haiku" }], has_more: false });
    const gemini = await (await fetch(`${mock.baseUrl}/v1beta/models`)).json();
    expect(gemini).toMatchObject({ models: [{ name: "models/gemini-mock-pro" }, { name: "models/gemini-mock-flash" }] });
  });

  it("counts tokens, embeds, probes and 404s unknown paths in the OpenAI error shape", async () => {
    expect(await (await post("/v1/messages/count_tokens", { model: "m", messages: [] })).json()).toEqual({ input_tokens: 12 });
    expect(await (await post("/v1beta/models/g:countTokens", { contents: [] })).json()).toEqual({ totalTokens: 12 });
    const embeddings = (await (await post("/v1/embeddings", { model: "e", input: ["a", "b"] })).json()) as {
      data: Array<{ embedding: number[] }>;
    };
    expect(embeddings.data.map((item) => item.embedding.length)).toEqual([8, 8]);
    expect((await fetch(`${mock.baseUrl}/api/hello`, { method: "HEAD" })).status).toBe(200);
    const missing = await post("/v2/nothing", {});
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { message: "mock upstream has no route for POST /v2/nothing" } });
  });

  it("accepts any base prefix", async () => {
    const body = (await (await post("/custom/base/v1/chat/completions", { model: "m" })).json()) as { model: string };
    expect(body.model).toBe("m");
    expect(mock.received[0]?.route).toEqual({ protocol: "openai-chat", operation: "generate", model: "m", stream: false });
  });
});

describe("recording", () => {
  it("records method, path, query, headers, raw body, parsed JSON and the API key", async () => {
    const raw = '{"model":"claude-x",  "messages":[]}';
    await fetch(`${mock.baseUrl}/v1/messages?beta=true`, {
      method: "POST",
      headers: { "x-api-key": "sk-test", "anthropic-version": "2023-06-01", "content-type": "application/json" },
      body: raw,
    });
    const [request] = mock.received;
    expect(request).toMatchObject({
      sequence: 1,
      method: "POST",
      path: "/v1/messages",
      url: "/v1/messages?beta=true",
      query: { beta: "true" },
      bodyText: raw,
      json: { model: "claude-x", messages: [] },
      apiKey: "sk-test",
    });
    expect(request?.headers["anthropic-version"]).toBe("2023-06-01");
  });

  it("reads keys from Bearer, x-goog-api-key and ?key=", async () => {
    await post("/v1/chat/completions", {}, { authorization: "Bearer sk-bearer" });
    await post("/v1beta/models/g:generateContent", {}, { "x-goog-api-key": "g-header" });
    await post("/v1beta/models/g:generateContent?key=g-query", {});
    expect(mock.received.map((request) => request.apiKey)).toEqual(["sk-bearer", "g-header", "g-query"]);
  });
});

describe("scripted replies", () => {
  it("uses the queue in order and matches by protocol, model and key", async () => {
    mock.script(
      matching({ model: "special" }, textReply("for special")),
      matching({ apiKey: "k2" }, textReply("for k2")),
      textReply("first"),
      matching({ protocol: "gemini" }, textReply("gemini only")),
    );
    const texts: string[] = [];
    const chat = async (model: string, key: string): Promise<void> => {
      const body = (await (await post("/v1/chat/completions", { model }, { authorization: `Bearer ${key}` })).json()) as {
        choices: Array<{ message: { content: string } }>;
      };
      texts.push(body.choices[0]?.message.content ?? "");
    };
    await chat("plain", "k1");
    await chat("special", "k1");
    await chat("plain", "k2");
    await chat("plain", "k1");
    expect(texts).toEqual(["first", "for special", "for k2", "hello from openai-chat mock"]);
    expect(mock.pendingScripts()).toBe(1);
    // Model lists never take a reply meant for a completion.
    await fetch(`${mock.baseUrl}/v1beta/models`);
    expect(mock.pendingScripts()).toBe(1);
  });

  it("renders one tool call or parallel ones in every protocol", async () => {
    const calls = [
      { name: "get_weather", arguments: { city: "Paris" } },
      { name: "get_time", arguments: { zone: "CET" }, id: "call_fixed" },
    ];
    mock.script(toolCallReply(calls), toolCallReply(calls), toolCallReply(calls), toolCallReply(calls[0] ?? calls));
    const chat = (await (await post("/v1/chat/completions", { model: "m" })).json()) as {
      choices: Array<{ message: { tool_calls: unknown[] }; finish_reason: string }>;
    };
    expect(chat.choices[0]?.message.tool_calls).toEqual([
      { id: "call_mock_1_0", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
      { id: "call_fixed", type: "function", function: { name: "get_time", arguments: '{"zone":"CET"}' } },
    ]);
    expect(chat.choices[0]?.finish_reason).toBe("tool_calls");
    const anthropic = (await (await post("/v1/messages", { model: "m" })).json()) as { content: unknown[]; stop_reason: string };
    expect(anthropic.content).toEqual([
      { type: "tool_use", id: "toolu_mock_2_0", name: "get_weather", input: { city: "Paris" } },
      { type: "tool_use", id: "call_fixed", name: "get_time", input: { zone: "CET" } },
    ]);
    expect(anthropic.stop_reason).toBe("tool_use");
    const responses = (await (await post("/v1/responses", { model: "m", stream: true })).text()).split("\n\n");
    const done = responses.filter((frame) => frame.startsWith("event: response.output_item.done"));
    expect(done.map((frame) => (frame.match(/"call_id":"([^"]+)"/) ?? [])[1])).toEqual(["call_mock_3_0", "call_fixed"]);
    const gemini = parseSseText(await (await post("/v1beta/models/g:streamGenerateContent?alt=sse", {})).text());
    expect(JSON.parse(gemini.at(-1)?.data ?? "{}")).toMatchObject({
      candidates: [{ content: { parts: [{ functionCall: { name: "get_weather", args: { city: "Paris" } } }] }, finishReason: "STOP" }],
    });
  });

  it("renders reasoning with its signature in every protocol that has one", async () => {
    const reasoning = { text: "let me think", signature: "sig-1" };
    mock.script(thinkingReply(reasoning, "done"), thinkingReply(reasoning, "done"), thinkingReply(reasoning, "done"));
    const anthropic = await events(await post("/v1/messages", { model: "m", stream: true }));
    expect(anthropic.filter((message) => message.data.includes("signature_delta")).map((message) => message.data)).toEqual([
      '{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"sig-1"}}',
    ]);
    const responses = (await (await post("/v1/responses", { model: "m" })).json()) as { output: unknown[] };
    expect(responses.output[0]).toEqual({
      type: "reasoning",
      id: "rs_mock_2",
      summary: [{ type: "summary_text", text: "let me think" }],
      encrypted_content: "sig-1",
    });
    const gemini = (await (await post("/v1beta/models/g:generateContent", {})).json()) as {
      candidates: Array<{ content: { parts: unknown[] } }>;
    };
    expect(gemini.candidates[0]?.content.parts).toEqual([
      { text: "let me think", thought: true },
      { text: "done", thoughtSignature: "sig-1" },
    ]);
  });

  it("sends JSON bodies with status and headers, and SSE frames as given", async () => {
    mock.script(
      jsonReply({ ok: true }, { status: 201, headers: { "x-extra": "1" } }),
      sseReply([{ event: "a", data: { n: 1 } }, "data: raw\n\n"]),
    );
    const json = await post("/v1/chat/completions", {});
    expect([json.status, json.headers.get("x-extra"), await json.text()]).toEqual([201, "1", '{"ok":true}']);
    expect(await (await post("/v1/chat/completions", {})).text()).toBe('event: a\ndata: {"n":1}\n\ndata: raw\n\n');
  });
});

describe.skipIf(!fixturesAvailable)("fixture replay", () => {
  it("replays .response.sse and .response.json byte for byte", async () => {
    const sse = findFixture("anthropic-messages", "thinking-signature-stream.response.sse");
    const json = findFixture("openai-chat", "error-401-invalid-api-key.response.json");
    mock.script(
      fixtureReply("anthropic-messages", "thinking-signature-stream.response.sse"),
      fixtureReply("openai-chat", "error-401-invalid-api-key.response.json"),
    );
    expect(await (await post("/v1/messages", { stream: true })).text()).toBe(readFileSync(sse.path, "utf8"));
    const error = await post("/v1/chat/completions", {});
    expect([error.status, await error.text()]).toEqual([401, readFileSync(json.path, "utf8")]);
  });

  it("frames .chunks.txt with event names for Anthropic and [DONE] for chat", async () => {
    mock.script(fixtureReply("anthropic-messages", "text.chunks.txt"), fixtureReply("openai-chat", "text.chunks.txt"));
    const anthropic = await events(await post("/v1/messages", { stream: true }));
    expect(anthropic.slice(0, 3).map((message) => message.event)).toEqual(["message_start", "content_block_start", "ping"]);
    const lines = readFileSync(findFixture("anthropic-messages", "text.chunks.txt").path, "utf8").trim().split("\n");
    expect(anthropic.map((message) => message.data)).toEqual(lines);
    const chat = await events(await post("/v1/chat/completions", { stream: true }));
    expect(chat.at(-1)).toEqual({ data: "[DONE]" });
    expect(chat.every((message) => message.event === undefined)).toBe(true);
  });
});
