import { describe, expect, it } from "vitest";
import { anthropicMessagesCodec, openAiResponsesCodec } from "../protocols/index.js";
import { createMemoryStateStore } from "../state/index.js";
import { GatewayError } from "../unified/index.js";
import {
  convertResponseInput,
  convertResponseRecord,
  createResponseStore,
  orderToolOutputs,
  planPreviousResponse,
  prepareContinuation,
  rebuildResponseLineage,
  type JsonObject,
  type ResponseStore,
  type ResponseTarget,
} from "./index.js";

const anthropicTarget = { provider: "anthropic", credentialId: "cred-a", protocol: "anthropic-messages" } as const;
const nativeTarget: ResponseTarget = { provider: "openai", credentialId: "cred-o", protocol: "openai-responses", upstreamHoldsState: true };
const weatherTool = { type: "function", name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } };

function userMessage(text: string): JsonObject {
  return { type: "message", role: "user", content: [{ type: "input_text", text }] };
}

function assistantMessage(id: string, text: string): JsonObject {
  return { type: "message", id, status: "completed", role: "assistant", content: [{ type: "output_text", text, annotations: [] }] };
}

/** Stores a response the way the pipeline will: from the client-facing body and the request's own input. */
async function storeTurn(store: ResponseStore, id: string, input: unknown, output: unknown[], previousResponseId?: string, target?: ResponseTarget): Promise<void> {
  const record = convertResponseRecord({
    body: { id, object: "response", created_at: 1_700_000_000, status: "completed", model: "claude-x", output, usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 } },
    owner: "key-a",
    input: convertResponseInput(input),
    target: target ?? { ...anthropicTarget, upstreamHoldsState: false },
    ...(previousResponseId === undefined ? {} : { previousResponseId }),
  });
  expect((await store.save(record)).saved).toBe(true);
}

async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!GatewayError.isInstance(error)) throw new Error(`expected a GatewayError, got ${String(error)}`);
  return error;
}

