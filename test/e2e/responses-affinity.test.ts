import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createCredential } from "../../src/providers/index.js";
import { matching, rateLimitReply, textReply } from "../support/mock-upstream.js";
import { mockTargets, startTestGateway, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

const keyA = "sk-affinity-key-aaaaaaaa";
const keyB = "sk-affinity-key-bbbbbbbb";
const target = mockTargets["openai-responses"];
const idOf = (key: string): string => createCredential(target.provider, key).id;

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

/**
 * Two keys on the Responses-native mock under `balanced` with tolerance 0: without session evidence every request
 * moves to the least used key, so a chain that stays on one key shows the evidence at work.
 */
async function start(): Promise<TestGateway> {
  const config = join(mkdtempSync(join(tmpdir(), "switchyard-affinity-")), "switchyard.json");
  writeFileSync(config, JSON.stringify({ rotation: { providers: { [target.provider]: { tolerance: 0 } } } }));
  gateway = await startTestGateway({ env: { RESPONSESMOCK_API_KEY: keyA, RESPONSESMOCK_API_KEY_1: keyB, SWITCHYARD_ROTATION: "balanced", SWITCHYARD_CONFIG: config } });
  return gateway;
}

function upstreamRequests(target: TestGateway): Array<{ apiKey: string | undefined; body: Record<string, unknown> }> {
  return target.mock.generateRequests().map((request) => ({ apiKey: request.apiKey, body: request.json as Record<string, unknown> }));
}

describe("session affinity from Responses ids", () => {
  it("keeps a previous_response_id chain on the key that served it, and replays the lineage on another when it cools", async () => {
    const server = await start();
    const client = new OpenAI({ baseURL: `${server.baseUrl}/v1`, apiKey: testProxyKey, maxRetries: 0 });
    server.mock.script(textReply("first answer"), textReply("second answer"), textReply("third answer"));
    const first = await client.responses.create({ model: target.model, input: "Turn one" });
    const second = await client.responses.create({ model: target.model, input: "Turn two", previous_response_id: first.id });
    const stream = await client.responses.create({ model: target.model, input: "Turn three", previous_response_id: second.id, stream: true });
    let third: string | undefined;
    for await (const event of stream) if (event.type === "response.completed") third = event.response.id;
    if (third === undefined) throw new Error("the streamed third turn did not complete");

    const chain = upstreamRequests(server);
    expect(chain.map((request) => request.apiKey)).toEqual([keyA, keyA, keyA]);
    // The key holds the state, so each follow-up passes the id through instead of replaying the history.
    expect(chain.map((request) => request.body["previous_response_id"])).toEqual([undefined, first.id, second.id]);
    expect(chain[2]?.body["input"]).toEqual("Turn three");

    // The key now rate-limits: the next turn is served by the other key, which never saw the chain, so it gets the
    // whole conversation instead of an id it cannot resolve.
    server.reset();
    server.mock.script(matching({ apiKey: keyA }, rateLimitReply({ seconds: 60 })), textReply("fourth answer"), textReply("fifth answer"));
    const fourth = await client.responses.create({ model: target.model, input: "Turn four", previous_response_id: third });
    expect(fourth.output_text).toBe("fourth answer");
    const [refused, moved] = upstreamRequests(server);
    expect(refused).toMatchObject({ apiKey: keyA, body: { previous_response_id: third } });
    expect(moved?.apiKey).toBe(keyB);
    expect(moved?.body["previous_response_id"]).toBeUndefined();
    const replayed = JSON.stringify(moved?.body["input"]);
    for (const text of ["Turn one", "first answer", "Turn two", "second answer", "Turn three", "third answer", "Turn four"]) expect(replayed).toContain(text);

    // Cooling still: the chain now lives on the second key, which holds the fourth response itself.
    const fifth = await client.responses.create({ model: target.model, input: "Turn five", previous_response_id: fourth.id });
    expect(fifth.output_text).toBe("fifth answer");
    expect(upstreamRequests(server).slice(2)).toMatchObject([{ apiKey: keyB, body: { previous_response_id: fourth.id, input: "Turn five" } }]);
    const status = await server.engine.credentials?.status();
    const credentials = status?.find((entry) => entry.provider === target.provider)?.credentials ?? [];
    expect(credentials.find((credential) => credential.id === idOf(keyA))?.state).toBe("cooling");
  });

  it("keeps a WebSocket chain without a session header on one key", async () => {
    const server = await start();
    const socket = new WebSocket(`${server.baseUrl.replace("http", "ws")}/v1/responses`, { headers: { authorization: `Bearer ${testProxyKey}` } });
    const completed: string[] = [];
    let waiter: (() => void) | undefined;
    socket.on("message", (data: Buffer) => {
      const event = JSON.parse(data.toString("utf8")) as { type: string; response?: { id: string } };
      if (event.type === "response.completed" && event.response !== undefined) completed.push(event.response.id);
      if (event.type === "error" || event.type === "response.failed") completed.push(`failed: ${JSON.stringify(event)}`);
      waiter?.();
    });
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    const turn = async (frame: Record<string, unknown>): Promise<string> => {
      const count = completed.length;
      socket.send(JSON.stringify({ type: "response.create", model: target.model, store: false, ...frame }));
      await new Promise<void>((resolve) => {
        waiter = () => {
          if (completed.length > count) resolve();
        };
      });
      const id = completed[count] ?? "";
      expect(id).toMatch(/^resp_/);
      return id;
    };
    try {
      const user = (text: string): Record<string, unknown> => ({ type: "message", role: "user", content: [{ type: "input_text", text }] });
      const first = await turn({ input: [user("Socket one")] });
      const second = await turn({ input: [user("Socket two")], previous_response_id: first });
      await turn({ input: [user("Socket three")], previous_response_id: second });
    } finally {
      socket.close();
    }
    const chain = upstreamRequests(server);
    expect(chain.map((request) => request.apiKey)).toEqual([keyA, keyA, keyA]);
    // `store: false`: the upstream keeps nothing, so the gateway replays the connection's history each turn.
    expect(JSON.stringify(chain[2]?.body["input"])).toContain("Socket one");
  });
});
