import { describe, expect, it } from "vitest";
import type { UpstreamRequest } from "../provider-declaration.js";
import { createDemoTransport } from "./serve-demo-transport.js";

const transport = createDemoTransport({ chunkDelayMs: 0, now: () => 1_700_000_000_000 });
const weatherTools = [
  {
    type: "function",
    function: {
      name: "get_weather",
      parameters: {
        type: "object",
        properties: { location: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] }, days: { type: "integer" } },
        required: ["location", "unit"],
      },
    },
  },
];

function chatRequest(body: unknown, path = "/v1/chat/completions", method: "GET" | "POST" = "POST"): UpstreamRequest {
  return { url: `http://demo.switchyard.invalid${path}`, method, headers: {}, body: JSON.stringify(body), providerId: "demo" };
}

async function readAll(body: AsyncIterable<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of body) text += decoder.decode(chunk, { stream: true });
  return text;
}

function sseData(text: string): unknown[] {
  return text
    .split("\n\n")
    .filter((frame) => frame !== "")
    .map((frame) => {
      expect(frame.startsWith("data: ")).toBe(true);
      const data = frame.slice("data: ".length);
      return data === "[DONE]" ? data : (JSON.parse(data) as unknown);
    });
}

describe("demo transport", () => {
  it("answers a chat completion with a deterministic echo", async () => {
    const request = chatRequest({ model: "gpt-demo", messages: [{ role: "user", content: "Hello there,   gateway!" }] });
    const response = await transport(request, {});
    expect(response.status).toBe(200);
    expect(response.headers).toEqual({ "content-type": "application/json", "x-request-id": "chatcmpl-demo-5cb6490e24a4cd6d" });
    expect(JSON.parse(await readAll(response.body))).toEqual({
      id: "chatcmpl-demo-5cb6490e24a4cd6d",
      object: "chat.completion",
      created: 1_700_000_000,
      model: "gpt-demo",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content:
              'This is the Switchyard demo provider answering as gpt-demo. You said: "Hello there, gateway!". Set a provider key in .env (see .env.example) to reach a real model.',
            refusal: null,
          },
          logprobs: null,
          finish_reason: "stop",
        },
      ],
      usage: { prompt_tokens: 6, completion_tokens: 41, total_tokens: 47 },
    });
    // Same request, same bytes.
    expect(await readAll((await transport(request, {})).body)).toBe(await readAll((await transport(request, {})).body));
  });

  it("calls the weather tool with arguments from its schema", async () => {
    const response = await transport(chatRequest({ model: "m", tools: weatherTools, messages: [{ role: "user", content: "What is the weather in New York?" }] }), {});
    const body = JSON.parse(await readAll(response.body)) as { choices: unknown[]; usage: unknown };
    expect(body.choices).toEqual([
      {
        index: 0,
        message: {
          role: "assistant",
          content: null,
          refusal: null,
          tool_calls: [{ id: "call_d48ea0603ac9175c2ac91b24", type: "function", function: { name: "get_weather", arguments: '{"location":"New York","unit":"celsius"}' } }],
        },
        logprobs: null,
        finish_reason: "tool_calls",
      },
    ]);
    expect(body.usage).toEqual({ prompt_tokens: 8, completion_tokens: 13, total_tokens: 21 });
  });

  it("streams a tool call as OpenAI does: role, call header, argument pieces, finish, [DONE]", async () => {
    const response = await transport(
      chatRequest({ model: "m", stream: true, tools: weatherTools, messages: [{ role: "user", content: "What is the weather in New York?" }] }),
      {},
    );
    expect(response.headers["content-type"]).toBe("text/event-stream");
    const id = response.headers["x-request-id"];
    const chunk = (delta: unknown, finishReason: string | null = null) => ({
      id,
      object: "chat.completion.chunk",
      created: 1_700_000_000,
      model: "m",
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    });
    expect(sseData(await readAll(response.body))).toEqual([
      chunk({ role: "assistant", content: null, refusal: null }),
      chunk({ tool_calls: [{ index: 0, id: "call_d48ea0603ac9175c2ac91b24", type: "function", function: { name: "get_weather", arguments: "" } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"location":"N' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: 'ew York","unit' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '":"celsius"}' } }] }),
      chunk({}, "tool_calls"),
      "[DONE]",
    ]);
  });

  it("streams text word by word with usage when asked, the same text as the JSON answer", async () => {
    const messages = [{ role: "user", content: [{ type: "text", text: "Hi" }] }];
    const streamed = sseData(
      await readAll((await transport(chatRequest({ model: "gpt-demo", stream: true, stream_options: { include_usage: true }, messages }), {})).body),
    ) as { choices: { delta: { content?: string }; finish_reason: string | null }[]; usage?: unknown }[];
    const whole = JSON.parse(await readAll((await transport(chatRequest({ model: "gpt-demo", messages }), {})).body)) as {
      choices: { message: { content: string } }[];
    };
    expect(streamed).toHaveLength(29);
    expect(streamed[0]?.choices[0]?.delta).toEqual({ role: "assistant", content: "", refusal: null });
    expect(streamed[1]?.choices[0]?.delta).toEqual({ content: "This " });
    const text = streamed.map((frame) => frame.choices?.[0]?.delta.content ?? "").join("");
    expect(text).toBe(whole.choices[0]?.message.content);
    expect(streamed[26]?.choices[0]?.finish_reason).toBe("stop");
    expect(streamed[27]).toMatchObject({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 36, total_tokens: 37 } });
    expect(streamed[28]).toBe("[DONE]");
  });

  it("reports a tool result back as text, and honours tool_choice", async () => {
    const afterTool = {
      model: "m",
      tools: weatherTools,
      messages: [
        { role: "user", content: "weather in Paris?" },
        { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "call_1", content: "18°C and sunny" },
      ],
    };
    const answer = JSON.parse(await readAll((await transport(chatRequest(afterTool), {})).body)) as { choices: { message: { content: string } }[] };
    expect(answer.choices[0]?.message.content).toBe("The get_weather tool returned: 18°C and sunny");

    const none = { model: "m", tools: weatherTools, tool_choice: "none", messages: [{ role: "user", content: "weather in Paris?" }] };
    const text = JSON.parse(await readAll((await transport(chatRequest(none), {})).body)) as { choices: { finish_reason: string }[] };
    expect(text.choices[0]?.finish_reason).toBe("stop");

    const forced = { model: "m", tools: weatherTools, tool_choice: "required", messages: [{ role: "user", content: "hello" }] };
    const called = JSON.parse(await readAll((await transport(chatRequest(forced), {})).body)) as {
      choices: { message: { tool_calls: { function: { arguments: string } }[] } }[];
    };
    expect(called.choices[0]?.message.tool_calls[0]?.function.arguments).toBe('{"location":"San Francisco","unit":"celsius"}');
  });

  it("paces chunks and stops with client_closed when aborted", async () => {
    const paced = createDemoTransport({ chunkDelayMs: 20 });
    const controller = new AbortController();
    const response = await paced(chatRequest({ model: "m", stream: true, messages: [{ role: "user", content: "hi" }] }), { signal: controller.signal });
    const iterator = response.body[Symbol.asyncIterator]();
    const started = Date.now();
    await iterator.next();
    await iterator.next();
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    controller.abort();
    await expect(iterator.next()).rejects.toMatchObject({ code: "client_closed" });
  });

  it("serves a model list, deterministic embeddings, and OpenAI-shaped errors", async () => {
    const models = await transport(chatRequest(undefined, "/v1/models", "GET"), {});
    expect(JSON.parse(await readAll(models.body))).toEqual({ object: "list", data: [{ id: "demo", object: "model", created: 0, owned_by: "switchyard" }] });
    const embedding = JSON.parse(await readAll((await transport(chatRequest({ model: "e", input: ["a", "b"] }, "/v1/embeddings"), {})).body)) as {
      data: { embedding: number[] }[];
    };
    expect(embedding.data).toHaveLength(2);
    expect(embedding.data[0]?.embedding).toHaveLength(8);
    expect(embedding.data[0]?.embedding).not.toEqual(embedding.data[1]?.embedding);
    const bad = await transport({ ...chatRequest({}), body: "not json" }, {});
    expect(bad.status).toBe(400);
    expect(JSON.parse(await readAll(bad.body))).toEqual({
      error: { message: "the request body is not a JSON object", type: "invalid_request_error", param: null, code: null },
    });
    expect((await transport(chatRequest({ model: "m" }), {})).status).toBe(400);
    expect((await transport(chatRequest({}, "/v1/responses"), {})).status).toBe(404);
  });
});
