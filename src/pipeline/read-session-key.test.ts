import { describe, expect, it } from "vitest";
import { readSessionEvidence as readSessionKeys } from "./read-session-key.js";

const chatTurns = (first: string, toolIds: string[]) => ({
  messages: [
    { role: "system", content: "be brief" },
    { role: "user", content: first },
    ...toolIds.flatMap((id) => [
      { role: "assistant", content: null, tool_calls: [{ id, type: "function", function: { name: "read", arguments: "{}" } }] },
      { role: "tool", tool_call_id: id, content: "ok" },
    ]),
  ],
});

describe("readSessionKeys", () => {
  it("an explicit client key is the only evidence needed", () => {
    expect(readSessionKeys({ "x-claude-code-session-id": " abc " }, chatTurns("hi", ["call_1"]), "openai-chat").keys).toEqual(["x-claude-code-session-id:abc"]);
    expect(readSessionKeys({}, { prompt_cache_key: "k", input: "hi" }, "openai-responses").keys).toEqual(["prompt_cache_key:k"]);
  });

  it("content evidence: the first user turn, then the newest closed tool pairs, newest first", () => {
    const keys = readSessionKeys({}, chatTurns("fix the bug", ["call_1", "call_2", "call_3", "call_4", "call_5"]), "openai-chat").keys;
    expect(keys).toHaveLength(5);
    expect(keys[0]).toMatch(/^first-user:/);
    // call_1 is the oldest of five: left out (four pairs at most).
    expect(keys.slice(1)).toEqual(readSessionKeys({}, chatTurns("other", ["call_2", "call_3", "call_4", "call_5"]), "openai-chat").keys.slice(1));
    expect(keys[0]).not.toBe(readSessionKeys({}, chatTurns("other", []), "openai-chat").keys[0]);
  });

  it("an open tool call (no result yet) is not evidence", () => {
    const body = { messages: [{ role: "user", content: "go" }, { role: "assistant", tool_calls: [{ id: "call_open", type: "function", function: { name: "x", arguments: "{}" } }] }] };
    expect(readSessionKeys({}, body, "openai-chat").keys).toHaveLength(1);
  });

  it("a compacted history keeps the evidence of its surviving tool pairs", () => {
    const before = readSessionKeys({}, chatTurns("long task", ["call_a", "call_b"]), "openai-chat").keys;
    const after = readSessionKeys({}, chatTurns("summary of the conversation so far", ["call_b"]), "openai-chat").keys;
    expect(after[0]).not.toBe(before[0]);
    expect(before).toContain(after[1]);
  });

  it("a first turn binds but does not follow; a continuation follows", () => {
    expect(readSessionKeys({}, { messages: [{ role: "user", content: "hi" }] }, "openai-chat").follow).toBe(false);
    expect(readSessionKeys({}, { messages: [{ role: "user", content: "hi" }, { role: "assistant", content: "yes?" }, { role: "user", content: "go" }] }, "openai-chat").follow).toBe(true);
    expect(readSessionKeys({}, { contents: [{ role: "user", parts: [] }, { role: "model", parts: [] }, { role: "user", parts: [] }] }, "gemini").follow).toBe(true);
    expect(readSessionKeys({ "session-id": "s" }, {}, "openai-responses").follow).toBe(true);
  });

  it("reads the tool results of every protocol", () => {
    const anthropic = { messages: [{ role: "user", content: "go" }, { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "ok" }] }] };
    const gemini = { contents: [{ role: "user", parts: [{ text: "go" }] }, { role: "user", parts: [{ functionResponse: { name: "read", response: { ok: true } } }] }] };
    const responses = { input: [{ role: "user", content: "go" }, { type: "function_call_output", call_id: "call_1", output: "ok" }] };
    expect(readSessionKeys({}, anthropic, "anthropic-messages").keys).toHaveLength(2);
    expect(readSessionKeys({}, gemini, "gemini").keys).toHaveLength(2);
    expect(readSessionKeys({}, responses, "openai-responses").keys).toHaveLength(2);
    expect(readSessionKeys({}, { input: "go" }, "openai-responses").keys).toHaveLength(1);
    expect(readSessionKeys({}, {}, "openai-chat").keys).toEqual([]);
  });

  it("a Responses continuation: the parent's credential ranks after an explicit key and before content evidence", () => {
    const servedBy = { provider: "openai", credentialId: "cred_a" };
    const toolTurn = { previous_response_id: "resp_1", input: [{ role: "user", content: "go on" }, { type: "function_call_output", call_id: "call_1", output: "ok" }] };
    const continued = readSessionKeys({}, toolTurn, "openai-responses", servedBy);
    // The input of a continuation holds only the new turn, so no first-user key; the closed tool pair still counts.
    expect(continued.keys).toEqual([servedBy, expect.stringMatching(/^tool-pair:/)]);
    expect(continued.follow).toBe(true);
    expect(readSessionKeys({ "session-id": "s" }, toolTurn, "openai-responses", servedBy).keys).toEqual(["session-id:s", servedBy]);
    const plain = readSessionKeys({}, { previous_response_id: "resp_1", input: "more" }, "openai-responses", servedBy);
    expect(plain).toEqual({ keys: [servedBy], follow: true });
    // Without the Responses layer's evidence a continuation's new turn is still not taken for a first turn.
    expect(readSessionKeys({}, { previous_response_id: "resp_1", input: "more" }, "openai-responses").keys).toEqual([]);
  });
});
