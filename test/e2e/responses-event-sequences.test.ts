import OpenAI from "openai";
import type { ResponseInputItem, ResponseStreamEvent } from "openai/resources/responses/responses";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ProtocolId } from "../../src/unified/index.js";
import { sseReply, toolCallReply, textReply, type MockReply } from "../support/mock-upstream.js";
import { mockTargets, providerProtocols, startTestGateway, testProxyKey, type TestGateway } from "../support/start-test-gateway.js";

// The whole Responses event sequence a client sees, from every provider protocol, for a turn with reasoning, text, a
// custom (freeform) tool call and a function call: every event in the API's order with contiguous sequence numbers,
// deltas that add up to the done events, a stored response equal to what was streamed (reasoning with
// encrypted_content, the custom call), and a follow-up carrying only the custom tool's output.

const patchTool = { type: "custom" as const, name: "apply_patch", description: "Patch files", format: { type: "grammar" as const, syntax: "lark" as const, definition: "start: /.+/s" } };
const weatherTool = { type: "function" as const, name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } }, strict: false };
const patchText = "*** Begin Patch\n*** Add File: a.txt\n+hello\n*** End Patch";

let gateway: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  gateway = await startTestGateway();
  client = new OpenAI({ baseURL: `${gateway.baseUrl}/v1`, apiKey: testProxyKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close();
});
beforeEach(() => {
  gateway.reset();
});

/**
 * A Responses upstream's own stream for the same turn, as OpenAI sends it: a reasoning summary, text, a custom tool
 * call with input deltas, a function call. (The protocol-neutral mock has no custom tool calls.)
 */
function nativeTurnFrames(): MockReply {
  let sequence = 0;
  const frame = (type: string, rest: Record<string, unknown>): { event: string; data: Record<string, unknown> } => ({ event: type, data: { type, sequence_number: sequence++, ...rest } });
  const reasoning = { id: "rs_up_1", type: "reasoning", summary: [{ type: "summary_text", text: "Need to patch." }], encrypted_content: "ZW5jcnlwdGVk" };
  const message = { id: "msg_up_1", type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: "Patching.", annotations: [], logprobs: [] }] };
  const custom = { id: "ctc_up_1", type: "custom_tool_call", call_id: "call_patch", name: "apply_patch", input: patchText, status: "completed" };
  const call = { id: "fc_up_1", type: "function_call", call_id: "call_weather", name: "get_weather", arguments: '{"city":"Paris"}', status: "completed" };
  const base = { id: "resp_up_1", object: "response", created_at: 1_735_689_601, model: mockTargets["openai-responses"].upstreamModel, store: true, error: null };
  const usage = { input_tokens: 12, input_tokens_details: { cached_tokens: 0 }, output_tokens: 8, output_tokens_details: { reasoning_tokens: 3 }, total_tokens: 20 };
  const summary = { item_id: "rs_up_1", output_index: 0, summary_index: 0 };
  const text = { item_id: "msg_up_1", output_index: 1, content_index: 0 };
  return sseReply([
    frame("response.created", { response: { ...base, status: "in_progress", output: [], usage: null } }),
    frame("response.in_progress", { response: { ...base, status: "in_progress", output: [], usage: null } }),
    frame("response.output_item.added", { output_index: 0, item: { ...reasoning, summary: [] } }),
    frame("response.reasoning_summary_part.added", { ...summary, part: { type: "summary_text", text: "" } }),
    frame("response.reasoning_summary_text.delta", { ...summary, delta: "Need to " }),
    frame("response.reasoning_summary_text.delta", { ...summary, delta: "patch." }),
    frame("response.reasoning_summary_text.done", { ...summary, text: "Need to patch." }),
    frame("response.reasoning_summary_part.done", { ...summary, part: { type: "summary_text", text: "Need to patch." } }),
    frame("response.output_item.done", { output_index: 0, item: reasoning }),
    frame("response.output_item.added", { output_index: 1, item: { ...message, status: "in_progress", content: [] } }),
    frame("response.content_part.added", { ...text, part: { type: "output_text", text: "", annotations: [], logprobs: [] } }),
    frame("response.output_text.delta", { ...text, delta: "Patching.", logprobs: [] }),
    frame("response.output_text.done", { ...text, text: "Patching.", logprobs: [] }),
    frame("response.content_part.done", { ...text, part: message.content[0] }),
    frame("response.output_item.done", { output_index: 1, item: message }),
    frame("response.output_item.added", { output_index: 2, item: { ...custom, input: "", status: "in_progress" } }),
    frame("response.custom_tool_call_input.delta", { item_id: "ctc_up_1", output_index: 2, delta: patchText.slice(0, 20) }),
    frame("response.custom_tool_call_input.delta", { item_id: "ctc_up_1", output_index: 2, delta: patchText.slice(20) }),
    frame("response.custom_tool_call_input.done", { item_id: "ctc_up_1", output_index: 2, input: patchText }),
    frame("response.output_item.done", { output_index: 2, item: custom }),
    frame("response.output_item.added", { output_index: 3, item: { ...call, arguments: "", status: "in_progress" } }),
    frame("response.function_call_arguments.delta", { item_id: "fc_up_1", output_index: 3, delta: call.arguments }),
    frame("response.function_call_arguments.done", { item_id: "fc_up_1", output_index: 3, arguments: call.arguments }),
    frame("response.output_item.done", { output_index: 3, item: call }),
    frame("response.completed", { response: { ...base, status: "completed", output: [reasoning, message, custom, call], usage } }),
  ]);
}

