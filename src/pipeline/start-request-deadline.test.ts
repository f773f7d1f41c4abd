import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createProviderRegistry, readProviderEnvironment } from "../providers/index.js";
import type { UpstreamClient, UpstreamResponse } from "../upstream/index.js";
import { GatewayError } from "../unified/index.js";
import { createGatewayEngine } from "./create-gateway-engine.js";
import type { GatewayCall } from "./gateway-call.js";
import { startRequestDeadline } from "./start-request-deadline.js";

describe("startRequestDeadline", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("aborts with an upstream_timeout GatewayError once the deadline passes", () => {
    const deadline = startRequestDeadline(new AbortController().signal, 1000);
    vi.advanceTimersByTime(999);
    expect(deadline.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(deadline.signal.aborted).toBe(true);
    expect(GatewayError.isInstance(deadline.signal.reason) && [deadline.signal.reason.code, deadline.signal.reason.httpStatus]).toEqual(["upstream_timeout", 504]);
  });

  it("follows the client's signal with the client's reason, also when it was aborted already", () => {
    const client = new AbortController();
    const deadline = startRequestDeadline(client.signal, 1000);
    const reason = new GatewayError("client_closed", "client disconnected");
    client.abort(reason);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toBe(reason);
    expect(startRequestDeadline(client.signal, 1000).signal.reason).toBe(reason);
  });

  it("releases its timer and its client listener on clear()", () => {
    const client = new AbortController();
    const deadline = startRequestDeadline(client.signal, 1000);
    expect(vi.getTimerCount()).toBe(1);
    deadline.clear();
    expect(vi.getTimerCount()).toBe(0);
    client.abort();
    vi.advanceTimersByTime(2000);
    expect(deadline.signal.aborted).toBe(false);
  });
});

describe("the engine's request deadline", () => {
  const providers = createProviderRegistry({
    settings: readProviderEnvironment({ OPENAI_API_KEY: "sk-test", OPENAI_API_BASE: "http://127.0.0.1:9/v1" }).settings,
  });
  const call = (body: Record<string, unknown>, signal = new AbortController().signal): GatewayCall => ({
    protocol: "openai-chat",
    operation: "generate",
    body,
    rawBody: JSON.stringify(body),
    headers: {},
    signal,
  });
  const response = (chunks: string[]): UpstreamResponse => ({
    status: 200,
    headers: {},
    body: (async function* () {
      for (const chunk of chunks) yield new TextEncoder().encode(chunk);
    })(),
    readText: async () => chunks.join(""),
    discard: async () => undefined,
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it("aborts a hanging upstream call at the deadline and reports upstream_timeout", async () => {
    let seen: AbortSignal | undefined;
    const upstream: UpstreamClient = {
      send: (_request, options) =>
        new Promise((_resolve, reject) => {
          seen = options?.signal;
          options?.signal?.addEventListener("abort", () => reject(options.signal?.reason));
        }),
      close: async () => undefined,
    };
    const engine = createGatewayEngine({ providers, upstream, requestTimeoutMs: 20 });
    const error: unknown = await engine.handle(call({ model: "openai/gpt-x", messages: [] })).catch((caught: unknown) => caught);
    expect(GatewayError.isInstance(error) ? error.code : error).toBe("upstream_timeout");
    expect(GatewayError.isInstance(seen?.reason) && seen.reason.code).toBe("upstream_timeout");
  });

  it("clears the deadline when a JSON answer or a stream is done", async () => {
    vi.useFakeTimers();
    const json = '{"id":"x","object":"chat.completion","choices":[]}';
    const stream = ['data: {"id":"x","object":"chat.completion.chunk","choices":[]}\n\n', "data: [DONE]\n\n"];
    const upstream: UpstreamClient = {
      send: async (request) => response(String(request.body).includes('"stream":true') ? stream : [json]),
      close: async () => undefined,
    };
    const engine = createGatewayEngine({ providers, upstream, requestTimeoutMs: 600_000 });

    const answer = await engine.handle(call({ model: "openai/gpt-x", messages: [] }));
    expect(answer).toMatchObject({ kind: "bytes", body: json });
    expect(vi.getTimerCount()).toBe(0);

    const streamed = await engine.handle(call({ model: "openai/gpt-x", messages: [], stream: true }));
    if (streamed.kind !== "stream") throw new Error(`expected a stream, got ${streamed.kind}`);
    // The request deadline, until the body is read (the executor already pulled the first chunk, which ended the
    // supervisor's time-to-first-byte deadline).
    expect(vi.getTimerCount()).toBe(1);
    const text: string[] = [];
    for await (const chunk of streamed.chunks) text.push(typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk));
    expect(text.join("")).toBe(stream.join(""));
    expect(vi.getTimerCount()).toBe(0);
  });
});
