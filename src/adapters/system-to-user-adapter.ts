import { z } from "zod";
import type { ProtocolId } from "../unified/index.js";
import { unchanged, type AdapterChange, type WireBody } from "./adapter.js";
import { defineAdapterFactory } from "./adapter-registry.js";
import { contentText, prependContentText } from "./wire-instructions.js";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The conversation list and the content field of each protocol. */
function conversationShape(protocol: ProtocolId): { list: string; content: string } {
  switch (protocol) {
    case "openai-chat":
    case "anthropic-messages":
      return { list: "messages", content: "content" };
    case "openai-responses":
      return { list: "input", content: "content" };
    case "gemini":
      return { list: "contents", content: "parts" };
    default: {
      const unknownProtocol: never = protocol;
      return unknownProtocol;
    }
  }
}

/** Removes the top-level system prompt (Responses `instructions`, Anthropic `system`, Gemini `systemInstruction`) and returns its text. */
function takeTopLevelSystem(body: WireBody, protocol: ProtocolId, changes: AdapterChange[]): { body: WireBody; text: string } {
  const key =
    protocol === "openai-responses" ? "instructions"
    : protocol === "anthropic-messages" ? "system"
    : protocol === "gemini" ? (body["systemInstruction"] !== undefined ? "systemInstruction" : "system_instruction")
    : undefined;
  if (key === undefined || body[key] === undefined) return { body, text: "" };
  const value = body[key];
  const text = isRecord(value) ? contentText(value["parts"]) : contentText(value);
  const { [key]: _removed, ...rest } = body;
  changes.push({ path: key, action: "removed", detail: "moved into a user message" });
  return { body: rest, text };
}

/**
 * `system-to-user`: for models without a system role (some Gemma and o1-era deployments), instruction text is
 * prepended to the next user message; a system message with no user message after it becomes a user message in
 * place. Merging (rather than relabelling) keeps user/assistant alternation, which such chat templates enforce.
 */
export const systemToUserAdapter = defineAdapterFactory({
  name: "system-to-user",
  description: "Move system (and developer) instructions into the following user message.",
  options: z.strictObject({}),
  create: () => ({
    name: "system-to-user",
    phase: "normal",
    request(body, context) {
      const changes: AdapterChange[] = [];
      const shape = conversationShape(context.protocol);
      const top = takeTopLevelSystem(body, context.protocol, changes);
      const list = top.body[shape.list];
      if (!Array.isArray(list)) return changes.length === 0 ? unchanged(body) : { value: top.body, changes, warnings: [] };
      let pending = top.text;
      const out: unknown[] = [];
      list.forEach((item: unknown, position) => {
        if (!isRecord(item)) {
          out.push(item);
          return;
        }
        if (item["role"] === "system" || item["role"] === "developer") {
          const text = contentText(item[shape.content]);
          pending = pending === "" ? text : text === "" ? pending : `${pending}\n\n${text}`;
          changes.push({ path: `${shape.list}[${position}]`, action: "removed", detail: `${String(item["role"])} message merged into a user message` });
          return;
        }
        if (item["role"] === "user" && pending !== "") {
          out.push({ ...item, [shape.content]: prependContentText(context.protocol, item[shape.content], pending) });
          changes.push({ path: `${shape.list}[${position}].${shape.content}`, action: "set", detail: "instructions prepended" });
          pending = "";
          return;
        }
        out.push(item);
      });
      if (pending !== "") {
        out.push({ role: "user", [shape.content]: prependContentText(context.protocol, undefined, pending) });
        changes.push({ path: `${shape.list}[${out.length - 1}]`, action: "inserted", detail: "user message with the instructions" });
      }
      return changes.length === 0 ? unchanged(body) : { value: { ...top.body, [shape.list]: out }, changes, warnings: [] };
    },
  }),
});
