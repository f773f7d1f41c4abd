import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toolCallReply } from "../support/mock-upstream.js";
import { mockTargets, startTestGateway, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

const schema = { type: "object", properties: { city: { type: "string" }, population: { type: "integer" } }, required: ["city", "population"], additionalProperties: false };
const answer = { city: "Paris", population: 2102650 };
const responseFormat = { type: "json_schema" as const, json_schema: { name: "city_facts", schema, strict: true } };

let gateway: TestGateway;
let client: OpenAI;
let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "switchyard-structured-"));
  const configFile = join(directory, "switchyard.json");
  // Anthropic (translated) and an OpenAI Chat server without json_schema support (passthrough).
  await writeFile(configFile, JSON.stringify({ adapters: { models: [{ match: "anthropic/*", adapters: ["structured-output-tool"] }], providers: { openai: ["structured-output-tool"] } } }));
  gateway = await startTestGateway({ env: { SWITCHYARD_CONFIG: configFile, SWITCHYARD_MAX_RETRIES: "0" } });
  client = new OpenAI({ baseURL: `${gateway.baseUrl}/v1`, apiKey: testProxyKey, maxRetries: 0 });
});

afterAll(async () => {
  await gateway.close();
  await rm(directory, { recursive: true, force: true });
});

function lastUpstreamBody(): Record<string, unknown> {
  return gateway.mock.generateRequests().at(-1)?.json as Record<string, unknown>;
}

describe.each([
  ["Anthropic target (translated)", mockTargets["anthropic-messages"].model],
  ["OpenAI Chat target (passthrough)", mockTargets["openai-chat"].model],
])("structured-output-tool: %s", (_label, model) => {
  const request = { model, messages: [{ role: "user" as const, content: "Facts about Paris" }], response_format: responseFormat };

  it("sends a forced tool instead of the schema format and returns the tool's arguments as the answer", async () => {
    gateway.mock.script(toolCallReply({ name: "structured_output", arguments: answer }));
    const completion = await client.chat.completions.create(request);
    const choice = completion.choices[0];
    expect(JSON.parse(choice?.message.content ?? "null")).toEqual(answer);
    expect(choice?.message.tool_calls ?? []).toEqual([]);
    expect(choice?.finish_reason).toBe("stop");

    const sent = lastUpstreamBody();
    expect(sent).not.toHaveProperty("response_format");
    expect(sent).not.toHaveProperty("output_config");
    const tools = sent["tools"] as Array<Record<string, unknown>>;
    expect(tools).toHaveLength(1);
    if (model.startsWith("anthropic/")) {
      expect(tools[0]).toMatchObject({ name: "structured_output", input_schema: schema });
      expect(sent["tool_choice"]).toEqual({ type: "tool", name: "structured_output" });
    } else {
      expect(tools[0]).toMatchObject({ type: "function", function: { name: "structured_output", parameters: schema } });
      expect(sent["tool_choice"]).toEqual({ type: "function", function: { name: "structured_output" } });
    }
  });

  it("streams the answer as text deltas with a stop", async () => {
    gateway.mock.script(toolCallReply({ name: "structured_output", arguments: answer }));
    const final = await client.chat.completions.stream(request).finalChatCompletion();
    const choice = final.choices[0];
    expect(JSON.parse(choice?.message.content ?? "null")).toEqual(answer);
    expect(choice?.message.tool_calls ?? []).toEqual([]);
    expect(choice?.finish_reason).toBe("stop");
    expect(lastUpstreamBody()["stream"]).toBe(true);
  });
});

describe("structured-output-tool with the client's own tools (Anthropic target, translated)", () => {
  const lookup = { type: "function" as const, function: { name: "lookup_city", parameters: { type: "object", properties: { name: { type: "string" } } } } };
  const model = mockTargets["anthropic-messages"].model;
  const messages = [{ role: "user" as const, content: "Facts about Paris" }];

  it("leaves tool_choice auto to the model: a client tool call passes through, the structured answer is unwrapped", async () => {
    gateway.mock.script(toolCallReply({ name: "lookup_city", arguments: { name: "Paris" } }), toolCallReply({ name: "structured_output", arguments: answer }));
    const calling = await client.chat.completions.create({ model, messages, tools: [lookup], response_format: responseFormat });
    expect(calling.choices[0]?.finish_reason).toBe("tool_calls");
    expect(calling.choices[0]?.message.tool_calls?.[0]).toMatchObject({ function: { name: "lookup_city" } });
    const sent = lastUpstreamBody();
    expect((sent["tools"] as Array<{ name: string }>).map((tool) => tool.name)).toEqual(["lookup_city", "structured_output"]);
    expect(sent["tool_choice"]).toBeUndefined(); // the client sent none: auto, as it chose
    expect(JSON.stringify(sent["system"])).toContain('give it by calling the tool \\"structured_output\\"');

    const answered = await client.chat.completions.create({ model, messages, tools: [lookup], response_format: responseFormat });
    expect(JSON.parse(answered.choices[0]?.message.content ?? "null")).toEqual(answer);
    expect(answered.choices[0]?.finish_reason).toBe("stop");
  });

  it("forces the structured tool when the client's tool_choice is none", async () => {
    gateway.mock.script(toolCallReply({ name: "structured_output", arguments: answer }));
    const completion = await client.chat.completions.create({ model, messages, tools: [lookup], tool_choice: "none", response_format: responseFormat });
    expect(JSON.parse(completion.choices[0]?.message.content ?? "null")).toEqual(answer);
    expect(lastUpstreamBody()["tool_choice"]).toEqual({ type: "tool", name: "structured_output" });
  });
});
