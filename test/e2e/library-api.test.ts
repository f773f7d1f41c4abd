import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createGateway, type SwitchyardGateway, type WireStreamEvent } from "../../src/library/index.js";
import { GatewayError, type ProtocolId } from "../../src/unified/index.js";
import { defaultMockText, rateLimitReply, startMockUpstream, textReply, toolCallReply, withFaults, type MockUpstream } from "../support/mock-upstream.js";
import { mockProviderEnvironment, mockTargets, testConfigDirectory } from "../support/start-test-gateway.js";

/** `createGateway({ env, cwd })`: the whole pipeline in process, no HTTP server, providers pointed at the mock. */
let mock: MockUpstream;
let gateway: SwitchyardGateway;
beforeAll(async () => {
  mock = await startMockUpstream();
  gateway = createGateway({ env: mockProviderEnvironment(mock.baseUrl), cwd: testConfigDirectory });
});
afterAll(async () => {
  await gateway.close();
  await mock.close();
});
beforeEach(() => {
  mock.reset();
});

const prompt = "Say hello.";

/** A body in each protocol's wire shape (Gemini names the model in the call options, as in its URL). */
function bodyFor(protocol: ProtocolId, model: string): Record<string, unknown> {
  switch (protocol) {
    case "openai-chat":
      return { model, messages: [{ role: "user", content: prompt }] };
    case "openai-responses":
      return { model, input: prompt };
    case "anthropic-messages":
      return { model, max_tokens: 64, messages: [{ role: "user", content: prompt }] };
    case "gemini":
      return { contents: [{ role: "user", parts: [{ text: prompt }] }] };
    default: {
      const unreachable: never = protocol;
      return unreachable;
    }
  }
}

type Wire = Record<string, unknown>;

/** The text of a non-streaming response in each protocol's shape. */
function responseText(protocol: ProtocolId, body: unknown): string {
  const wire = body as Wire;
  switch (protocol) {
    case "openai-chat":
      return String((wire["choices"] as Array<{ message: { content: string } }>)[0]?.message.content);
    case "openai-responses":
      return (wire["output"] as Array<{ type: string; content?: Array<{ text: string }> }>)
        .flatMap((item) => (item.type === "message" ? (item.content ?? []).map((part) => part.text) : []))
        .join("");
    case "anthropic-messages":
      return (wire["content"] as Array<{ type: string; text?: string }>).map((block) => block.text ?? "").join("");
    case "gemini":
      return ((wire["candidates"] as Array<{ content: { parts: Array<{ text?: string }> } }>)[0]?.content.parts ?? []).map((part) => part.text ?? "").join("");
    default: {
      const unreachable: never = protocol;
      return unreachable;
    }
  }
}

/** The text delta an event carries, in each protocol's shape. */
function eventText(protocol: ProtocolId, event: WireStreamEvent): string {
  const data = event.data as Wire;
  switch (protocol) {
    case "openai-chat":
      return event.data === "[DONE]" ? "" : String((data["choices"] as Array<{ delta?: { content?: string } }>)[0]?.delta?.content ?? "");
    case "openai-responses":
      return event.event === "response.output_text.delta" ? String(data["delta"]) : "";
    case "anthropic-messages": {
      const delta = data["delta"] as { type?: string; text?: string } | undefined;
      return event.event === "content_block_delta" && delta?.type === "text_delta" ? String(delta.text) : "";
    }
    case "gemini":
      return responseText("gemini", { candidates: data["candidates"] ?? [] });
    default: {
      const unreachable: never = protocol;
      return unreachable;
    }
  }
}

/** The event that must end a successful stream. */
function expectTerminal(protocol: ProtocolId, last: WireStreamEvent | undefined): void {
  switch (protocol) {
    case "openai-chat":
      expect(last?.data).toBe("[DONE]");
      break;
    case "openai-responses":
      expect(last?.event).toBe("response.completed");
      break;
    case "anthropic-messages":
      expect(last?.event).toBe("message_stop");
      break;
    case "gemini":
      expect((last?.data as { candidates: Array<{ finishReason?: string }> }).candidates[0]?.finishReason).toBe("STOP");
      break;
    default: {
      const unreachable: never = protocol;
      throw new Error(`unknown protocol ${String(unreachable)}`);
    }
  }
}

