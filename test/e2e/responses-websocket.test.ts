import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createEngineFromConfig } from "../../src/library/index.js";
import { createResponsesService } from "../../src/responses/index.js";
import { buildServer } from "../../src/server/index.js";
import { createMemoryStateStore } from "../../src/state/index.js";
import { createSseParser } from "../../src/streaming/index.js";
import { textReply, toolCallReply } from "../support/mock-upstream.js";
import { mockTargets, startTestGateway, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

type WireEvent = { type: string; sequence_number?: number; response?: { id: string; status: string; output: Array<Record<string, unknown>> } };

const otherProxyKey = "sk-switchyard-other";
let gateway: TestGateway;

beforeAll(async () => {
  gateway = await startTestGateway({ env: { SWITCHYARD_PROXY_KEYS: `${testProxyKey},${otherProxyKey}` } });
});
afterAll(async () => {
  await gateway.close();
});
beforeEach(() => {
  gateway.reset();
});

/** A Codex-like WebSocket client: sends a frame, collects events until the response's terminal event (or an error). */
async function connect(headers: Record<string, string>, options: { baseUrl?: string; query?: string } = {}): Promise<{ socket: WebSocket; turn(frame: Record<string, unknown>): Promise<WireEvent[]> }> {
  const socket = new WebSocket(`${(options.baseUrl ?? gateway.baseUrl).replace("http", "ws")}/v1/responses${options.query ?? ""}`, { headers });
  const events: WireEvent[] = [];
  let waiter: (() => void) | undefined;
  socket.on("message", (data: Buffer) => {
    events.push(JSON.parse(data.toString("utf8")) as WireEvent);
    waiter?.();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  return {
    socket,
    async turn(frame) {
      events.length = 0;
      socket.send(JSON.stringify(frame));
      await new Promise<void>((resolve) => {
        const check = (): void => {
          if (events.some((event) => ["response.completed", "response.failed", "response.incomplete", "error"].includes(event.type))) resolve();
        };
        waiter = check;
        check();
      });
      return [...events];
    },
  };
}

describe("Responses over WebSocket (Codex's frame sequence)", () => {
  const model = mockTargets["anthropic-messages"].model;
  const codexHeaders = { authorization: `Bearer ${testProxyKey}`, "openai-beta": "responses_websockets=2026-02-06", "session-id": "thread-1" };
  const tools = [{ type: "function", name: "shell", description: "Run a command", parameters: { type: "object", properties: { cmd: { type: "string" } } } }];
  const base = { type: "response.create", model, store: false, tools, include: ["reasoning.encrypted_content"], parallel_tool_calls: true };

  it("answers a prewarm without an upstream call, then continues per connection with incremental input", async () => {
    const client = await connect(codexHeaders);
    const developer = { type: "message", role: "developer", id: "msg_dev", content: [{ type: "input_text", text: "You are Codex." }] };
    const user = { type: "message", role: "user", id: "msg_user", content: [{ type: "input_text", text: "List the files" }] };

    const prewarm = await client.turn({ ...base, input: [developer, user], generate: false });
    expect(prewarm.map((event) => event.type)).toEqual(["response.created", "response.completed"]);
    expect(gateway.mock.generateRequests()).toHaveLength(0);
    const prewarmId = prewarm[1]?.response?.id ?? "";

    gateway.mock.script(toolCallReply({ name: "shell", arguments: { cmd: "ls" }, id: "call_ls" }), textReply("Two files."));
    const first = await client.turn({ ...base, previous_response_id: prewarmId, input: [] });
    const types = first.map((event) => event.type);
    expect(types[0]).toBe("response.created");
    expect(types).toContain("response.output_item.done");
    expect(types.at(-1)).toBe("response.completed");
    expect(first.map((event) => event.sequence_number)).toEqual(first.map((_event, index) => index));
    const completed = first.at(-1)?.response;
    const call = completed?.output.find((item) => item["type"] === "function_call");
    expect(call).toMatchObject({ name: "shell", call_id: "call_ls" });
    const firstUpstream = JSON.stringify(gateway.mock.generateRequests()[0]?.json);
    expect(firstUpstream).toContain("You are Codex.");
    expect(firstUpstream).toContain("List the files");

    const output = { type: "function_call_output", id: "fco_1", call_id: "call_ls", output: "a.txt b.txt" };
    const second = await client.turn({ ...base, previous_response_id: completed?.id, input: [output] });
    expect(second.at(-1)?.type).toBe("response.completed");
    const upstream = gateway.mock.generateRequests()[1]?.json as { system?: unknown; messages: Array<{ role: string; content: Array<Record<string, unknown>> }> };
    // store: false kept the responses on this connection only, and the upstream got the whole history, in its protocol.
    expect(JSON.stringify(upstream.system)).toContain("You are Codex.");
    expect(upstream.messages.map((message) => message.role)).toEqual(["user", "assistant", "user"]);
    expect(upstream.messages[1]?.content.some((block) => block["type"] === "tool_use" && block["id"] === "call_ls")).toBe(true);
    expect(upstream.messages[2]?.content[0]).toMatchObject({ type: "tool_result", tool_use_id: "call_ls" });

    // Connection-scoped: the HTTP store never saw them.
    const lookup = await fetch(`${gateway.baseUrl}/v1/responses/${completed?.id ?? ""}`, { headers: { authorization: `Bearer ${testProxyKey}` } });
    expect(lookup.status).toBe(404);
    client.socket.close();
  });

  it("answers a missing previous_response_id with an error event and keeps the connection", async () => {
    const client = await connect(codexHeaders);
    const failed = await client.turn({ ...base, previous_response_id: "resp_missing", input: [] });
    expect(failed).toEqual([{ type: "error", status: 404, error: expect.objectContaining({ message: "Previous response with id 'resp_missing' not found." }) }]);
    gateway.mock.script(textReply("Still here"));
    const next = await client.turn({ ...base, input: "hello" });
    expect(next.at(-1)?.type).toBe("response.completed");
    client.socket.close();
  });

  it("refuses an upgrade without the proxy key (Codex then falls back to HTTP)", async () => {
    const socket = new WebSocket(`${gateway.baseUrl.replace("http", "ws")}/v1/responses`);
    const status = await new Promise<number | undefined>((resolve) => {
      socket.once("unexpected-response", (_request, response) => resolve(response.statusCode));
      socket.once("error", () => resolve(undefined));
    });
    expect(status).toBe(401);
  });
});

describe("Responses over WebSocket: auth, ownership, parity with SSE, store: false", () => {
  const model = mockTargets["anthropic-messages"].model;
  const weatherTool = { type: "function", name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } } };

  it("accepts every key style the HTTP routes accept, and refuses a wrong key with 401", async () => {
    const styles: Array<{ headers: Record<string, string>; query?: string }> = [
      { headers: { authorization: `Bearer ${testProxyKey}` } },
      { headers: { "x-api-key": testProxyKey } },
      { headers: { "x-goog-api-key": testProxyKey } },
      { headers: {}, query: `?key=${testProxyKey}` },
    ];
    for (const style of styles) {
      const client = await connect(style.headers, style.query === undefined ? {} : { query: style.query });
      const events = await client.turn({ type: "response.create", model, input: "hi", generate: false });
      expect(events.map((event) => event.type)).toEqual(["response.created", "response.completed"]);
      client.socket.close();
    }
    const refused = new WebSocket(`${gateway.baseUrl.replace("http", "ws")}/v1/responses`, { headers: { "x-api-key": "sk-wrong" } });
    const status = await new Promise<number | undefined>((resolve) => {
      refused.once("unexpected-response", (_request, response) => resolve(response.statusCode));
      refused.once("error", () => resolve(undefined));
    });
    expect(status).toBe(401);
  });

  it("answers a prewarm or a create naming a missing or another key's response with a 404 error event, before any upstream call", async () => {
    gateway.mock.script(textReply("Someone else's"));
    const foreign = (await (
      await fetch(`${gateway.baseUrl}/v1/responses`, {
        method: "POST",
        headers: { authorization: `Bearer ${otherProxyKey}`, "content-type": "application/json" },
        body: JSON.stringify({ model, input: "Private" }),
      })
    ).json()) as { id: string };
    expect(foreign.id).toMatch(/^resp_/);
    gateway.mock.reset();

    const client = await connect({ authorization: `Bearer ${testProxyKey}` });
    for (const id of ["resp_missing", foreign.id]) {
      for (const generate of [false, true]) {
        const events = await client.turn({ type: "response.create", model, store: false, previous_response_id: id, input: [], ...(generate ? {} : { generate: false }) });
        expect(events).toEqual([{ type: "error", status: 404, error: expect.objectContaining({ message: `Previous response with id '${id}' not found.` }) }]);
      }
    }
    expect(gateway.mock.generateRequests()).toHaveLength(0);
    client.socket.close();
  });

  it("sends the same events, in the same order with the same sequence numbers, as the SSE stream", async () => {
    const reply = toolCallReply({ name: "get_weather", arguments: { city: "Paris" }, id: "toolu_same" }, { text: "Checking.", reasoning: { text: "Need weather.", signature: "c2ln" } });
    gateway.mock.script(reply, reply);
    const body = { model, input: "Weather?", tools: [weatherTool], stream: true, store: false };
    const sse = await fetch(`${gateway.baseUrl}/v1/responses`, { method: "POST", headers: { authorization: `Bearer ${testProxyKey}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    const parser = createSseParser();
    const sseEvents = [...parser.feed(await sse.text()), ...parser.end()].filter((message) => message.data !== "").map((message) => JSON.parse(message.data) as WireEvent);
    const client = await connect({ authorization: `Bearer ${testProxyKey}` });
    const wsEvents = await client.turn({ type: "response.create", ...body });
    client.socket.close();

    // Ids derive from each response's own id and timestamps differ; everything else must match.
    const normalize = (events: WireEvent[]): unknown => {
      const id = events[0]?.response?.id ?? "";
      const base = id.slice("resp_".length);
      return JSON.parse(JSON.stringify(events).replaceAll(base, "<id>").replace(/"created_at":\d+/g, '"created_at":0')) as unknown;
    };
    expect(wsEvents.map((event) => event.type)).toContain("response.function_call_arguments.done");
    expect(normalize(wsEvents)).toEqual(normalize(sseEvents));
  });

  it("leaves nothing in the shared store for store: false frames, and keeps store: true ones for HTTP reads", async () => {
    const state = createMemoryStateStore();
    const engine = createEngineFromConfig(gateway.config);
    const responses = createResponsesService({ gateway: engine, state });
    const app = buildServer({ gateway: engine, proxyKeys: [testProxyKey], responses, logger: false });
    await app.listen({ host: "127.0.0.1", port: 0 });
    try {
      const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const client = await connect({ authorization: `Bearer ${testProxyKey}` }, { baseUrl });
      gateway.mock.script(textReply("One"), textReply("Two"), textReply("Kept"));
      const prewarm = await client.turn({ type: "response.create", model, store: false, input: "Hello", generate: false });
      const first = await client.turn({ type: "response.create", model, store: false, previous_response_id: prewarm.at(-1)?.response?.id, input: [] });
      await client.turn({ type: "response.create", model, store: false, previous_response_id: first.at(-1)?.response?.id, input: "More" });
      expect(await state.list("")).toEqual([]);

      const kept = await client.turn({ type: "response.create", model, input: "Keep this" });
      const id = kept.at(-1)?.response?.id ?? "";
      const read = await fetch(`${baseUrl}/v1/responses/${id}`, { headers: { authorization: `Bearer ${testProxyKey}` } });
      expect(read.status).toBe(200);
      expect(((await read.json()) as { output: unknown }).output).toEqual(kept.at(-1)?.response?.output);
      client.socket.close();
    } finally {
      app.server.closeAllConnections();
      await app.close();
      await responses.close();
    }
  });
});
