import type { ProtocolId } from "../unified/index.js";
import type { AdapterChange, WireBody } from "./adapter.js";

/**
 * Where each protocol keeps a JSON-schema response format, and how a forced function tool and its call look on
 * each wire, for the structured-output-tool adapter: Chat `response_format.json_schema`, Responses `text.format`,
 * Anthropic `output_config.format` (or the older `output_format`), Gemini `generationConfig.responseJsonSchema` /
 * `responseSchema` (snake_case bodies too).
 */

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A JSON-schema response format found on the wire. */
export interface WireSchemaFormat {
  schema: Record<string, unknown>;
  name?: string;
  description?: string;
}

function withoutKey(record: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _removed, ...rest } = record;
  return rest;
}

/** The body's native JSON-schema format (if any), and the body without it. */
export function takeNativeSchemaFormat(body: WireBody, protocol: ProtocolId): { body: WireBody; format?: WireSchemaFormat; change?: AdapterChange } {
  const removed = (path: string, next: WireBody, format: WireSchemaFormat) => ({ body: next, format, change: { path, action: "removed" as const, detail: "json_schema emulated with a forced tool" } });
  switch (protocol) {
    case "openai-chat": {
      const format = body["response_format"];
      if (!isRecord(format) || format["type"] !== "json_schema" || !isRecord(format["json_schema"]) || !isRecord(format["json_schema"]["schema"])) return { body };
      const spec = format["json_schema"];
      return removed("response_format", withoutKey(body, "response_format"), {
        schema: spec["schema"] as Record<string, unknown>,
        ...(typeof spec["name"] === "string" ? { name: spec["name"] } : {}),
        ...(typeof spec["description"] === "string" ? { description: spec["description"] } : {}),
      });
    }
    case "openai-responses": {
      const text = body["text"];
      const format = isRecord(text) ? text["format"] : undefined;
      if (!isRecord(text) || !isRecord(format) || format["type"] !== "json_schema" || !isRecord(format["schema"])) return { body };
      const rest = withoutKey(text, "format");
      const next = Object.keys(rest).length === 0 ? withoutKey(body, "text") : { ...body, text: rest };
      return removed("text.format", next, {
        schema: format["schema"],
        ...(typeof format["name"] === "string" ? { name: format["name"] } : {}),
        ...(typeof format["description"] === "string" ? { description: format["description"] } : {}),
      });
    }
    case "anthropic-messages": {
      const legacy = body["output_format"];
      if (isRecord(legacy) && isRecord(legacy["schema"])) return removed("output_format", withoutKey(body, "output_format"), { schema: legacy["schema"] });
      const config = body["output_config"];
      const format = isRecord(config) ? config["format"] : undefined;
      if (!isRecord(config) || !isRecord(format) || !isRecord(format["schema"])) return { body };
      const rest = withoutKey(config, "format");
      const next = Object.keys(rest).length === 0 ? withoutKey(body, "output_config") : { ...body, output_config: rest };
      return removed("output_config.format", next, { schema: format["schema"] });
    }
    case "gemini": {
      const configKey = isRecord(body["generation_config"]) ? "generation_config" : "generationConfig";
      const config = body[configKey];
      if (!isRecord(config)) return { body };
      const schemaKey = ["responseJsonSchema", "response_json_schema", "responseSchema", "response_schema"].find((key) => isRecord(config[key]));
      if (schemaKey === undefined) return { body };
      let rest = withoutKey(config, schemaKey);
      for (const mime of ["responseMimeType", "response_mime_type"]) rest = withoutKey(rest, mime);
      return removed(`${configKey}.${schemaKey}`, { ...body, [configKey]: rest }, { schema: config[schemaKey] as Record<string, unknown> });
    }
    default: {
      const unknownProtocol: never = protocol;
      return unknownProtocol;
    }
  }
}

/** What the client's own tool choice allows this turn: any tool, no tool, some tool, or one named tool. */
export type ClientToolChoice = "auto" | "none" | "required" | "forced";

/** The client's tool choice in a body of the given protocol (absent = `auto`). */
export function readClientToolChoice(body: WireBody, protocol: ProtocolId): ClientToolChoice {
  switch (protocol) {
    case "openai-chat":
    case "openai-responses": {
      const choice = body["tool_choice"];
      if (choice === "none" || choice === "required") return choice;
      if (!isRecord(choice)) return "auto";
      if (choice["type"] !== "allowed_tools") return "forced";
      // Chat nests the allowed-tools mode (`allowed_tools.mode`), Responses does not.
      const mode = isRecord(choice["allowed_tools"]) ? choice["allowed_tools"]["mode"] : choice["mode"];
      return mode === "required" ? "required" : "auto";
    }
    case "anthropic-messages": {
      const choice = body["tool_choice"];
      const type = isRecord(choice) ? choice["type"] : undefined;
      return type === "none" ? "none" : type === "any" ? "required" : type === "tool" ? "forced" : "auto";
    }
    case "gemini": {
      const config = body["toolConfig"] ?? body["tool_config"];
      const calling = isRecord(config) ? (config["functionCallingConfig"] ?? config["function_calling_config"]) : undefined;
      const mode = isRecord(calling) ? calling["mode"] : undefined;
      if (mode === "NONE") return "none";
      if (mode !== "ANY") return "auto";
      const allowed = isRecord(calling) ? (calling["allowedFunctionNames"] ?? calling["allowed_function_names"]) : undefined;
      return Array.isArray(allowed) && allowed.length === 1 ? "forced" : "required";
    }
    default: {
      const unknownProtocol: never = protocol;
      return unknownProtocol;
    }
  }
}

