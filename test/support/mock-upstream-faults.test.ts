import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  defaultMalformedFrame,
  emptyReply,
  errorReply,
  overloadedReply,
  rateLimitReply,
  resetReply,
  splitSseText,
  startMockUpstream,
  textReply,
  withFaults,
  type MockUpstream,
} from "./mock-upstream.js";

let mock: MockUpstream;
beforeEach(async () => {
  mock = await startMockUpstream();
});
afterEach(async () => {
  await mock.close();
});

function post(path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(`${mock.baseUrl}${path}`, { method: "POST", body: JSON.stringify(body), ...(signal ? { signal } : {}) });
}

const anthropicStream = { model: "m", stream: true, max_tokens: 5, messages: [] };

/** The 10 frames of the default Anthropic stream, as the mock writes them when nothing misbehaves. */
async function cleanAnthropicFrames(): Promise<string[]> {
  return splitSseText(await (await post("/v1/messages", anthropicStream)).text());
}

interface TimedChunk {
  text: string;
  at: number;
}

/** Reads a body chunk by chunk with arrival times; `error` is set when the connection broke. */
async function readTimed(response: Response, stopAfterMs?: number): Promise<{ chunks: TimedChunk[]; error?: unknown }> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const chunks: TimedChunk[] = [];
  const deadline = stopAfterMs === undefined ? undefined : Date.now() + stopAfterMs;
  try {
    for (;;) {
      const next = reader.read();
      const result =
        deadline === undefined
          ? await next
          : await Promise.race([next, new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), deadline - Date.now()))]);
      if (result === "timeout") {
        await reader.cancel();
        return { chunks };
      }
      if (result.done) return { chunks };
      chunks.push({ text: decoder.decode(result.value, { stream: true }), at: Date.now() });
    }
  } catch (error) {
    return { chunks, error };
  }
}

const joined = (chunks: TimedChunk[]): string => chunks.map((chunk) => chunk.text).join("");

describe("error statuses", () => {
  it("429 with retry-after seconds and retry-after-ms, in each protocol's error shape", async () => {
    mock.script(rateLimitReply({ seconds: 3, ms: 2500 }), rateLimitReply({ seconds: 3 }));
    const anthropic = await post("/v1/messages", {});
    expect([anthropic.status, anthropic.headers.get("retry-after"), anthropic.headers.get("retry-after-ms")]).toEqual([429, "3", "2500"]);
    expect(await anthropic.json()).toEqual({ type: "error", error: { type: "rate_limit_error", message: "mock upstream error 429" } });
    const gemini = await post("/v1beta/models/g:generateContent", {});
    expect(await gemini.json()).toEqual({
      error: {
        code: 429,
        message: "mock upstream error 429",
        status: "RESOURCE_EXHAUSTED",
        details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "3s" }],
      },
    });
  });

  it("429 with an HTTP date, and a bare 429", async () => {
    const date = new Date("2030-01-02T03:04:05Z");
    mock.script(rateLimitReply({ date }), rateLimitReply());
    const dated = await post("/v1/chat/completions", {});
    expect(dated.headers.get("retry-after")).toBe("Wed, 02 Jan 2030 03:04:05 GMT");
    expect(await dated.json()).toEqual({
      error: { message: "mock upstream error 429", type: "requests", param: null, code: "rate_limit_exceeded" },
    });
    const bare = await post("/v1/chat/completions", {});
    expect([bare.status, bare.headers.get("retry-after"), bare.headers.get("retry-after-ms")]).toEqual([429, null, null]);
  });

  it("500, 502, 503 and 529 overloaded", async () => {
    mock.script(errorReply(500), errorReply(502), errorReply(503), overloadedReply());
    const statuses: Array<[number, unknown]> = [];
    for (let index = 0; index < 4; index++) {
      const response = await post("/v1/messages", {});
      statuses.push([response.status, ((await response.json()) as { error: { type: string } }).error.type]);
    }
    expect(statuses).toEqual([
      [500, "api_error"],
      [502, "api_error"],
      [503, "api_error"],
      [529, "overloaded_error"],
    ]);
  });
});

