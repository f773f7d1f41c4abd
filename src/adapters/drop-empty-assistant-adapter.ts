import { z } from "zod";
import { unchanged, type AdapterChange } from "./adapter.js";
import { defineAdapterFactory } from "./adapter-registry.js";

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0);
}

/**
 * `drop-empty-assistant`: removes assistant turns with no content and no tool calls. They appear when a model
 * answered a tool result with an empty stream; kept in history they make some models (Codex-era GPT-5) answer
 * empty again, cascading. Chat `messages`, Responses `input` message items, Anthropic `messages`, Gemini `model`
 * turns in `contents`.
 */
export const dropEmptyAssistantAdapter = defineAdapterFactory({
  name: "drop-empty-assistant",
  description: "Remove assistant turns that have no content and no tool calls.",
  options: z.strictObject({}),
  create: () => ({
    name: "drop-empty-assistant",
    phase: "normal",
    request(body, context) {
      const [key, role, content] =
        context.protocol === "gemini" ? (["contents", "model", "parts"] as const)
        : context.protocol === "openai-responses" ? (["input", "assistant", "content"] as const)
        : (["messages", "assistant", "content"] as const);
      const list = body[key];
      if (!Array.isArray(list)) return unchanged(body);
      const changes: AdapterChange[] = [];
      const kept = list.filter((item: unknown, position) => {
        if (typeof item !== "object" || item === null) return true;
        const record = item as Record<string, unknown>;
        const isMessage = record["type"] === undefined || record["type"] === "message";
        const empty = isMessage && record["role"] === role && isEmpty(record[content]) && isEmpty(record["tool_calls"]) && isEmpty(record["function_call"]);
        if (empty) changes.push({ path: `${key}[${position}]`, action: "removed", detail: "empty assistant turn" });
        return !empty;
      });
      return changes.length === 0 ? unchanged(body) : { value: { ...body, [key]: kept }, changes, warnings: [] };
    },
  }),
});
