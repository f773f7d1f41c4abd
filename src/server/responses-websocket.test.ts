import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { Gateway, GatewayResult } from "../pipeline/index.js";
import { createResponsesService, type ResponsesService } from "../responses/index.js";
import { createProxyKeySet } from "./check-proxy-key.js";
import { attachResponsesWebSocket, type ResponsesWebSocket } from "./responses-websocket.js";

const eventCount = 2_000;
const deltaBytes = 16 * 1024;
const totalBytes = eventCount * deltaBytes;
const highWaterBytes = 64 * 1024;

let server: Server | undefined;
let transport: ResponsesWebSocket | undefined;

afterEach(async () => {
  await transport?.close();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
  transport = undefined;
});

/** A Responses service whose every create streams `eventCount` large deltas, counting how many the gateway pulled. */
function streamingService(pulled: { events: number }): ResponsesService {
  // `create` is replaced below, so the pipeline behind the service is never reached.
  const base = createResponsesService({ gateway: {} as Gateway });
  const delta = "x".repeat(deltaBytes);
  async function* chunks(): AsyncGenerator<string> {
    for (let sequence = 0; sequence < eventCount; sequence++) {
      pulled.events = sequence + 1;
      yield `event: response.output_text.delta\ndata: ${JSON.stringify({ type: "response.output_text.delta", sequence_number: sequence, delta })}\n\n`;
    }
  }
  const result: GatewayResult = { kind: "stream", status: 200, headers: {}, chunks: chunks() };
  return { ...base, create: () => Promise.resolve(result) };
}

async function listen(responses: ResponsesService): Promise<string> {
  server = createServer();
  transport = attachResponsesWebSocket(server, { responses, proxyKeys: createProxyKeySet([]), maxPayloadBytes: 1024 * 1024, highWaterBytes });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", () => resolve()));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1/responses`;
}

describe("Responses WebSocket backpressure", () => {
  it("stops pulling the upstream stream while a slow client lags, then delivers every event in order", { timeout: 60_000 }, async () => {
    const pulled = { events: 0 };
    const url = await listen(streamingService(pulled));
    const client = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      client.once("open", () => resolve());
      client.once("error", reject);
    });
    const sequences: number[] = [];
    client.on("message", (data: Buffer) => sequences.push((JSON.parse(data.toString("utf8")) as { sequence_number: number }).sequence_number));

    // The client stops reading its socket before asking: whatever the gateway pulls now piles up in memory.
    client.pause();
    client.send(JSON.stringify({ type: "response.create", model: "m", input: "go" }));
    let previous = -1;
    for (let tries = 0; tries < 200 && pulled.events !== previous; tries++) {
      previous = pulled.events;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Stalled well short of the whole stream: the socket buffers plus the high-water mark, not 32 MiB.
    expect(pulled.events).toBeGreaterThan(0);
    expect(pulled.events * deltaBytes).toBeLessThan(totalBytes / 4);

    client.resume();
    for (let tries = 0; tries < 1_200 && sequences.length < eventCount; tries++) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(sequences).toHaveLength(eventCount);
    expect(sequences.every((sequence, index) => sequence === index)).toBe(true);
    client.close();
  });
});
