import { createHash } from "node:crypto";

/**
 * The demo provider's "model": a deterministic function of an OpenAI Chat request. It echoes the last user message,
 * calls a tool when tools are offered and the user asks for weather or a call (or tool_choice forces one), and
 * reports a tool result back as text. Same request in, same reply out — tests and first-run users can rely on it.
 */

/** One tool call the demo decided to make. */
export interface DemoToolCall {
  id: string;
  name: string;
  /** JSON text, as OpenAI sends it. */
  arguments: string;
}

/** What the demo answers. */
export type DemoReply = { kind: "text"; text: string } | { kind: "tool-calls"; calls: DemoToolCall[] };

/** A reply plus deterministic token counts (about four characters per token). */
export interface DemoCompletion {
  reply: DemoReply;
  promptTokens: number;
  completionTokens: number;
}

type WireObject = Record<string, unknown>;

interface DemoTool {
  name: string;
  parameters: unknown;
}

const toolRequestPattern = /\b(weather|call)/i;
const placePattern = /\b(?:in|for|at)\s+(\p{Lu}[\p{L}'-]*(?:\s+\p{Lu}[\p{L}'-]*)*)/u;

/** Generates the demo's answer to an OpenAI Chat request body (already checked to have a `messages` array). */
export function generateDemoCompletion(request: WireObject, messages: readonly unknown[]): DemoCompletion {
  const model = typeof request.model === "string" ? request.model : "demo";
  const reply = decideReply(model, messages, request);
  const promptCharacters = messages.reduce<number>((total, message) => total + messageText(message).length, 0);
  const completionCharacters =
    reply.kind === "text" ? reply.text.length : reply.calls.reduce((total, call) => total + call.name.length + call.arguments.length, 0);
  return {
    reply,
    promptTokens: Math.max(1, Math.ceil(promptCharacters / 4)),
    completionTokens: Math.max(1, Math.ceil(completionCharacters / 4)),
  };
}

function decideReply(model: string, messages: readonly unknown[], request: WireObject): DemoReply {
  const last = messages.at(-1);
  if (isWireObject(last) && last.role === "tool") {
    const name = toolNameForResult(messages, last.tool_call_id) ?? "tool";
    return { kind: "text", text: `The ${name} tool returned: ${truncate(messageText(last), 200)}` };
  }
  const userText = isWireObject(last) && last.role === "user" ? messageText(last) : "";
  const tools = readTools(request.tools);
  const choice = request.tool_choice;
  const forcedName = isWireObject(choice) && isWireObject(choice.function) && typeof choice.function.name === "string" ? choice.function.name : undefined;
  const forced = choice === "required" || forcedName !== undefined;
  if (tools.length > 0 && choice !== "none" && userText !== "" && (forced || toolRequestPattern.test(userText))) {
    const tool = pickTool(tools, userText, forcedName);
    const argumentsText = JSON.stringify(demoArguments(tool.parameters, userText));
    const id = `call_${createHash("sha256").update(`${messages.length}\n${tool.name}\n${argumentsText}\n${userText}`).digest("hex").slice(0, 24)}`;
    return { kind: "tool-calls", calls: [{ id, name: tool.name, arguments: argumentsText }] };
  }
  const echo = userText === "" ? "(nothing)" : `"${truncate(userText.replace(/\s+/g, " ").trim(), 120)}"`;
  return {
    kind: "text",
    text: `This is the Switchyard demo provider answering as ${model}. You said: ${echo}. Set a provider key in .env (see .env.example) to reach a real model.`,
  };
}

function readTools(value: unknown): DemoTool[] {
  if (!Array.isArray(value)) return [];
  const tools: DemoTool[] = [];
  for (const tool of value) {
    if (!isWireObject(tool) || !isWireObject(tool.function) || typeof tool.function.name !== "string") continue;
    tools.push({ name: tool.function.name, parameters: tool.function.parameters });
  }
  return tools;
}

function pickTool(tools: readonly DemoTool[], userText: string, forcedName: string | undefined): DemoTool {
  const first = tools[0] as DemoTool;
  if (forcedName !== undefined) return tools.find((tool) => tool.name === forcedName) ?? first;
  const lowered = userText.toLowerCase();
  const named = tools.find((tool) => lowered.includes(tool.name.toLowerCase()));
  if (named !== undefined) return named;
  if (lowered.includes("weather")) return tools.find((tool) => tool.name.toLowerCase().includes("weather")) ?? first;
  return first;
}

/** Arguments that satisfy the common shapes of a JSON Schema: required properties (or all), by type. */
function demoArguments(parameters: unknown, userText: string): Record<string, unknown> {
  const argumentsObject: Record<string, unknown> = {};
  if (!isWireObject(parameters) || !isWireObject(parameters.properties)) return argumentsObject;
  const properties = parameters.properties;
  const required = Array.isArray(parameters.required) ? parameters.required.filter((name): name is string => typeof name === "string") : [];
  for (const name of required.length > 0 ? required : Object.keys(properties)) {
    argumentsObject[name] = demoValue(name, properties[name], userText);
  }
  return argumentsObject;
}

function demoValue(name: string, schema: unknown, userText: string): unknown {
  if (isWireObject(schema) && Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const declaredType = isWireObject(schema) ? schema.type : undefined;
  const type = Array.isArray(declaredType) ? declaredType.find((entry) => entry !== "null") : declaredType;
  switch (type) {
    case "number":
    case "integer":
      return 1;
    case "boolean":
      return true;
    case "array":
      return [];
    case "object":
      return {};
    default:
      if (/location|city|place|where/i.test(name)) return placePattern.exec(userText)?.[1] ?? "San Francisco";
      return truncate(userText, 60);
  }
}

function toolNameForResult(messages: readonly unknown[], toolCallId: unknown): string | undefined {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (!isWireObject(message) || !Array.isArray(message.tool_calls)) continue;
    for (const call of message.tool_calls) {
      if (isWireObject(call) && call.id === toolCallId && isWireObject(call.function) && typeof call.function.name === "string") {
        return call.function.name;
      }
    }
  }
  return undefined;
}

/** A message's text: a string, or the text parts of an array joined by newlines. */
function messageText(message: unknown): string {
  if (!isWireObject(message)) return "";
  const { content } = message;
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) => (isWireObject(part) && typeof part.text === "string" ? part.text : ""))
    .filter((text) => text !== "")
    .join("\n");
}

function truncate(text: string, length: number): string {
  const characters = [...text];
  return characters.length <= length ? text : `${characters.slice(0, length - 1).join("")}…`;
}

function isWireObject(value: unknown): value is WireObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