describe("connection faults", () => {
  it("resets the connection before any header", async () => {
    mock.script(resetReply());
    await expect(post("/v1/messages", {})).rejects.toThrow("fetch failed");
    expect(mock.received.length).toBe(1);
  });

  it("drops the connection after N frames", async () => {
    const clean = await cleanAnthropicFrames();
    mock.script(withFaults(textReply("hello from anthropic-messages mock"), { dropAfterFrames: 3 }));
    const { chunks, error } = await readTimed(await post("/v1/messages", anthropicStream));
    expect(joined(chunks)).toBe(clean.slice(0, 3).join("").replaceAll("msg_mock_1", "msg_mock_2"));
    expect(error).toBeInstanceOf(Error);
  });

  it("ends cleanly after N frames, without the terminal events", async () => {
    mock.script(withFaults(textReply("hi"), { endAfterFrames: 4 }));
    const { chunks, error } = await readTimed(await post("/v1/messages", anthropicStream));
    expect(error).toBeUndefined();
    expect(splitSseText(joined(chunks)).length).toBe(4);
  });
});

describe("timing faults", () => {
  it("stalls for N ms after N frames, then goes on", async () => {
    mock.script(withFaults(textReply("hello from anthropic-messages mock"), { stall: { afterFrames: 2, ms: 300 } }));
    const { chunks } = await readTimed(await post("/v1/messages", anthropicStream));
    const text = joined(chunks);
    expect(splitSseText(text).length).toBe(10);
    const before = chunks.filter((chunk) => chunk.text.includes("message_start") || chunk.text.includes("event: ping"));
    const after = chunks.find((chunk) => chunk.text.includes("content_block_start"));
    expect((after?.at ?? 0) - (before.at(-1)?.at ?? 0)).toBeGreaterThanOrEqual(250);
  });

  it("stalls forever after N frames; close() still returns", async () => {
    mock.script(withFaults(textReply("x"), { stall: { afterFrames: 1 } }));
    const controller = new AbortController();
    const { chunks } = await readTimed(await post("/v1/messages", anthropicStream, controller.signal), 300);
    expect(splitSseText(joined(chunks)).map((frame) => frame.split("\n")[0])).toEqual(["event: message_start"]);
    controller.abort();
    const started = Date.now();
    await mock.close();
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("waits before the headers (time to first byte)", async () => {
    mock.script(textReply("late", { delayMs: 250 }));
    const started = Date.now();
    const response = await post("/v1/chat/completions", {});
    expect(Date.now() - started).toBeGreaterThanOrEqual(230);
    expect(response.status).toBe(200);
  });

  it("drips the body a few bytes at a time", async () => {
    const clean = joined((await readTimed(await post("/v1/chat/completions", { model: "m", stream: true }))).chunks);
    mock.script(withFaults(textReply("hello from openai-chat mock"), { drip: { bytes: 64, intervalMs: 1 } }));
    const { chunks } = await readTimed(await post("/v1/chat/completions", { model: "m", stream: true }));
    expect(joined(chunks)).toBe(clean.replaceAll("chatcmpl-mock-1", "chatcmpl-mock-2").replaceAll("1735689601", "1735689602"));
    expect(chunks.length).toBeGreaterThan(10);
  });
});

describe("content faults", () => {
  it("writes a malformed SSE frame after N frames and goes on", async () => {
    mock.script(withFaults(textReply("hello from anthropic-messages mock"), { malformed: { afterFrames: 2 } }));
    const frames = splitSseText(await (await post("/v1/messages", anthropicStream)).text());
    expect(frames.length).toBe(11);
    expect(frames[2]).toBe(defaultMalformedFrame);
  });

  it("answers 200 with an empty completion in every protocol", async () => {
    mock.script(emptyReply(), emptyReply(), emptyReply(), emptyReply());
    const chat = (await (await post("/v1/chat/completions", { model: "m" })).json()) as Record<string, unknown>;
    expect(chat["choices"]).toEqual([
      { index: 0, message: { role: "assistant", content: "", refusal: null }, logprobs: null, finish_reason: "stop" },
    ]);
    const anthropic = (await (await post("/v1/messages", { model: "m" })).json()) as Record<string, unknown>;
    expect([anthropic["content"], anthropic["stop_reason"]]).toEqual([[], "end_turn"]);
    const responses = (await (await post("/v1/responses", { model: "m" })).json()) as Record<string, unknown>;
    expect([responses["output"], responses["status"]]).toEqual([[], "completed"]);
    const gemini = (await (await post("/v1beta/models/g:generateContent", {})).json()) as Record<string, unknown>;
    expect(gemini["candidates"]).toEqual([{ content: { role: "model" }, finishReason: "STOP", index: 0 }]);
  });
});
