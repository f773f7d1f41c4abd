import { z } from "zod";
import type { UnifiedWarning } from "../unified/index.js";
import { unchanged, type AdapterChange } from "./adapter.js";
import { defineAdapterFactory } from "./adapter-registry.js";

const options = z.strictObject({
  /** What a `developer` message becomes: a system message (default), a user message, or nothing. */
  to: z.enum(["system", "user", "drop"]).default("system"),
});

/**
 * `suppress-developer-role`: for OpenAI-compatible servers that reject the `developer` role (newer OpenAI clients
 * send it instead of `system`). Only Chat `messages` and Responses `input` items have the role on the wire;
 * Anthropic and Gemini bodies pass unchanged (their codecs already rank developer as system).
 */
export const suppressDeveloperRoleAdapter = defineAdapterFactory({
  name: "suppress-developer-role",
  description: "Turn developer messages into system or user messages, or drop them.",
  options,
  create: ({ to }) => ({
    name: "suppress-developer-role",
    phase: "normal",
    // A developer message names its role as this JSON string; a passthrough body without it is not parsed.
    passthroughTriggers: ['"developer"'],
    request(body, context) {
      const key = context.protocol === "openai-chat" ? "messages" : context.protocol === "openai-responses" ? "input" : undefined;
      const list = key === undefined ? undefined : body[key];
      if (key === undefined || !Array.isArray(list)) return unchanged(body);
      const changes: AdapterChange[] = [];
      const warnings: UnifiedWarning[] = [];
      const kept: unknown[] = [];
      list.forEach((item: unknown, position) => {
        if (typeof item !== "object" || item === null || (item as Record<string, unknown>)["role"] !== "developer") {
          kept.push(item);
          return;
        }
        const path = `${key}[${position}]`;
        if (to === "drop") {
          changes.push({ path, action: "removed", detail: "developer message" });
          warnings.push({ code: "developer-message-dropped", message: "the target does not accept developer messages", path });
        } else {
          kept.push({ ...item, role: to });
          changes.push({ path: `${path}.role`, action: "set", detail: `developer → ${to}` });
        }
      });
      return changes.length === 0 ? unchanged(body) : { value: { ...body, [key]: kept }, changes, warnings };
    },
  }),
});