/**
 * The event types the API prescribes for this turn; `count` says how many times each delta type came. The client asked
 * for reasoning summaries: a Responses upstream sends its own, and every other protocol's thinking is shown as one.
 */
function expectedTypes(count: (type: string) => number): string[] {
  const repeat = (type: string): string[] => Array.from({ length: count(type) }, () => type);
  const reasoning = ["response.reasoning_summary_part.added", ...repeat("response.reasoning_summary_text.delta"), "response.reasoning_summary_text.done", "response.reasoning_summary_part.done"];
  return [
    "response.created",
    "response.in_progress",
    "response.output_item.added",
    ...reasoning,
    "response.output_item.done",
    "response.output_item.added",
    "response.content_part.added",
    ...repeat("response.output_text.delta"),
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
    "response.output_item.added",
    ...repeat("response.custom_tool_call_input.delta"),
    "response.custom_tool_call_input.done",
    "response.output_item.done",
    "response.output_item.added",
    ...repeat("response.function_call_arguments.delta"),
    "response.function_call_arguments.done",
    "response.output_item.done",
    "response.completed",
  ];
}

describe.each(providerProtocols)("Responses event sequence from provider protocol %s", (protocol) => {
  const model = mockTargets[protocol].model;
  const native = protocol === "openai-responses";

  it("streams every event in the API's order with contiguous sequence numbers, stores what it streamed, and continues from the custom call's output", async () => {
    gateway.mock.script(
      native
        ? nativeTurnFrames()
        : toolCallReply(
            [
              { name: "apply_patch", arguments: { input: patchText }, id: "call_patch" },
              { name: "get_weather", arguments: { city: "Paris" }, id: "call_weather" },
            ],
            { text: "Patching.", reasoning: { text: "Need to patch.", signature: "c2ln" } },
          ),
      textReply("Patched and checked."),
    );
    const tools = [patchTool, weatherTool];
    const stream = await client.responses.create({
      model,
      input: "Patch a.txt and check the weather",
      tools,
      stream: true,
      reasoning: { effort: "medium", summary: "auto" },
      include: ["reasoning.encrypted_content"],
    });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);

    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_event, index) => index));
    const types = events.map((event) => event.type);
    // Items follow each other, also from a Chat upstream whose parallel calls stay open until its stream ends.
    expect(types).toEqual(expectedTypes((type) => types.filter((seen) => seen === type).length));
    for (const type of ["response.output_text.delta", "response.custom_tool_call_input.delta", "response.function_call_arguments.delta"]) {
      expect(types.filter((seen) => seen === type).length).toBeGreaterThan(0);
    }

    // Deltas add up to their done events, and each output_item.done is the item the terminal response holds.
    const of = <T extends ResponseStreamEvent["type"]>(type: T): Array<Extract<ResponseStreamEvent, { type: T }>> =>
      events.filter((event): event is Extract<ResponseStreamEvent, { type: T }> => event.type === type);
    expect(of("response.reasoning_summary_text.delta").map((event) => event.delta).join("")).toBe("Need to patch.");
    expect(types.filter((type) => type.startsWith("response.reasoning_text."))).toEqual([]);
    expect(of("response.output_text.delta").map((event) => event.delta).join("")).toBe(of("response.output_text.done")[0]?.text);
    expect(of("response.custom_tool_call_input.delta").map((event) => event.delta).join("")).toBe(patchText);
    expect(of("response.custom_tool_call_input.done")[0]?.input).toBe(patchText);
    const completed = of("response.completed")[0]?.response;
    if (completed === undefined) throw new Error("no response.completed");
    // A Responses-native upstream's id is kept (it can be passed back to it); any other target gets a gateway id.
    expect(completed.id).toMatch(native ? /^resp_up_1$/ : /^resp_[0-9a-f]{48}$/);
    expect(new Set(events.flatMap((event) => ("response" in event ? [event.response.id] : [])))).toEqual(new Set([completed.id]));
    expect(of("response.output_item.done").map((event) => event.item)).toEqual(completed.output);
    const [reasoningItem, , customCall, functionCall] = completed.output;
    expect(reasoningItem).toMatchObject({ type: "reasoning", summary: [{ type: "summary_text", text: "Need to patch." }], encrypted_content: expect.any(String) });
    expect(reasoningItem).not.toHaveProperty("content");
    expect(customCall).toMatchObject({ type: "custom_tool_call", name: "apply_patch", input: patchText });
    expect(functionCall).toMatchObject({ type: "function_call", name: "get_weather", arguments: '{"city":"Paris"}' });
    // Gemini has no call ids: the gateway's carry the part's thoughtSignature, so they are read, not assumed.
    const customCallId = customCall?.type === "custom_tool_call" ? customCall.call_id : "";
    const functionCallId = functionCall?.type === "function_call" ? functionCall.call_id : "";

    // The store holds exactly what the client was sent, and what the request carried.
    const retrieved = await client.responses.retrieve(completed.id);
    expect(retrieved.output).toEqual(completed.output);
    expect(retrieved.usage).toEqual(completed.usage);
    expect(retrieved.model).toBe(completed.model);
    expect(retrieved.created_at).toBe(completed.created_at);
    expect(retrieved.status).toBe("completed");
    expect((await client.responses.inputItems.list(completed.id)).data[0]).toMatchObject({ type: "message", role: "user" });

    const outputs: ResponseInputItem[] = [
      { type: "custom_tool_call_output", call_id: customCallId, output: "Done." },
      { type: "function_call_output", call_id: functionCallId, output: "sunny" },
    ];
    const second = await client.responses.create({ model, previous_response_id: completed.id, input: outputs, tools });
    expect(second.output_text).toBe("Patched and checked.");
    const sent = gateway.mock.generateRequests()[1]?.json as Record<string, unknown>;
    if (native) {
      expect(sent["previous_response_id"]).toBe(completed.id);
      expect(sent["input"]).toEqual(outputs);
    } else {
      // The whole turn replayed in the provider's protocol: the patch text as the call's input, then both results.
      const text = JSON.stringify(sent);
      expect(sent["previous_response_id"]).toBeUndefined();
      for (const expected of ["Patch a.txt", JSON.stringify(patchText).slice(1, -1), "Done.", "sunny"]) expect(text).toContain(expected);
      expect(replayedReasoning(protocol, sent)).toEqual(expectedReplay(protocol, "Need to patch."));
    }
  });
});

