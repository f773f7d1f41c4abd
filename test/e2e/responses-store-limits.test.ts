import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import OpenAI, { NotFoundError } from "openai";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createEngineFromConfig } from "../../src/library/index.js";
import { createResponsesService, type ResponsesService } from "../../src/responses/index.js";
import { buildServer } from "../../src/server/index.js";
import { textReply } from "../support/mock-upstream.js";
import { mockTargets, startTestGateway, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

// The store's limits as a client meets them: a response over the size cap is still answered but not kept (a read or
// a continuation says why), and an expired response reads as missing.

const model = mockTargets["anthropic-messages"].model;
const maxEntryBytes = 4_096;
const ttlMs = 300;

let gateway: TestGateway;
let app: FastifyInstance;
let responses: ResponsesService;
let client: OpenAI;
/** The service's log lines (JSON), to see what it says about responses it did not keep. */
const logLines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  gateway = await startTestGateway();
  const engine = createEngineFromConfig(gateway.config);
  const logger = pino({ level: "warn" }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });
  responses = createResponsesService({ gateway: engine, storeLimits: { maxEntryBytes, ttlMs }, logger });
  app = buildServer({ gateway: engine, proxyKeys: [testProxyKey], responses, logger: false });
  await app.listen({ host: "127.0.0.1", port: 0 });
  client = new OpenAI({ baseURL: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1`, apiKey: testProxyKey, maxRetries: 0 });
});
afterAll(async () => {
  app.server.closeAllConnections();
  await app.close();
  await responses.close();
  await gateway.close();
});
beforeEach(() => {
  gateway.reset();
  logLines.length = 0;
});

const refusals = (): unknown[] => logLines.filter((line) => line["event"] === "responses.store_refused").map((line) => [line["responseId"], line["reason"]]);

describe("Responses store limits", () => {
  const large = "x".repeat(2 * maxEntryBytes);

  it("answers a response over the size cap, streamed or not, but keeps only a marker saying why", async () => {
    gateway.mock.script(textReply("Answered anyway"), textReply("Streamed anyway"));
    const created = await client.responses.create({ model, input: large });
    expect(created.output_text).toBe("Answered anyway");
    const streamed = await client.responses.stream({ model, input: large }).finalResponse();
    expect(streamed.output_text).toBe("Streamed anyway");

    for (const id of [created.id, streamed.id]) {
      const read = await client.responses.retrieve(id).catch((error: unknown) => error);
      expect(read).toBeInstanceOf(NotFoundError);
      expect((read as NotFoundError).message).toMatch(/was not stored: response is \d+ bytes, over the response store cap of 4096 bytes; send the full input instead of previous_response_id/);
      const continued = await client.responses.create({ model, input: "More", previous_response_id: id }).catch((error: unknown) => error);
      expect(continued).toBeInstanceOf(NotFoundError);
      expect((continued as NotFoundError).message).toContain(`Previous response with id '${id}' was not stored: response is`);
    }
    expect(gateway.mock.generateRequests()).toHaveLength(2);
    // The operator sees why, once per response.
    expect(refusals()).toEqual([created.id, streamed.id].map((id) => [id, expect.stringMatching(/over the response store cap of 4096 bytes/)]));
  });

  it("keeps a response under the cap, and forgets it once its TTL has passed without use", async () => {
    gateway.mock.script(textReply("Small"));
    const created = await client.responses.create({ model, input: "small" });
    await new Promise((resolve) => setTimeout(resolve, ttlMs * 4));
    await expect(client.responses.retrieve(created.id)).rejects.toBeInstanceOf(NotFoundError);
    const continued = client.responses.create({ model, input: "More", previous_response_id: created.id });
    await expect(continued).rejects.toMatchObject({ status: 404, error: { message: `Previous response with id '${created.id}' not found.` } });
  });
});
