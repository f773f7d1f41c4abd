import type { UnifiedWarning } from "../unified/index.js";
import type { AdapterChange, WireBody } from "./adapter.js";
import { contentText } from "./wire-instructions.js";

/**
 * The OpenAI Chat request of a model without native tools: the tool list and the rules for calling them become
 * instruction text, earlier assistant tool calls become the JSON the model is told to write, and tool results
 * become user messages (a model without tools rejects or ignores the `tool` role).
 */

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The function tools of a Chat body as `{name, description?, parameters?}`. */
function functionTools(tools: unknown): EmulatedToolSpec[] {
  if (!Array.isArray(tools)) return [];
  return tools.flatMap((tool: unknown) => {
    if (!isRecord(tool)) return [];
    const spec = isRecord(tool["function"]) ? tool["function"] : tool;
    const name = spec["name"];
    if (typeof name !== "string") return [];
    return [{ name, ...(spec["description"] === undefined ? {} : { description: spec["description"] }), ...(spec["parameters"] === undefined ? {} : { parameters: spec["parameters"] }) }];
  });
}

/** What a renderer hands back to the adapter. */
export interface EmulatedToolsRendering {
  body: WireBody;
  changes: AdapterChange[];
  warnings: UnifiedWarning[];
  toolNames: string[];
  /** Instruction to append to the system text; undefined when no tool may be called (none declared, or `none`). */
  instruction: string | undefined;
}

/** What the client's tool choice asks, in any protocol's spelling. */
export type EmulatedToolChoice = { kind: "auto" | "required" | "none" } | { kind: "forced"; name: string };

/** A tool as the instruction lists it (the same JSON whatever the target protocol). */
export interface EmulatedToolSpec {
  name: string;
  description?: unknown;
  parameters?: unknown;
}

/** The instruction that replaces native tools. */
export function toolEmulationInstruction(tools: readonly EmulatedToolSpec[], choice: EmulatedToolChoice, preamble: string): string {
  const lines = [
    preamble,
    'To call tools, reply with only this JSON and nothing else: {"tool_calls":[{"name":"<tool name>","arguments":{<arguments>}}]}',
    "The arguments must follow the tool's JSON schema. When no tool is needed, reply normally in plain text.",
    'Results of your tool calls come back in user messages that start with "Tool result".',
  ];
  if (choice.kind === "required") lines.push("You must call at least one tool in this reply.");
  if (choice.kind === "forced") lines.push(`You must call the tool "${choice.name}" in this reply.`);
  lines.push(`Tools:\n${JSON.stringify(tools)}`);
  return lines.join("\n");
}

/** The text a tool result becomes (the instruction tells the model to expect this prefix). */
export function toolResultText(name: string, id: string, text: string, isError = false): string {
  return `Tool result (${name}${id === "" ? "" : `, call ${id}`}${isError ? ", failed" : ""}):\n${text}`;
}

/** Chat's `tool_choice` as an emulated choice. */
function chatToolChoice(toolChoice: unknown): EmulatedToolChoice {
  if (toolChoice === "required" || toolChoice === "none") return { kind: toolChoice };
  const forced = isRecord(toolChoice) && isRecord(toolChoice["function"]) ? toolChoice["function"]["name"] : undefined;
  return typeof forced === "string" ? { kind: "forced", name: forced } : { kind: "auto" };
}

/** Arguments as a value (a JSON text is parsed; anything unparsable is kept as the text it is). */
export function parseArguments(raw: unknown): unknown {
  if (typeof raw !== "string") return raw ?? {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/** The body with tools removed and tool history as text, plus the tool names and the instruction to append. */
export function renderEmulatedChatTools(body: WireBody, preamble: string): EmulatedToolsRendering {
  const changes: AdapterChange[] = [];
  const tools = functionTools(body["tools"]);
  const toolChoice = body["tool_choice"];
  const { tools: _tools, tool_choice: _choice, parallel_tool_calls: _parallel, ...rest } = body;
  for (const key of ["tools", "tool_choice", "parallel_tool_calls"]) if (key in body) changes.push({ path: key, action: "removed", detail: "tools emulated by prompt" });

  const names = new Map<string, string>();
  const messages = Array.isArray(body["messages"]) ? (body["messages"] as unknown[]) : [];
  const rendered = messages.map((message, position) => {
    if (!isRecord(message)) return message;
    if (message["role"] === "assistant" && Array.isArray(message["tool_calls"]) && message["tool_calls"].length > 0) {
      const calls = (message["tool_calls"] as unknown[]).flatMap((call) => {
        if (!isRecord(call) || !isRecord(call["function"])) return [];
        const name = String(call["function"]["name"]);
        if (typeof call["id"] === "string") names.set(call["id"], name);
        return [{ name, arguments: parseArguments(call["function"]["arguments"]) }];
      });
      const text = contentText(message["content"]);
      const { tool_calls: _calls, ...kept } = message;
      changes.push({ path: `messages[${position}].tool_calls`, action: "moved", detail: "to content as emulated tool-call JSON" });
      return { ...kept, content: [text, JSON.stringify({ tool_calls: calls })].filter((part) => part !== "").join("\n\n") };
    }
    if (message["role"] === "tool") {
      const id = typeof message["tool_call_id"] === "string" ? message["tool_call_id"] : "";
      const name = names.get(id) ?? (typeof message["name"] === "string" ? message["name"] : "tool");
      changes.push({ path: `messages[${position}]`, action: "set", detail: "tool result as a user message" });
      return { role: "user", content: toolResultText(name, id, contentText(message["content"])) };
    }
    return message;
  });
  const choice = chatToolChoice(toolChoice);
  const instruction = tools.length === 0 || choice.kind === "none" ? undefined : toolEmulationInstruction(tools, choice, preamble);
  return { body: { ...rest, ...(Array.isArray(body["messages"]) ? { messages: rendered } : {}) }, changes, warnings: [], toolNames: tools.map((tool) => tool.name), instruction };
}