/** The thinking a translated upstream must get back verbatim (Anthropic checks its signature over the exact text). */
function expectedReplay(protocol: ProtocolId, text: string): unknown[] {
  switch (protocol) {
    case "anthropic-messages":
      return [{ type: "thinking", thinking: text, signature: "c2ln" }];
    case "gemini":
      return [expect.objectContaining({ text, thought: true })];
    case "openai-chat":
      return [text];
    case "openai-responses":
      return [];
    default: {
      const unreachable: never = protocol;
      return unreachable;
    }
  }
}

/** The reasoning a translated upstream request replays: thinking blocks, thought parts or reasoning_content. */
function replayedReasoning(protocol: ProtocolId, sent: Record<string, unknown>): unknown[] {
  const list = (value: unknown): Array<Record<string, unknown>> => (Array.isArray(value) ? (value as Array<Record<string, unknown>>) : []);
  switch (protocol) {
    case "anthropic-messages":
      return list(sent["messages"]).flatMap((message) => list(message["content"]).filter((block) => block["type"] === "thinking"));
    case "gemini":
      return list(sent["contents"]).flatMap((content) => list(content["parts"]).filter((part) => part["thought"] === true));
    case "openai-chat":
      return list(sent["messages"]).flatMap((message) => (message["reasoning_content"] === undefined ? [] : [message["reasoning_content"]]));
    case "openai-responses":
      return [];
    default: {
      const unreachable: never = protocol;
      return unreachable;
    }
  }
}