/** The body with one more function tool, forced when `force` (no client tools to leave a choice between). */
export function addForcedTool(body: WireBody, protocol: ProtocolId, tool: { name: string; description: string; schema: Record<string, unknown> }, force: boolean): WireBody {
  const existing = Array.isArray(body["tools"]) ? (body["tools"] as unknown[]) : [];
  switch (protocol) {
    case "openai-chat":
      return {
        ...body,
        tools: [...existing, { type: "function", function: { name: tool.name, description: tool.description, parameters: tool.schema } }],
        ...(force ? { tool_choice: { type: "function", function: { name: tool.name } } } : {}),
      };
    case "openai-responses":
      return {
        ...body,
        tools: [...existing, { type: "function", name: tool.name, description: tool.description, parameters: tool.schema }],
        ...(force ? { tool_choice: { type: "function", name: tool.name } } : {}),
      };
    case "anthropic-messages":
      return {
        ...body,
        tools: [...existing, { name: tool.name, description: tool.description, input_schema: tool.schema }],
        ...(force ? { tool_choice: { type: "tool", name: tool.name } } : {}),
      };
    case "gemini":
      return {
        // A snake_case tool_config beside the camelCase one that forces would be two answers to one question.
        ...(force ? withoutKey(body, "tool_config") : body),
        tools: [...existing, { functionDeclarations: [{ name: tool.name, description: tool.description, parametersJsonSchema: tool.schema }] }],
        ...(force ? { toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [tool.name] } } } : {}),
      };
    default: {
      const unknownProtocol: never = protocol;
      return unknownProtocol;
    }
  }
}

/** Replaces items of `list` matching `is` with `to(item)`; undefined when none matched. */
function replaceItems(list: unknown, is: (item: Record<string, unknown>) => boolean, to: (item: Record<string, unknown>) => unknown): unknown[] | undefined {
  if (!Array.isArray(list)) return undefined;
  let hit = false;
  const next = list.map((item: unknown) => {
    if (!isRecord(item) || !is(item)) return item;
    hit = true;
    return to(item);
  });
  return hit ? next : undefined;
}

/** A response body with the call of tool `name` turned into text content (its arguments), and a plain stop. */
export function unwrapToolCallAsText(body: WireBody, protocol: ProtocolId, name: string): WireBody | undefined {
  switch (protocol) {
    case "openai-chat": {
      const choices = replaceItems(
        body["choices"],
        (choice) => isRecord(choice["message"]) && Array.isArray(choice["message"]["tool_calls"]) && choice["message"]["tool_calls"].some((call: unknown) => isRecord(call) && isRecord(call["function"]) && call["function"]["name"] === name),
        (choice) => {
          const message = choice["message"] as Record<string, unknown>;
          const calls = message["tool_calls"] as unknown[];
          const ours = calls.find((call) => isRecord(call) && isRecord(call["function"]) && call["function"]["name"] === name) as { function: { arguments?: unknown } };
          const others = calls.filter((call) => call !== ours);
          const { tool_calls: _calls, ...rest } = message;
          const text = typeof ours.function.arguments === "string" ? ours.function.arguments : JSON.stringify(ours.function.arguments ?? {});
          return { ...choice, message: { ...rest, content: text, ...(others.length === 0 ? {} : { tool_calls: others }) }, finish_reason: others.length === 0 ? "stop" : choice["finish_reason"] };
        },
      );
      return choices === undefined ? undefined : { ...body, choices };
    }
    case "openai-responses": {
      const output = replaceItems(body["output"], (item) => item["type"] === "function_call" && item["name"] === name, (item) => ({
        type: "message",
        id: `msg_${String(item["call_id"] ?? item["id"] ?? "structured")}`,
        role: "assistant",
        status: "completed",
        content: [{ type: "output_text", text: typeof item["arguments"] === "string" ? item["arguments"] : "{}", annotations: [] }],
      }));
      return output === undefined ? undefined : { ...body, output };
    }
    case "anthropic-messages": {
      const content = replaceItems(body["content"], (block) => block["type"] === "tool_use" && block["name"] === name, (block) => ({ type: "text", text: JSON.stringify(block["input"] ?? {}) }));
      if (content === undefined) return undefined;
      const otherCalls = content.some((block) => isRecord(block) && block["type"] === "tool_use");
      return { ...body, content, ...(otherCalls ? {} : { stop_reason: "end_turn" }) };
    }
    case "gemini": {
      let hit = false;
      const candidates = Array.isArray(body["candidates"])
        ? (body["candidates"] as unknown[]).map((candidate) => {
            if (!isRecord(candidate) || !isRecord(candidate["content"])) return candidate;
            const parts = replaceItems(candidate["content"]["parts"], (part) => isRecord(part["functionCall"]) && part["functionCall"]["name"] === name, (part) => ({
              text: JSON.stringify((part["functionCall"] as Record<string, unknown>)["args"] ?? {}),
            }));
            if (parts === undefined) return candidate;
            hit = true;
            return { ...candidate, content: { ...candidate["content"], parts } };
          })
        : undefined;
      return hit && candidates !== undefined ? { ...body, candidates } : undefined;
    }
    default: {
      const unknownProtocol: never = protocol;
      return unknownProtocol;
    }
  }
}