describe("previous_response_id lineage", () => {
  it("replays a two-turn tool loop so the follow-up's output follows its call, for any backend", async () => {
    const store = createResponseStore({ state: createMemoryStateStore() });
    const reasoning = { type: "reasoning", id: "rs_1", summary: [], encrypted_content: "opaque" };
    const call = { type: "function_call", id: "fc_1", status: "completed", call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' };
    await storeTurn(store, "resp_1", "Weather in Paris?", [reasoning, call]);

    const followUp = {
      model: "anthropic/claude-x",
      previous_response_id: "resp_1",
      tools: [weatherTool],
      input: [{ type: "function_call_output", call_id: "call_1", output: "18C" }],
    };
    const continuation = await prepareContinuation(store, followUp, "key-a");
    if (continuation === undefined) throw new Error("expected a continuation");
    const { plan, body } = continuation.bodyFor(anthropicTarget);
    expect(plan).toEqual({ kind: "replay", reason: "target-not-native" });
    expect(body).toEqual({
      model: "anthropic/claude-x",
      tools: [weatherTool],
      input: [userMessage("Weather in Paris?"), reasoning, call, { type: "function_call_output", call_id: "call_1", output: "18C" }],
    });

    // The merged body is an ordinary full-history Responses body: the codec decodes it and another protocol encodes it.
    const decoded = openAiResponsesCodec.decodeRequest(body).value;
    expect(decoded.messages.map((message) => message.role)).toEqual(["user", "assistant", "tool"]);
    const encoded = anthropicMessagesCodec.encodeRequest({ ...decoded, model: "claude-x" }).value;
    expect(encoded["messages"]).toEqual([
      { role: "user", content: "Weather in Paris?" },
      { role: "assistant", content: [{ type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Paris" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "call_1", content: "18C" }] },
    ]);
  });

  it("rebuilds a three-deep chain oldest first: each response's input, then its output", async () => {
    const store = createResponseStore({ state: createMemoryStateStore() });
    await storeTurn(store, "resp_a", "one", [assistantMessage("msg_a", "A")]);
    await storeTurn(store, "resp_b", [userMessage("two")], [assistantMessage("msg_b", "B")], "resp_a");
    await storeTurn(store, "resp_c", "three", [assistantMessage("msg_c", "C")], "resp_b");

    const lineage = await rebuildResponseLineage(store, "resp_c", "key-a");
    expect(lineage.responses.map((response) => response.id)).toEqual(["resp_a", "resp_b", "resp_c"]);
    expect(lineage.items).toEqual([
      userMessage("one"),
      assistantMessage("msg_a", "A"),
      userMessage("two"),
      assistantMessage("msg_b", "B"),
      userMessage("three"),
      assistantMessage("msg_c", "C"),
    ]);
    const continuation = await prepareContinuation(store, { model: "m", previous_response_id: "resp_c", input: "four" }, "key-a");
    const body = continuation?.bodyFor(anthropicTarget).body;
    expect(body).toEqual({ model: "m", input: [...lineage.items, userMessage("four")] });
    const decoded = openAiResponsesCodec.decodeRequest(body).value;
    expect(decoded.messages.map((message) => `${message.role}:${message.content.map((part) => (part.type === "text" ? part.text : part.type)).join("")}`)).toEqual([
      "user:one",
      "assistant:A",
      "user:two",
      "assistant:B",
      "user:three",
      "assistant:C",
      "user:four",
    ]);

    await expect(rebuildResponseLineage(store, "resp_c", "key-a", { maxDepth: 2 })).rejects.toMatchObject({ code: "invalid_request", path: "previous_response_id" });
  });

  it("answers a missing, foreign or broken-chain id with a 404 GatewayError before anything is sent", async () => {
    const store = createResponseStore({ state: createMemoryStateStore() });
    await storeTurn(store, "resp_a", "one", [assistantMessage("msg_a", "A")]);
    await storeTurn(store, "resp_b", "two", [assistantMessage("msg_b", "B")], "resp_a");

    const missing = await rejection(prepareContinuation(store, { model: "m", previous_response_id: "resp_zz", input: "x" }, "key-a"));
    expect([missing.code, missing.httpStatus, missing.path, missing.message]).toEqual([
      "not_found",
      404,
      "previous_response_id",
      "Previous response with id 'resp_zz' not found.",
    ]);
    const foreign = await rejection(prepareContinuation(store, { model: "m", previous_response_id: "resp_b", input: "x" }, "key-b"));
    expect([foreign.code, foreign.httpStatus, foreign.message]).toEqual(["not_found", 404, "Previous response with id 'resp_b' not found."]);

    await store.delete("resp_a", "key-a");
    const broken = await rejection(prepareContinuation(store, { model: "m", previous_response_id: "resp_b", input: "x" }, "key-a"));
    expect([broken.code, broken.message]).toEqual(["not_found", "Previous response with id 'resp_a' not found."]);

    expect(await prepareContinuation(store, { model: "m", input: "x" }, "key-a")).toBeUndefined();
  });

  it("passes the id through only to the Responses-native provider and credential that hold it", async () => {
    const store = createResponseStore({ state: createMemoryStateStore() });
    await storeTurn(store, "resp_up1", "one", [assistantMessage("msg_a", "A")], undefined, nativeTarget);
    const continuation = await prepareContinuation(store, { model: "m", previous_response_id: "resp_up1", input: "two" }, "key-a");
    if (continuation === undefined) throw new Error("expected a continuation");

    const same = { provider: "openai", credentialId: "cred-o", protocol: "openai-responses" } as const;
    expect(continuation.bodyFor(same)).toEqual({
      plan: { kind: "pass-through", upstreamResponseId: "resp_up1" },
      body: { model: "m", previous_response_id: "resp_up1", input: "two" },
    });
    expect(continuation.bodyFor({ ...same, credentialId: "cred-other" }).plan).toEqual({ kind: "replay", reason: "different-credential" });
    expect(continuation.bodyFor({ ...same, provider: "azure" }).plan).toEqual({ kind: "replay", reason: "different-provider" });
    expect(continuation.bodyFor({ ...same, credentialId: "cred-other" }).body).toEqual({
      model: "m",
      input: [userMessage("one"), assistantMessage("msg_a", "A"), userMessage("two")],
    });
    const parent = continuation.parent;
    expect(planPreviousResponse({ ...parent, target: { ...nativeTarget, upstreamHoldsState: false } }, same)).toEqual({ kind: "replay", reason: "upstream-holds-no-state" });
    expect(planPreviousResponse({ ...parent, target: { ...nativeTarget, upstreamResponseId: "resp_upstream" } }, same)).toEqual({
      kind: "pass-through",
      upstreamResponseId: "resp_upstream",
    });
  });
});

describe("tool output ordering", () => {
  it("moves an output placed before its call to the end of that call's run", () => {
    const call1 = { type: "function_call", call_id: "c1", name: "f", arguments: "{}" };
    const call2 = { type: "function_call", call_id: "c2", name: "f", arguments: "{}" };
    const out1 = { type: "function_call_output", call_id: "c1", output: "1" };
    const out2 = { type: "function_call_output", call_id: "c2", output: "2" };
    expect(orderToolOutputs([out1, call1, call2, out2], 0)).toEqual([call1, call2, out1, out2]);
    expect(orderToolOutputs([call1, out1], 0)).toEqual([call1, out1]);
  });

  it("rejects an output whose call is nowhere in the conversation, naming the client's item", () => {
    let caught: unknown;
    try {
      orderToolOutputs([userMessage("hi"), { type: "custom_tool_call_output", call_id: "nope", output: "x" }], 1);
    } catch (error) {
      caught = error;
    }
    expect(GatewayError.isInstance(caught) ? [caught.code, caught.path, caught.message] : caught).toEqual([
      "invalid_request",
      "input[0].call_id",
      'input[0].call_id: no tool call with call_id "nope" precedes this output in the conversation',
    ]);
  });
});
