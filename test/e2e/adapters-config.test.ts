import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { jsonReply, textReply, type MockReply } from "../support/mock-upstream.js";
import { mockTargets, startTestGateway, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

/** A switchyard.json `adapters` section as a user would write it. */
const adapters = {
  providers: {
    openai: [
      { name: "field-rename", options: { renames: [{ from: "max_completion_tokens", to: "max_tokens" }] } },
      { name: "param-policy", options: { deny: ["metadata", "messages[*].name"] } },
    ],
  },
  models: [
    { match: "openai/gpt-mock-large", adapters: [{ name: "model-override", options: { model: "gpt-mock-large-2025" } }] },
    { match: "gpt-mock-*", adapters: ["tool-args-repair", "drop-empty-assistant"] },
  ],
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A gateway configured from a temporary switchyard.json (and a data directory, for the trace). */
async function startConfiguredGateway(env: Record<string, string> = {}): Promise<{ gateway: TestGateway; client: OpenAI; dataDir: string }> {
  const directory = await mkdtemp(join(tmpdir(), "switchyard-adapters-"));
  const configFile = join(directory, "switchyard.json");
  await writeFile(configFile, JSON.stringify({ adapters }));
  const gateway = await startTestGateway({ env: { SWITCHYARD_CONFIG: configFile, SWITCHYARD_DATA_DIR: directory, SWITCHYARD_MAX_RETRIES: "0", ...env } });
  cleanups.push(async () => {
    await gateway.close();
    await rm(directory, { recursive: true, force: true });
  });
  return { gateway, client: new OpenAI({ baseURL: `${gateway.baseUrl}/v1`, apiKey: testProxyKey, maxRetries: 0 }), dataDir: directory };
}

function lastUpstreamBody(gateway: TestGateway): Record<string, unknown> {
  return gateway.mock.generateRequests().at(-1)?.json as Record<string, unknown>;
}

/** A Chat completion whose tool-call arguments were cut off mid-string. */
function truncatedToolCall(): MockReply {
  return jsonReply({
    id: "chatcmpl-trunc",
    object: "chat.completion",
    created: 1,
    model: "gpt-mock-large-2025",
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city": "Par' } }] },
        finish_reason: "tool_calls",
      },
    ],
    usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
  });
}

/** The same, streamed in Chat chunks. */
function truncatedToolCallStream(): MockReply {
  const chunk = (delta: unknown, finish: string | null = null): string =>
    `data: ${JSON.stringify({ id: "chatcmpl-trunc", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  return {
    kind: "sse",
    body:
      chunk({ role: "assistant", content: null, tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "get_weather", arguments: "" } }] }) +
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city": ' } }] }) +
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Par' } }] }) +
      chunk({}, "tool_calls") +
      "data: [DONE]\n\n",
  };
}

/** A Chat completion whose tool-call arguments are no JSON at all: nothing to close. */
function unrepairableToolCall(): MockReply {
  return jsonReply({
    id: "chatcmpl-bad",
    object: "chat.completion",
    created: 1,
    model: "gpt-mock-large-2025",
    choices: [{ index: 0, message: { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: "not json" } }] }, finish_reason: "tool_calls" }],
    usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
  });
}

/** The same, streamed. */
function unrepairableToolCallStream(): MockReply {
  const chunk = (delta: unknown, finish: string | null = null): string =>
    `data: ${JSON.stringify({ id: "chatcmpl-bad", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  return {
    kind: "sse",
    body:
      chunk({ role: "assistant", content: null, tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "get_weather", arguments: "" } }] }) +
      chunk({ tool_calls: [{ index: 0, function: { arguments: "not json" } }] }) +
      chunk({}, "tool_calls") +
      "data: [DONE]\n\n",
  };
}