async function collect(events: AsyncIterable<WireStreamEvent>): Promise<WireStreamEvent[]> {
  const out: WireStreamEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

const protocols: ProtocolId[] = ["openai-chat", "openai-responses", "anthropic-messages", "gemini"];

describe.each(protocols)("library calls in %s", (protocol) => {
  describe.each(protocols)("→ %s upstream", (upstream) => {
    const target = mockTargets[upstream];
    const options = protocol === "gemini" ? { model: target.model } : {};

    it("request() resolves to the protocol's response body", async () => {
      const body = await gateway.request(protocol, bodyFor(protocol, target.model), options);
      expect(responseText(protocol, body)).toBe(defaultMockText(upstream));
      expect(mock.generateRequests().map((request) => [request.route.model, request.route.stream])).toEqual([[target.upstreamModel, false]]);
    });

    it("stream() yields the protocol's wire events, ending with its terminal event", async () => {
      const events = await collect(gateway.stream(protocol, bodyFor(protocol, target.model), options));
      expect(events.map((event) => eventText(protocol, event)).join("")).toBe(defaultMockText(upstream));
      expectTerminal(protocol, events.at(-1));
      expect(mock.generateRequests().map((request) => request.route.stream)).toEqual([true]);
    });
  });
});

describe("library tools, counting, models and errors", () => {
  it("returns tool calls (Anthropic shape from a Gemini upstream)", async () => {
    mock.script(toolCallReply({ name: "get_weather", arguments: { city: "Paris" } }));
    const body = await gateway.request("anthropic-messages", {
      ...bodyFor("anthropic-messages", mockTargets.gemini.model),
      tools: [{ name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } } } }],
    });
    expect(body).toMatchObject({ stop_reason: "tool_use", content: [{ type: "tool_use", name: "get_weather", input: { city: "Paris" } }] });
  });

  it("counts tokens in the Anthropic and Gemini shapes", async () => {
    expect(await gateway.countTokens("anthropic-messages", { model: mockTargets["anthropic-messages"].model, messages: [{ role: "user", content: prompt }] })).toEqual({ input_tokens: 12 });
    expect(await gateway.countTokens("gemini", bodyFor("gemini", ""), { model: mockTargets.gemini.model })).toEqual({ totalTokens: 12 });
    const local = (await gateway.countTokens("anthropic-messages", { model: mockTargets["openai-chat"].model, messages: [{ role: "user", content: prompt }] })) as { input_tokens: number };
    expect(local.input_tokens).toBeGreaterThan(0);
  });

  it("lists every provider's models", async () => {
    const models = await gateway.listModels();
    expect(models.map((model) => model.id)).toContain(mockTargets.gemini.model);
    expect(new Set(models.map((model) => model.provider))).toEqual(new Set(["openai", "anthropic", "gemini", "responsesmock"]));
  });

  it("throws GatewayErrors: unknown model, upstream 429", async () => {
    const unknown: unknown = await gateway.request("openai-chat", bodyFor("openai-chat", "nosuch/model")).catch((error: unknown) => error);
    expect(GatewayError.isInstance(unknown) && [unknown.code, unknown.httpStatus]).toEqual(["not_found", 404]);
    // Longer than the request deadline: the only key cools and the error comes back at once (a short one is waited out).
    mock.script(rateLimitReply({ seconds: 3600 }));
    const limited: unknown = await gateway.request("openai-chat", bodyFor("openai-chat", mockTargets["anthropic-messages"].model)).catch((error: unknown) => error);
    expect(GatewayError.isInstance(limited) && [limited.code, limited.retryAfterMs]).toEqual(["rate_limited", 3_600_000]);
  });

  it("ends a stream whose upstream failed with the protocol's error event", async () => {
    mock.script(withFaults(textReply("one two three four"), { dropAfterFrames: 4 }));
    const events = await collect(gateway.stream("anthropic-messages", bodyFor("anthropic-messages", mockTargets["openai-chat"].model)));
    expect(events.map((event) => eventText("anthropic-messages", event)).join("")).toBe("one two three");
    expect(events.at(-1)).toEqual({ event: "error", data: { type: "error", error: { type: "api_error", message: "openai: connection failed (UND_ERR_SOCKET)" } } });
  });
});

