import { createHash } from "node:crypto";
import type { ProtocolId } from "../unified/index.js";
import type { AdapterChange, WireBody } from "./adapter.js";
import { parseEmulatedToolCalls, type EmulatedToolCall } from "./parse-emulated-tool-calls.js";

/**
 * The response side of tool-emulation: the textual calls of a provider's response body, in its own protocol, turned
 * into the protocol's real tool calls (Chat `tool_calls`, Anthropic `tool_use` blocks, Gemini `functionCall` parts),
 * so every later step (decoding, field cache, the client) sees an ordinary tool-calling answer.
 */

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The id of an emulated call: derived from the response (its id, else the text it was read from and the request's
 * turn) and the call's position, never random, so the same upstream answer gives the same ids in the trace, in a
 * replay and in a retried request. Prefixed in the style of the protocol the call is written in.
 */
export function emulatedToolCallId(protocol: ProtocolId, seed: string, index: number): string {
  const prefix = protocol === "anthropic-messages" ? "toolu_" : "call_";
  return prefix + createHash("sha256").update(`${seed}\u0000${index}`).digest("hex").slice(0, 24);
}

/** What makes ids unique: the response id when the provider gave one, else the turn and the text. */
export function emulatedCallSeed(responseId: unknown, turn: number, text: string): string {
  return typeof responseId === "string" && responseId !== "" ? responseId : `turn ${turn}\u0000${text}`;
}

function parsedArguments(call: EmulatedToolCall): Record<string, unknown> {
  // parse-emulated-tool-calls only yields arguments that are a JSON object text.
  return JSON.parse(call.arguments) as Record<string, unknown>;
}

/** The response body with emulated calls as real tool calls, and what changed (none: the body itself). */
export function unwrapEmulatedToolCalls(body: WireBody, protocol: ProtocolId, toolNames: readonly string[], turn: number): { value: WireBody; changes: AdapterChange[] } {
  switch (protocol) {
    case "openai-chat":
      return unwrapChat(body, toolNames, turn);
    case "anthropic-messages":
      return unwrapAnthropic(body, toolNames, turn);
    case "gemini":
      return unwrapGemini(body, toolNames, turn);
    case "openai-responses":
      // Never emulated (the adapter's request side leaves Responses bodies alone), so there is nothing to unwrap.
      return { value: body, changes: [] };
    default: {
      const unknownProtocol: never = protocol;
      return unknownProtocol;
    }
  }
}

function unwrapChat(body: WireBody, toolNames: readonly string[], turn: number): { value: WireBody; changes: AdapterChange[] } {
  const choices = body["choices"];
  if (!Array.isArray(choices)) return { value: body, changes: [] };
  const changes: AdapterChange[] = [];
  let index = 0;
  const next = choices.map((choice: unknown, position) => {
    if (!isRecord(choice) || !isRecord(choice["message"]) || typeof choice["message"]["content"] !== "string") return choice;
    const text = choice["message"]["content"];
    const parsed = parseEmulatedToolCalls(text, toolNames);
    if (parsed === undefined) return choice;
    changes.push({ path: `choices[${position}].message.tool_calls`, action: "set", detail: `${parsed.calls.length} emulated tool call(s) from text` });
    const seed = emulatedCallSeed(body["id"], turn, text);
    const toolCalls = parsed.calls.map((call) => ({ id: emulatedToolCallId("openai-chat", seed, index++), type: "function", function: { name: call.name, arguments: call.arguments } }));
    return { ...choice, message: { ...choice["message"], content: parsed.text === "" ? null : parsed.text, tool_calls: toolCalls }, finish_reason: "tool_calls" };
  });
  return changes.length === 0 ? { value: body, changes } : { value: { ...body, choices: next }, changes };
}

function unwrapAnthropic(body: WireBody, toolNames: readonly string[], turn: number): { value: WireBody; changes: AdapterChange[] } {
  const content = body["content"];
  if (!Array.isArray(content)) return { value: body, changes: [] };
  const changes: AdapterChange[] = [];
  let index = 0;
  const next = (content as unknown[]).flatMap((block, position): unknown[] => {
    if (!isRecord(block) || block["type"] !== "text" || typeof block["text"] !== "string") return [block];
    const parsed = parseEmulatedToolCalls(block["text"], toolNames);
    if (parsed === undefined) return [block];
    changes.push({ path: `content[${position}]`, action: "set", detail: `${parsed.calls.length} emulated tool call(s) from text` });
    const seed = emulatedCallSeed(body["id"], turn, block["text"]);
    const calls = parsed.calls.map((call) => ({ type: "tool_use", id: emulatedToolCallId("anthropic-messages", seed, index++), name: call.name, input: parsedArguments(call) }));
    return [...(parsed.text === "" ? [] : [{ ...block, text: parsed.text }]), ...calls];
  });
  if (changes.length === 0) return { value: body, changes };
  changes.push({ path: "stop_reason", action: "set", detail: "tool_use" });
  return { value: { ...body, content: next, stop_reason: "tool_use", stop_sequence: null }, changes };
}

function unwrapGemini(body: WireBody, toolNames: readonly string[], turn: number): { value: WireBody; changes: AdapterChange[] } {
  const candidates = body["candidates"];
  if (!Array.isArray(candidates)) return { value: body, changes: [] };
  const changes: AdapterChange[] = [];
  let index = 0;
  const next = (candidates as unknown[]).map((candidate, candidatePosition) => {
    if (!isRecord(candidate) || !isRecord(candidate["content"]) || !Array.isArray(candidate["content"]["parts"])) return candidate;
    let hit = false;
    const parts = (candidate["content"]["parts"] as unknown[]).flatMap((part, position): unknown[] => {
      // Thought summaries are reasoning, never the answer the model was told to write calls in.
      if (!isRecord(part) || typeof part["text"] !== "string" || part["thought"] === true) return [part];
      const parsed = parseEmulatedToolCalls(part["text"], toolNames);
      if (parsed === undefined) return [part];
      hit = true;
      changes.push({ path: `candidates[${candidatePosition}].content.parts[${position}]`, action: "set", detail: `${parsed.calls.length} emulated tool call(s) from text` });
      const seed = emulatedCallSeed(body["responseId"] ?? body["response_id"], turn, part["text"]);
      const calls = parsed.calls.map((call) => ({ functionCall: { id: emulatedToolCallId("gemini", seed, index++), name: call.name, args: parsedArguments(call) } }));
      return [...(parsed.text === "" ? [] : [{ ...part, text: parsed.text }]), ...calls];
    });
    // Gemini has no tool-call finish reason: STOP with function calls is how a tool turn ends, so it stays.
    return hit ? { ...candidate, content: { ...candidate["content"], parts } } : candidate;
  });
  return changes.length === 0 ? { value: body, changes } : { value: { ...body, candidates: next }, changes };
}