describe("adapter chains from switchyard.json", () => {
  it("applies provider and model chains, in order, to a passthrough body", async () => {
    const { gateway, client } = await startConfiguredGateway();
    gateway.mock.script(textReply("ok"));
    await client.chat.completions.create({
      model: mockTargets["openai-chat"].model,
      max_completion_tokens: 64,
      metadata: { team: "a" },
      messages: [
        { role: "user", content: "first", name: "alice" },
        { role: "assistant", content: "" },
        { role: "user", content: "second" },
      ],
    });
    expect(lastUpstreamBody(gateway)).toEqual({
      model: "gpt-mock-large-2025",
      max_tokens: 64,
      messages: [
        { role: "user", content: "first" },
        { role: "user", content: "second" },
      ],
    });
  });

  it("applies the chain after encoding on the translated path (Anthropic client → OpenAI Chat target)", async () => {
    const { gateway } = await startConfiguredGateway();
    gateway.mock.script(textReply("ok"));
    const response = await fetch(`${gateway.baseUrl}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": testProxyKey, "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: mockTargets["openai-chat"].model, max_tokens: 32, metadata: { user_id: "u1" }, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(response.status).toBe(200);
    const sent = lastUpstreamBody(gateway);
    expect(sent["model"]).toBe("gpt-mock-large-2025");
    expect(sent["max_tokens"]).toBe(32);
    expect(sent).not.toHaveProperty("max_completion_tokens");
    expect(sent).not.toHaveProperty("metadata");
  });

  it("repairs truncated tool arguments in a passthrough response, streamed and not", async () => {
    const { gateway, client } = await startConfiguredGateway();
    const request = { model: mockTargets["openai-chat"].model, messages: [{ role: "user" as const, content: "weather?" }] };
    gateway.mock.script(truncatedToolCall());
    const whole = await client.chat.completions.create(request);
    const call = whole.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === "function" ? call.function.arguments : undefined).toBe('{"city":"Par"}');

    gateway.mock.script(truncatedToolCallStream());
    const streamed = await client.chat.completions.stream(request).finalChatCompletion();
    const streamedCall = streamed.choices[0]?.message.tool_calls?.[0];
    expect(streamedCall?.type === "function" ? JSON.parse(streamedCall.function.arguments) : undefined).toEqual({ city: "Par" });
    expect(streamed.choices[0]?.finish_reason).toBe("tool_calls");
  });

  it("answers tool arguments that cannot be repaired with a clear error, streamed and not", async () => {
    const { gateway, client } = await startConfiguredGateway();
    const request = { model: mockTargets["openai-chat"].model, messages: [{ role: "user" as const, content: "weather?" }] };
    const clear = /openai\/gpt-mock-large answered tool call "get_weather" whose arguments are not a JSON object and could not be repaired/;
    gateway.mock.script(unrepairableToolCall());
    const whole = await client.chat.completions.create(request).catch((error: unknown) => error);
    expect(whole).toBeInstanceOf(OpenAI.APIError);
    expect((whole as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((whole as Error).message).toMatch(clear);

    gateway.mock.script(unrepairableToolCallStream());
    const response = await fetch(`${gateway.baseUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${testProxyKey}`, "content-type": "application/json" },
      body: JSON.stringify({ ...request, stream: true }),
    });
    // Nothing visible was sent before the tool call ended: the client gets a protocol-shaped HTTP error, or, once the
    // response start has gone out, the stream's error event; never a call its JSON parser would choke on.
    const text = await response.text();
    if (response.status === 200) {
      expect(text.replaceAll('\\"', '"')).toMatch(clear);
      expect(text).toContain('"code":"upstream_server"');
      expect(text).not.toContain('"finish_reason":"tool_calls"');
    } else {
      expect(response.status).toBe(502);
      const failure = JSON.parse(text) as { error: { message: string; code: string } };
      expect(failure.error.code).toBe("upstream_server");
      expect(failure.error.message).toMatch(clear);
    }
    expect(text).not.toContain("not json");
  });

  it("records every adapter pass in the transaction trace, in chain order, saying which changed something", async () => {
    const { gateway, client, dataDir } = await startConfiguredGateway({ SWITCHYARD_TRACE: "1" });
    gateway.mock.script(textReply("ok"));
    await client.chat.completions.create({ model: mockTargets["openai-chat"].model, max_completion_tokens: 8, messages: [{ role: "user", content: "hi" }] });
    await gateway.close();
    const directory = join(dataDir, "traces");
    const [name] = await readdir(directory);
    const lines = (await readFile(join(directory, name ?? ""), "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { kind: string; adapter?: string; side?: string; changed?: boolean });
    const passes = lines.filter((line) => line.kind === "adapter-pass").map((line) => `${line.side ?? ""}:${line.adapter ?? ""}:${line.changed === true ? "changed" : "unchanged"}`);
    // param-policy runs last whatever its place in the file; the passes that found nothing to do are traced too.
    expect(passes).toEqual([
      "request:field-rename:changed",
      "request:model-override:changed",
      "request:tool-args-repair:unchanged",
      "request:drop-empty-assistant:unchanged",
      "request:param-policy:unchanged",
      "response:tool-args-repair:unchanged",
    ]);
    const kinds = lines.map((line) => line.kind);
    expect(kinds.indexOf("adapter-pass")).toBeLessThan(kinds.indexOf("provider-request"));
  });

  it("drops stream_options for Anthropic by its declared default, and leaves other passthrough bytes alone", async () => {
    const { gateway } = await startConfiguredGateway();
    const post = async (body: Record<string, unknown>): Promise<void> => {
      gateway.mock.script(textReply("ok"));
      const response = await fetch(`${gateway.baseUrl}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": testProxyKey, "content-type": "application/json", "anthropic-version": "2023-06-01" },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(200);
    };
    const model = mockTargets["anthropic-messages"];
    await post({ model: model.model, max_tokens: 8, stream_options: { include_usage: true }, messages: [{ role: "user", content: "hi" }] });
    expect(lastUpstreamBody(gateway)).toEqual({ model: model.upstreamModel, max_tokens: 8, messages: [{ role: "user", content: "hi" }] });

    const plain = `{"model": "${model.model}",  "max_tokens": 8, "messages": [{"role": "user", "content": "hi"}]}`;
    gateway.mock.script(textReply("ok"));
    await fetch(`${gateway.baseUrl}/v1/messages`, { method: "POST", headers: { "x-api-key": testProxyKey, "content-type": "application/json" }, body: plain });
    expect(gateway.mock.generateRequests().at(-1)?.bodyText).toBe(plain.replace(`"model": "${model.model}"`, `"model":"${model.upstreamModel}"`));
  });

  it("fails at startup on an unknown adapter name", async () => {
    const directory = await mkdtemp(join(tmpdir(), "switchyard-adapters-"));
    cleanups.push(() => rm(directory, { recursive: true, force: true }));
    const configFile = join(directory, "switchyard.json");
    await writeFile(configFile, JSON.stringify({ adapters: { providers: { openai: ["no-such-adapter"] } } }));
    await expect(startTestGateway({ env: { SWITCHYARD_CONFIG: configFile } })).rejects.toThrow(/unknown adapter "no-such-adapter"/);
  });
});