describe("library Responses store", () => {
  // Its own gateway: the 429 test above leaves the Anthropic key cooling for an hour.
  let fresh: SwitchyardGateway;
  beforeAll(() => {
    fresh = createGateway({ env: mockProviderEnvironment(mock.baseUrl), cwd: testConfigDirectory });
  });
  afterAll(() => fresh.close());
  const weatherTool = { type: "function", name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };

  it("continues a tool loop through previous_response_id to a non-Responses upstream", async () => {
    const target = mockTargets["anthropic-messages"];
    mock.script(toolCallReply({ id: "toolu_weather_1", name: "get_weather", arguments: { city: "Paris" } }), textReply("Sunny in Paris."));
    const first = (await fresh.request("openai-responses", { model: target.model, input: "Weather in Paris?", tools: [weatherTool] })) as Wire;
    expect(first["id"]).toMatch(/^resp_[0-9a-f]{48}$/);
    const call = (first["output"] as Wire[]).find((item) => item["type"] === "function_call");
    expect(call).toMatchObject({ name: "get_weather", call_id: "toolu_weather_1", arguments: JSON.stringify({ city: "Paris" }) });

    // Turn 2 carries only the tool output; the gateway replays the stored question and call.
    const second = (await fresh.request("openai-responses", {
      model: target.model,
      previous_response_id: first["id"],
      input: [{ type: "function_call_output", call_id: "toolu_weather_1", output: "sunny, 21C" }],
      tools: [weatherTool],
    })) as Wire;
    expect(responseText("openai-responses", second)).toBe("Sunny in Paris.");
    const upstream = mock.generateRequests()[1]?.json as { messages: Wire[] };
    expect(upstream.messages).toEqual([
      { role: "user", content: "Weather in Paris?" },
      { role: "assistant", content: [{ type: "tool_use", id: "toolu_weather_1", name: "get_weather", input: { city: "Paris" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_weather_1", content: "sunny, 21C" }] },
    ]);

    expect(await fresh.responses.retrieve(String(second["id"]))).toMatchObject({ id: second["id"], status: "completed", previous_response_id: first["id"] });
    expect(await fresh.responses.delete(String(first["id"]))).toEqual({ id: first["id"], object: "response", deleted: true });
    const missing: unknown = await fresh.responses.retrieve(String(first["id"])).catch((error: unknown) => error);
    expect(GatewayError.isInstance(missing) && missing.code).toBe("not_found");
  });

  it("runs a background response detached and shows it completed", async () => {
    mock.script(textReply("Done in the background."));
    const queued = (await fresh.request("openai-responses", { model: mockTargets.gemini.model, input: "Work on this.", background: true })) as Wire;
    expect(queued).toMatchObject({ status: "queued", background: true });
    let current: Wire = queued;
    for (let poll = 0; poll < 100 && current["status"] !== "completed"; poll++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      current = await fresh.responses.retrieve(String(queued["id"]));
    }
    expect(current["status"]).toBe("completed");
    expect(responseText("openai-responses", current)).toBe("Done in the background.");
  });

  it("keeps stored responses in <responsesDataDir>/responses.json across gateways", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "switchyard-library-responses-"));
    try {
      const env = mockProviderEnvironment(mock.baseUrl);
      const writer = createGateway({ env, cwd: testConfigDirectory, responsesDataDir: dataDir });
      mock.script(textReply("Stored on disk."));
      const created = (await writer.request("openai-responses", { model: mockTargets["openai-chat"].model, input: "Remember this." })) as Wire;
      await writer.close();

      const reader = createGateway({ env, cwd: testConfigDirectory, responsesDataDir: dataDir });
      try {
        expect(responseText("openai-responses", await reader.responses.retrieve(String(created["id"])))).toBe("Stored on disk.");
        expect((await reader.responses.listInputItems(String(created["id"]))).data).toMatchObject([{ type: "message", role: "user", content: [{ type: "input_text", text: "Remember this." }] }]);
      } finally {
        await reader.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
