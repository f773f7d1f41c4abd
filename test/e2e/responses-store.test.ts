import OpenAI, { BadRequestError, NotFoundError } from "openai";
import type { Response, ResponseCreateParamsStreaming, ResponseInputItem } from "openai/resources/responses/responses";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ProtocolId } from "../../src/unified/index.js";
import { errorReply, jsonReply, textReply, toolCallReply } from "../support/mock-upstream.js";
import { mockTargets, providerProtocols, startTestGateway, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

const otherProxyKey = "sk-switchyard-other";
const weatherTool = {
  type: "function" as const,
  name: "get_weather",
  description: "Weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  strict: false,
};

let gateway: TestGateway;
let client: OpenAI;
let other: OpenAI;

beforeAll(async () => {
  gateway = await startTestGateway({ env: { SWITCHYARD_PROXY_KEYS: `${testProxyKey},${otherProxyKey}` } });
  client = new OpenAI({ baseURL: `${gateway.baseUrl}/v1`, apiKey: testProxyKey, maxRetries: 0 });
  other = new OpenAI({ baseURL: `${gateway.baseUrl}/v1`, apiKey: otherProxyKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close();
});
beforeEach(() => {
  gateway.reset();
});

/** The upstream body of the n-th completion call, parsed. */
function upstreamBody(index: number): Record<string, unknown> {
  const request = gateway.mock.generateRequests()[index];
  if (request === undefined) throw new Error(`no upstream request #${index}`);
  return request.json as Record<string, unknown>;
}

/** A streamed create through the SDK: the terminal event's response object, exactly as the wire carried it. */
async function streamTurn(params: Omit<ResponseCreateParamsStreaming, "stream">): Promise<Response> {
  let completed: Response | undefined;
  for await (const event of await client.responses.create({ ...params, stream: true })) if (event.type === "response.completed") completed = event.response;
  if (completed === undefined) throw new Error("the stream ended without response.completed");
  return completed;
}

/** Asserts the upstream got the whole conversation (question, call, result) in its own protocol. */
function expectReplayedHistory(protocol: ProtocolId, body: Record<string, unknown>, callId: string): void {
  const text = JSON.stringify(body);
  expect(text).toContain("Weather in Paris?");
  expect(text).toContain("sunny, 21C");
  switch (protocol) {
    case "openai-chat": {
      const messages = body["messages"] as Array<Record<string, unknown>>;
      expect(messages.map((message) => message["role"])).toEqual(["user", "assistant", "tool"]);
      expect(messages[2]).toMatchObject({ role: "tool", tool_call_id: callId, content: "sunny, 21C" });
      break;
    }
    case "anthropic-messages": {
      const messages = body["messages"] as Array<{ role: string; content: Array<Record<string, unknown>> }>;
      expect(messages.map((message) => message.role)).toEqual(["user", "assistant", "user"]);
      expect(messages[1]?.content.some((block) => block["type"] === "tool_use" && block["name"] === "get_weather")).toBe(true);
      expect(messages[2]?.content[0]).toMatchObject({ type: "tool_result" });
      break;
    }
    case "gemini": {
      const contents = body["contents"] as Array<{ role: string; parts: Array<Record<string, unknown>> }>;
      expect(contents.map((content) => content.role)).toEqual(["user", "model", "user"]);
      expect(contents[1]?.parts.some((part) => (part["functionCall"] as { name?: string } | undefined)?.name === "get_weather")).toBe(true);
      expect(contents[2]?.parts.some((part) => part["functionResponse"] !== undefined)).toBe(true);
      break;
    }
    case "openai-responses":
      throw new Error("a native target that holds the state gets the id, not the history");
    default: {
      const unreachable: never = protocol;
      throw new Error(String(unreachable));
    }
  }
}

describe.each(providerProtocols)("Responses store through the openai SDK, provider protocol %s", (protocol) => {
  const target = mockTargets[protocol];
  const native = protocol === "openai-responses";

  it("creates, retrieves, lists input items and deletes", async () => {
    gateway.mock.script(textReply("Hello there"));
    const created = await client.responses.create({ model: target.model, input: "Say hello" });
    expect(created.output_text).toBe("Hello there");
    expect(created.id).toMatch(native ? /^resp_mock_\d+$/ : /^resp_[0-9a-f]{48}$/);
    if (!native) {
      // Item ids derive from the gateway's id, not from the upstream's.
      const message = created.output.find((item) => item.type === "message");
      expect(message?.id).toContain(created.id.slice("resp_".length));
    }

    const retrieved = await client.responses.retrieve(created.id);
    expect(retrieved.id).toBe(created.id);
    expect(retrieved.status).toBe("completed");
    expect(retrieved.output).toEqual(created.output);
    expect(retrieved.output_text).toBe("Hello there");

    const items = await client.responses.inputItems.list(created.id);
    expect(items.data).toHaveLength(1);
    expect(items.data[0]).toMatchObject({ type: "message", role: "user", content: [{ type: "input_text", text: "Say hello" }] });

    const deleted = await client.responses.delete(created.id);
    expect(deleted).toEqual({ id: created.id, object: "response", deleted: true });
    await expect(client.responses.retrieve(created.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("stores a streamed response before the terminal event reaches the client", async () => {
    gateway.mock.script(textReply("Streamed answer"), textReply("Follow-up answer"));
    const stream = await client.responses.create({ model: target.model, input: "Stream please", stream: true });
    let followUp: string | undefined;
    let completedId: string | undefined;
    for await (const event of stream) {
      if (event.type !== "response.completed") continue;
      completedId = event.response.id;
      // The instant the terminal event arrives, a follow-up must find its parent.
      const retrieved = await client.responses.retrieve(event.response.id);
      expect(retrieved.output_text).toBe("Streamed answer");
      const next = await client.responses.create({ model: target.model, previous_response_id: event.response.id, input: "And then?" });
      followUp = next.output_text;
    }
    expect(completedId).toMatch(/^resp_/);
    expect(followUp).toBe("Follow-up answer");
  });

  it("runs a two-turn tool loop through previous_response_id", async () => {
    gateway.mock.script(toolCallReply({ name: "get_weather", arguments: { city: "Paris" }, id: "call_weather_1" }), textReply("It is sunny in Paris."));
    const first = await client.responses.create({ model: target.model, input: "Weather in Paris?", tools: [weatherTool] });
    const call = first.output.find((item) => item.type === "function_call");
    expect(call).toMatchObject({ type: "function_call", name: "get_weather" });
    const callId = call?.type === "function_call" ? call.call_id : "";

    const followUp: ResponseInputItem[] = [{ type: "function_call_output", call_id: callId, output: "sunny, 21C" }];
    const second = await client.responses.create({ model: target.model, previous_response_id: first.id, input: followUp, tools: [weatherTool] });
    expect(second.output_text).toBe("It is sunny in Paris.");

    const sent = upstreamBody(1);
    if (native) {
      // Same provider and credential, stored upstream: the id goes through and only the new items are sent.
      expect(sent["previous_response_id"]).toBe(first.id);
      expect(sent["input"]).toEqual(followUp);
    } else {
      expect(sent["previous_response_id"]).toBeUndefined();
      expectReplayedHistory(protocol, sent, callId);
    }
    const retrieved = await client.responses.retrieve(second.id);
    expect(retrieved.previous_response_id).toBe(first.id);
  });

  it("streams a two-turn tool loop through previous_response_id; retrieve, input items and delete see the streamed turns", async () => {
    gateway.mock.script(toolCallReply({ name: "get_weather", arguments: { city: "Paris" }, id: "call_weather_s" }), textReply("Sunny, streamed."));
    const first = await streamTurn({ model: target.model, input: "Weather in Paris?", tools: [weatherTool] });
    const call = first.output.find((item) => item.type === "function_call");
    expect(call).toMatchObject({ type: "function_call", name: "get_weather", arguments: '{"city":"Paris"}' });
    const callId = call?.type === "function_call" ? call.call_id : "";
    expect((await client.responses.retrieve(first.id)).output).toEqual(first.output);

    const followUp: ResponseInputItem[] = [{ type: "function_call_output", call_id: callId, output: "sunny, 21C" }];
    const second = await streamTurn({ model: target.model, previous_response_id: first.id, input: followUp, tools: [weatherTool] });
    expect(JSON.stringify(second.output)).toContain("Sunny, streamed.");
    expect(second.previous_response_id).toBe(first.id);
    const sent = upstreamBody(1);
    if (native) {
      expect([sent["previous_response_id"], sent["input"]]).toEqual([first.id, followUp]);
    } else {
      expect(sent["previous_response_id"]).toBeUndefined();
      expectReplayedHistory(protocol, sent, callId);
    }

    const retrieved = await client.responses.retrieve(second.id);
    expect([retrieved.output, retrieved.usage, retrieved.previous_response_id]).toEqual([second.output, second.usage, first.id]);
    const items = await client.responses.inputItems.list(second.id);
    expect(items.data).toEqual([expect.objectContaining({ type: "function_call_output", call_id: callId, output: "sunny, 21C" })]);
    expect(await client.responses.delete(second.id)).toEqual({ id: second.id, object: "response", deleted: true });
    await expect(client.responses.retrieve(second.id)).rejects.toBeInstanceOf(NotFoundError);
    const afterDelete = client.responses.create({ model: target.model, previous_response_id: second.id, input: "More?", stream: true });
    await expect(afterDelete).rejects.toMatchObject({ status: 404 });
  });

  it("echoes previous_response_id on a continued create, streamed and not", async () => {
    gateway.mock.script(textReply("First"), textReply("Second"), textReply("Third"));
    const first = await client.responses.create({ model: target.model, input: "One" });
    expect(first.previous_response_id ?? null).toBeNull();
    const second = await client.responses.create({ model: target.model, input: "Two", previous_response_id: first.id });
    expect(second.previous_response_id).toBe(first.id);

    const stream = await client.responses.create({ model: target.model, input: "Three", previous_response_id: second.id, stream: true });
    const carrying: Array<{ type: string; previous: string | null | undefined }> = [];
    for await (const event of stream) {
      if (event.type === "response.created" || event.type === "response.in_progress" || event.type === "response.completed") {
        carrying.push({ type: event.type, previous: event.response.previous_response_id });
      }
    }
    expect(carrying).toEqual([
      { type: "response.created", previous: second.id },
      { type: "response.in_progress", previous: second.id },
      { type: "response.completed", previous: second.id },
    ]);
  });
});

describe("Responses store: ownership, store: false, background", () => {
  const model = mockTargets["anthropic-messages"].model;

  it("streams the API's event sequence with contiguous sequence numbers from a non-Responses provider", async () => {
    gateway.mock.script(toolCallReply({ id: "toolu_seq", name: "get_weather", arguments: { city: "Paris" } }, { text: "Checking.", reasoning: { text: "Need weather.", signature: "c2ln" } }));
    const stream = await client.responses.create({ model, input: "Weather?", stream: true, tools: [weatherTool] });
    const events: Array<{ type: string; sequence_number: number }> = [];
    for await (const event of stream) events.push(event);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_event, index) => index));
    // Reasoning events are the codec's choice (raw text or summary); everything else is fixed by the API.
    const types = events.map((event) => event.type).filter((type) => !/^response\.reasoning_/.test(type));
    expect(types).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.content_part.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.content_part.added",
      ...types.filter((type) => type === "response.output_text.delta"),
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.output_item.added",
      ...types.filter((type) => type === "response.function_call_arguments.delta"),
      "response.function_call_arguments.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(types.filter((type) => type === "response.output_text.delta").length).toBeGreaterThan(0);
    expect(types.filter((type) => type === "response.function_call_arguments.delta").length).toBeGreaterThan(0);
  });

  it("pages input items with after, limit and order through the SDK's cursor", async () => {
    gateway.mock.script(textReply("Paged"));
    const input: ResponseInputItem[] = ["one", "two", "three"].map((text) => ({ type: "message", role: "user", content: [{ type: "input_text", text }] }));
    const created = await client.responses.create({ model, input });
    const texts = (items: Array<{ type: string; content?: unknown }>): string[] =>
      items.map((item) => ((item.content as Array<{ text: string }> | undefined)?.[0]?.text ?? ""));
    const ascending: Array<{ type: string; content?: unknown }> = [];
    // limit 1 makes the SDK follow `after` = last_id page by page.
    for await (const item of client.responses.inputItems.list(created.id, { limit: 1, order: "asc" })) ascending.push(item);
    expect(texts(ascending)).toEqual(["one", "two", "three"]);
    const firstPage = await client.responses.inputItems.list(created.id, { limit: 2 });
    expect([texts(firstPage.data), firstPage.has_more]).toEqual([["three", "two"], true]);
    const rest = await client.responses.inputItems.list(created.id, { after: firstPage.data[1]?.id ?? "", order: "desc" });
    expect([texts(rest.data), rest.has_more]).toEqual([["one"], false]);
  });

  it("hides a response from another proxy key (404 everywhere, nothing sent upstream)", async () => {
    gateway.mock.script(textReply("Mine"));
    const created = await client.responses.create({ model, input: "Private" });
    await expect(other.responses.retrieve(created.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(other.responses.retrieve(created.id, { stream: true })).rejects.toBeInstanceOf(NotFoundError);
    await expect(other.responses.inputItems.list(created.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(other.responses.delete(created.id)).rejects.toBeInstanceOf(NotFoundError);
    const continued = other.responses.create({ model, input: "Continue", previous_response_id: created.id, stream: true });
    await expect(continued).rejects.toMatchObject({ status: 404, error: { message: `Previous response with id '${created.id}' not found.` } });
    const inBackground = other.responses.create({ model, input: "Continue", previous_response_id: created.id, background: true });
    await expect(inBackground).rejects.toMatchObject({ status: 404, error: { message: `Previous response with id '${created.id}' not found.` } });
    expect(gateway.mock.generateRequests()).toHaveLength(1);
    expect((await client.responses.retrieve(created.id)).output_text).toBe("Mine");
  });

  it("never lets one key's response replace another's, even when a native upstream repeats an id", async () => {
    const nativeModel = mockTargets["openai-responses"].model;
    const answer = (text: string): ReturnType<typeof jsonReply> =>
      jsonReply({
        id: "resp_repeated",
        object: "response",
        created_at: 1_735_689_601,
        status: "completed",
        model: mockTargets["openai-responses"].upstreamModel,
        output: [{ type: "message", id: "msg_repeated", status: "completed", role: "assistant", content: [{ type: "output_text", text, annotations: [] }] }],
        usage: { input_tokens: 1, input_tokens_details: { cached_tokens: 0 }, output_tokens: 1, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 2 },
      });
    gateway.mock.script(answer("For the first key"), answer("For the other key"));
    const mine = await client.responses.create({ model: nativeModel, input: "First" });
    const theirs = await other.responses.create({ model: nativeModel, input: "Second" });
    expect([mine.id, theirs.id, theirs.output_text]).toEqual(["resp_repeated", "resp_repeated", "For the other key"]);
    expect((await client.responses.retrieve(mine.id)).output_text).toBe("For the first key");
    // The other key's copy was not kept (its id is taken), and the first key's is not visible to it.
    await expect(other.responses.retrieve(theirs.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("keeps nothing for store: false", async () => {
    gateway.mock.script(textReply("Ephemeral"), textReply("Ephemeral stream"));
    const created = await client.responses.create({ model, input: "Forget me", store: false });
    await expect(client.responses.retrieve(created.id)).rejects.toBeInstanceOf(NotFoundError);
    const streamed = await client.responses.stream({ model, input: "Forget me too", store: false }).finalResponse();
    await expect(client.responses.retrieve(streamed.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("refuses background with store: false (a background response is polled, so it must be stored)", async () => {
    const refused = client.responses.create({ model, input: "Detached but forgotten?", background: true, store: false });
    await expect(refused).rejects.toBeInstanceOf(BadRequestError);
    await expect(refused).rejects.toMatchObject({ error: { param: "store" } });
    expect(gateway.mock.generateRequests()).toHaveLength(0);
  });

  it("continues a background response served by a Responses-native upstream with the upstream's own id", async () => {
    const nativeModel = mockTargets["openai-responses"].model;
    gateway.mock.script(textReply("Background answer"), textReply("Continued"));
    const queued = await client.responses.create({ model: nativeModel, input: "Work on it", background: true });
    let current = await client.responses.retrieve(queued.id);
    for (let tries = 0; tries < 200 && (current.status === "queued" || current.status === "in_progress"); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      current = await client.responses.retrieve(queued.id);
    }
    // The job's id is the gateway's (issued before any upstream answered); the upstream knows it by its own.
    expect([current.status, current.id]).toEqual(["completed", queued.id]);
    expect(queued.id).toMatch(/^resp_[0-9a-f]{48}$/);
    const next = await client.responses.create({ model: nativeModel, input: "And then?", previous_response_id: queued.id });
    expect([next.output_text, next.previous_response_id]).toEqual(["Continued", queued.id]);
    expect(upstreamBody(1)["previous_response_id"]).toMatch(/^resp_mock_\d+$/);
  });

  it("rejects conversation with a clear 400", async () => {
    await expect(client.responses.create({ model, input: "Hi", conversation: "conv_123" })).rejects.toBeInstanceOf(BadRequestError);
    expect(gateway.mock.generateRequests()).toHaveLength(0);
  });

  it("runs a background response detached and shows its status", async () => {
    gateway.mock.script(textReply("Done in the background", { delayMs: 100 }));
    const queued = await client.responses.create({ model, input: "Work on it", background: true });
    expect(queued.status).toBe("queued");
    expect(queued.background).toBe(true);
    let current = await client.responses.retrieve(queued.id);
    for (let tries = 0; tries < 100 && (current.status === "queued" || current.status === "in_progress"); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      current = await client.responses.retrieve(queued.id);
    }
    expect(current.status).toBe("completed");
    expect(current.id).toBe(queued.id);
    expect(current.output_text).toBe("Done in the background");
    expect(upstreamBody(0)["stream"]).toBe(false);
  });

  it("shows a background response whose upstream failed as failed, with the error", async () => {
    gateway.mock.script(errorReply(400, { message: "prompt is too long" }));
    const queued = await client.responses.create({ model, input: "Too much", background: true });
    let current = await client.responses.retrieve(queued.id);
    for (let tries = 0; tries < 200 && (current.status === "queued" || current.status === "in_progress"); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      current = await client.responses.retrieve(queued.id);
    }
    expect(current.status).toBe("failed");
    expect(current.error?.message).toContain("prompt is too long");
    expect(current.output).toEqual([]);
  });

  it("cancels a running background response", async () => {
    gateway.mock.script(textReply("Too late", { delayMs: 2_000 }));
    const queued = await client.responses.create({ model, input: "Slow work", background: true });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const cancelled = await client.responses.cancel(queued.id);
    expect(cancelled.status).toBe("cancelled");
    expect((await client.responses.retrieve(queued.id)).status).toBe("cancelled");
    await expect(other.responses.cancel(queued.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});
