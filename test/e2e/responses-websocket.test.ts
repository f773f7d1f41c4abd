import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { textReply, toolCallReply } from "../support/mock-upstream.js";
import { mockTargets, startTestGateway, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

type WireEvent = { type: string; sequence_number?: number; response?: { id: string; status: string; output: Array<Record<string, unknown>> } };

let gateway: TestGateway;

beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => {
  await gateway.close();
});
beforeEach(() => {
  gateway.reset();
});

/** A Codex-like WebSocket client: sends a frame, collects events until the response's terminal event (or an error). */
async function connect(headers: Record<string, string>): Promise<{ socket: WebSocket; turn(frame: Record<string, unknown>): Promise<WireEvent[]> }> {
  const socket = new WebSocket(`${gateway.baseUrl.replace("http", "ws")}/v1/responses`, { headers });
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