describe.each(providerProtocols.filter((protocol) => protocol !== "openai-responses"))("Translated reasoning for a Responses client, from %s", (protocol) => {
  const model = mockTargets[protocol].model;
  const turn = (): MockReply =>
    toolCallReply({ name: "get_weather", arguments: { city: "Paris" }, id: "call_weather" }, { reasoning: { text: "Need the weather.", signature: "c2ln" } });

  it("replays the summary item a stateless client (Codex: store false, the whole history) sends back", async () => {
    gateway.mock.script(turn(), textReply("Sunny."));
    const input: ResponseInputItem[] = [{ role: "user", content: "Weather in Paris?" }];
    const first = await client.responses.create({ model, input, tools: [weatherTool], store: false, stream: true, reasoning: { summary: "auto" }, include: ["reasoning.encrypted_content"] });
    let output: ResponseInputItem[] = [];
    for await (const event of first) if (event.type === "response.completed") output = event.response.output as ResponseInputItem[];
    expect(output[0]).toMatchObject({ type: "reasoning", summary: [{ type: "summary_text", text: "Need the weather." }] });
    const call = output.find((item) => item.type === "function_call");
    const callId = call?.type === "function_call" ? call.call_id : "";
    const second = await client.responses.create({
      model,
      input: [...input, ...output, { type: "function_call_output", call_id: callId, output: "sunny" }],
      tools: [weatherTool],
      store: false,
      reasoning: { summary: "auto" },
    });
    expect(second.output_text).toBe("Sunny.");
    const sent = gateway.mock.generateRequests()[1]?.json as Record<string, unknown>;
    expect(replayedReasoning(protocol, sent)).toEqual(expectedReplay(protocol, "Need the weather."));
  });

  it("keeps the thinking as reasoning_text content when no summary was asked for", async () => {
    gateway.mock.script(turn());
    const stream = await client.responses.create({ model, input: "Weather in Paris?", tools: [weatherTool], stream: true });
    const types: string[] = [];
    let reasoning: unknown;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "response.output_item.done" && event.item.type === "reasoning") reasoning = event.item;
    }
    expect(types.filter((type) => type.startsWith("response.reasoning"))).toEqual([
      ...types.filter((type) => type === "response.reasoning_text.delta"),
      "response.reasoning_text.done",
    ]);
    expect(types.filter((type) => type === "response.reasoning_text.delta").length).toBeGreaterThan(0);
    expect(reasoning).toMatchObject({ summary: [], content: [{ type: "reasoning_text", text: "Need the weather." }] });
  });
});
