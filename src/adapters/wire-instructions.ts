import type { ProtocolId } from "../unified/index.js";
import type { AdapterChange, WireBody } from "./adapter.js";

/**
 * Where each wire protocol keeps instructions and how its message content holds text. Adapters that move or add
 * instruction text (json-mode, system-to-user) share these so the four shapes are spelt out once:
 * Chat `messages[].content` (string or parts), Responses `instructions` + `input[]` items (`input_text` parts),
 * Anthropic top-level `system` + `messages[].content` (string or blocks), Gemini `systemInstruction.parts` +
 * `contents[].parts`.
 */

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The text part type of a protocol's message content. */
function textPart(protocol: ProtocolId, text: string): Record<string, unknown> {
  switch (protocol) {
    case "openai-chat":
    case "anthropic-messages":
      return { type: "text", text };
    case "openai-responses":
      return { type: "input_text", text };
    case "gemini":
      return { text };
    default: {
      const unknownProtocol: never = protocol;
      return unknownProtocol;
    }
  }
}

/** Content (string, parts array or absent) with `text` put first, separated by a blank line where it joins a string. */
export function prependContentText(protocol: ProtocolId, content: unknown, text: string): unknown {
  if (typeof content === "string") return content === "" ? text : `${text}\n\n${content}`;
  if (Array.isArray(content)) return [textPart(protocol, text), ...(content as unknown[])];
  return protocol === "openai-chat" ? text : [textPart(protocol, text)];
}

/** Content with `text` put last (the end of an instruction is where an added rule is least likely to be overridden). */
function appendContentText(protocol: ProtocolId, content: unknown, text: string): unknown {
  if (typeof content === "string") return content === "" ? text : `${content}\n\n${text}`;
  if (Array.isArray(content)) return [...(content as unknown[]), textPart(protocol, text)];
  return protocol === "openai-chat" ? text : [textPart(protocol, text)];
}

/** The visible text of a content value (string or text parts); other parts are not instructions and are skipped. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .flatMap((part) => (isRecord(part) && typeof part["text"] === "string" ? [part["text"]] : []))
    .join("\n\n");
}

/** Adds an instruction to the body's system prompt in the protocol's own place, creating it when absent. */
export function appendInstruction(body: WireBody, protocol: ProtocolId, text: string): { value: WireBody; change: AdapterChange } {
  switch (protocol) {
    case "openai-chat": {
      const messages = Array.isArray(body["messages"]) ? (body["messages"] as unknown[]) : [];
      const first = messages[0];
      if (isRecord(first) && (first["role"] === "system" || first["role"] === "developer")) {
        const updated = { ...first, content: appendContentText(protocol, first["content"], text) };
        return { value: { ...body, messages: [updated, ...messages.slice(1)] }, change: { path: "messages[0].content", action: "set", detail: "instruction appended" } };
      }
      return { value: { ...body, messages: [{ role: "system", content: text }, ...messages] }, change: { path: "messages[0]", action: "inserted", detail: "system message" } };
    }
    case "openai-responses": {
      const current = body["instructions"];
      const instructions = typeof current === "string" && current !== "" ? `${current}\n\n${text}` : text;
      return { value: { ...body, instructions }, change: { path: "instructions", action: "set", detail: "instruction appended" } };
    }
    case "anthropic-messages": {
      const current = body["system"];
      const system = current === undefined ? text : appendContentText(protocol, current, text);
      return { value: { ...body, system }, change: { path: "system", action: "set", detail: "instruction appended" } };
    }
    case "gemini": {
      const key = body["system_instruction"] !== undefined && body["systemInstruction"] === undefined ? "system_instruction" : "systemInstruction";
      const current = body[key];
      const parts = isRecord(current) && Array.isArray(current["parts"]) ? (current["parts"] as unknown[]) : [];
      const updated = { ...(isRecord(current) ? current : {}), parts: [...parts, { text }] };
      return { value: { ...body, [key]: updated }, change: { path: `${key}.parts`, action: "set", detail: "instruction appended" } };
    }
    default: {
      const unknownProtocol: never = protocol;
      return unknownProtocol;
    }
  }
}
