import type { ProtocolId, SseMessage } from "../../src/unified/index.js";
import { isRecordedObject, objectAt, objectsAt, parseRecordingPayloads, stringAt, type RecordedObject } from "./parse-recording-payloads.js";

/**
 * The assistant turn a client keeps from a response and sends back in its next request, in the client's own wire
 * form, as the official SDKs accumulate it: Anthropic content blocks (deltas applied, the last signature_delta
 * winning), Gemini parts in arrival order (the empty text part of the closing chunk left out unless
 * `keepEmptyText`: @google/genai applications that push every streamed part back keep it), Responses output
 * items from `response.completed`, a Chat assistant message (content and reasoning_content joined,
 * reasoning_details concatenated, tool calls merged by index).
 */
export interface ClientTurn {
  /** Anthropic: the assistant message; Gemini: the model content; Responses: the output items; Chat: the message. */
  turn: unknown;
  /** The id of the first tool call, for the tool result the client sends with the turn. */
  toolCallId: string | undefined;
}

/** Reads the assistant turn from a non-streamed response body. */
export function clientTurnFromBody(protocol: ProtocolId, body: RecordedObject): ClientTurn {
  switch (protocol) {
    case "anthropic-messages": {
      const content = objectsAt(body, "content");
      return { turn: { role: "assistant", content }, toolCallId: stringAt(content.find((block) => block["type"] === "tool_use"), "id") };
    }
    case "gemini": {
      const content = objectAt(objectsAt(body, "candidates")[0], "content");
      const call = objectsAt(content, "parts").find((part) => isRecordedObject(part["functionCall"]));
      return { turn: content, toolCallId: stringAt(objectAt(call, "functionCall"), "id") };
    }
    case "openai-responses": {
      const output = objectsAt(body, "output");
      return { turn: output, toolCallId: stringAt(output.find((item) => item["type"] === "function_call"), "call_id") };
    }
    case "openai-chat": {
      const message = objectAt(objectsAt(body, "choices")[0], "message");
      return { turn: message, toolCallId: stringAt(objectsAt(message, "tool_calls")[0], "id") };
    }
    default: {
      const unreachable: never = protocol;
      throw new Error(`unknown protocol ${String(unreachable)}`);
    }
  }
}

/** Reads the assistant turn from a client stream, as the client's SDK accumulates it. */
export function clientTurnFromStream(protocol: ProtocolId, messages: readonly SseMessage[], options: { keepEmptyText?: boolean } = {}): ClientTurn {
  const payloads = parseRecordingPayloads(messages);
  switch (protocol) {
    case "anthropic-messages":
      return clientTurnFromBody(protocol, { content: anthropicBlocks(payloads) });
    case "gemini": {
      const parts = payloads.flatMap((payload) => objectsAt(objectAt(objectsAt(payload, "candidates")[0], "content"), "parts"));
      const kept = options.keepEmptyText === true ? parts : parts.filter((part) => !(Object.keys(part).length === 1 && part["text"] === ""));
      return clientTurnFromBody(protocol, { candidates: [{ content: { role: "model", parts: kept } }] });
    }
    case "openai-responses": {
      const completed = payloads.find((payload) => payload["type"] === "response.completed");
      return clientTurnFromBody(protocol, objectAt(completed, "response"));
    }
    case "openai-chat":
      return clientTurnFromBody(protocol, { choices: [{ message: chatMessage(payloads) }] });
    default: {
      const unreachable: never = protocol;
      throw new Error(`unknown protocol ${String(unreachable)}`);
    }
  }
}

function anthropicBlocks(payloads: readonly RecordedObject[]): RecordedObject[] {
  const blocks: RecordedObject[] = [];
  const json = new Map<number, string>();
  for (const payload of payloads) {
    const index = typeof payload["index"] === "number" ? payload["index"] : -1;
    if (payload["type"] === "content_block_start") blocks[index] = { ...objectAt(payload, "content_block") };
    else if (payload["type"] === "content_block_delta") {
      const block = blocks[index];
      const delta = objectAt(payload, "delta");
      if (block === undefined) continue;
      if (delta["type"] === "thinking_delta") block["thinking"] = String(block["thinking"] ?? "") + String(delta["thinking"]);
      else if (delta["type"] === "signature_delta") block["signature"] = delta["signature"];
      else if (delta["type"] === "text_delta") block["text"] = String(block["text"] ?? "") + String(delta["text"]);
      else if (delta["type"] === "input_json_delta") json.set(index, (json.get(index) ?? "") + String(delta["partial_json"]));
    } else if (payload["type"] === "content_block_stop") {
      const block = blocks[index];
      const text = json.get(index);
      if (block !== undefined && text !== undefined && text !== "") block["input"] = JSON.parse(text) as unknown;
    }
  }
  return blocks;
}

function chatMessage(payloads: readonly RecordedObject[]): RecordedObject {
  const message: RecordedObject = { role: "assistant", content: null };
  const calls: RecordedObject[] = [];
  const details: RecordedObject[] = [];
  for (const payload of payloads) {
    const delta = objectAt(objectsAt(payload, "choices")[0], "delta");
    details.push(...objectsAt(delta, "reasoning_details"));
    for (const field of ["content", "reasoning_content"]) {
      const text = delta[field];
      if (typeof text === "string" && text !== "") message[field] = String(message[field] ?? "") + text;
    }
    for (const call of objectsAt(delta, "tool_calls")) {
      const index = typeof call["index"] === "number" ? call["index"] : 0;
      const known = calls[index];
      const fn = objectAt(call, "function");
      if (known === undefined) calls[index] = { id: call["id"], type: "function", function: { name: fn["name"], arguments: String(fn["arguments"] ?? "") } };
      else objectAt(known, "function")["arguments"] = String(objectAt(known, "function")["arguments"]) + String(fn["arguments"] ?? "");
    }
  }
  if (details.length > 0) message["reasoning_details"] = details;
  if (calls.length > 0) message["tool_calls"] = calls;
  return message;
}
