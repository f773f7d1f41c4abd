import type { UnifiedWarning } from "../unified/index.js";
import type { AdapterChange, WireBody } from "./adapter.js";
import { parseArguments, toolEmulationInstruction, toolResultText, type EmulatedToolChoice, type EmulatedToolSpec, type EmulatedToolsRendering } from "./render-emulated-chat-tools.js";
import { contentText } from "./wire-instructions.js";

/**
 * The Anthropic Messages and Gemini requests of a model without native tools, as render-emulated-chat-tools.ts
 * does for Chat: the tool list and rules become instruction text (the same text for every protocol), earlier tool
 * calls become the JSON the model is told to write, and tool results become user text. Tools that are not plain
 * functions (Anthropic server tools, Gemini `googleSearch`…) cannot be described to a model as JSON to write, so
 * they are dropped with a warning rather than silently.
 */

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function without(record: Record<string, unknown>, keys: readonly string[]): { rest: Record<string, unknown>; removed: string[] } {
  const rest: Record<string, unknown> = {};
  const removed: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (keys.includes(key)) removed.push(key);
    else rest[key] = value;
  }
  return { rest, removed };
}

function droppedToolsWarning(count: number, path: string): UnifiedWarning[] {
  return count === 0 ? [] : [{ code: "tools-dropped", message: `${count} non-function tool(s) dropped: tools are emulated by prompt for this model`, path }];
}

function finish(
  body: WireBody,
  removedKeys: readonly string[],
  changes: AdapterChange[],
  warnings: UnifiedWarning[],
  tools: EmulatedToolSpec[],
  choice: EmulatedToolChoice,
  preamble: string,
): EmulatedToolsRendering {
  const removals = removedKeys.map((key): AdapterChange => ({ path: key, action: "removed", detail: "tools emulated by prompt" }));
  const instruction = tools.length === 0 || choice.kind === "none" ? undefined : toolEmulationInstruction(tools, choice, preamble);
  return { body, changes: [...removals, ...changes], warnings, toolNames: tools.map((tool) => tool.name), instruction };
}

/** Anthropic `tool_choice` as an emulated choice. */
function anthropicToolChoice(choice: unknown): EmulatedToolChoice {
  if (!isRecord(choice)) return { kind: "auto" };
  if (choice["type"] === "any") return { kind: "required" };
  if (choice["type"] === "none") return { kind: "none" };
  if (choice["type"] === "tool" && typeof choice["name"] === "string") return { kind: "forced", name: choice["name"] };
  return { kind: "auto" };
}

/** The body with Anthropic tools removed, `tool_use` blocks as emulated-call JSON and `tool_result` blocks as text. */
export function renderEmulatedAnthropicTools(body: WireBody, preamble: string): EmulatedToolsRendering {
  const tools: EmulatedToolSpec[] = [];
  let dropped = 0;
  for (const tool of Array.isArray(body["tools"]) ? (body["tools"] as unknown[]) : []) {
    // Client tools have an input schema and no type or `custom`; versioned types are Anthropic's server tools.
    if (!isRecord(tool) || typeof tool["name"] !== "string" || (tool["type"] !== undefined && tool["type"] !== "custom")) {
      dropped += 1;
      continue;
    }
    tools.push({ name: tool["name"], ...(tool["description"] === undefined ? {} : { description: tool["description"] }), ...(tool["input_schema"] === undefined ? {} : { parameters: tool["input_schema"] }) });
  }
  const { rest, removed } = without(body, ["tools", "tool_choice"]);
  const changes: AdapterChange[] = [];
  const names = new Map<string, string>();
  const messages = Array.isArray(body["messages"]) ? (body["messages"] as unknown[]) : undefined;
  const rendered = messages?.map((message, position) => {
    if (!isRecord(message) || !Array.isArray(message["content"])) return message;
    let touched = false;
    const content = (message["content"] as unknown[]).flatMap((block): unknown[] => {
      if (!isRecord(block)) return [block];
      if (block["type"] === "tool_use" && typeof block["name"] === "string") {
        touched = true;
        if (typeof block["id"] === "string") names.set(block["id"], block["name"]);
        return [{ type: "text", text: JSON.stringify({ tool_calls: [{ name: block["name"], arguments: parseArguments(block["input"]) }] }) }];
      }
      if (block["type"] === "tool_result") {
        touched = true;
        const id = typeof block["tool_use_id"] === "string" ? block["tool_use_id"] : "";
        return [{ type: "text", text: toolResultText(names.get(id) ?? "tool", id, contentText(block["content"]), block["is_error"] === true) }];
      }
      return [block];
    });
    if (!touched) return message;
    changes.push({ path: `messages[${position}].content`, action: "set", detail: "tool blocks as text" });
    return { ...message, content };
  });
  const next = rendered === undefined ? rest : { ...rest, messages: rendered };
  return finish(next, removed, changes, droppedToolsWarning(dropped, "tools"), tools, anthropicToolChoice(body["tool_choice"]), preamble);
}

/** Gemini's `toolConfig.functionCallingConfig` as an emulated choice. */
function geminiToolChoice(config: unknown): EmulatedToolChoice {
  const calling = isRecord(config) ? (config["functionCallingConfig"] ?? config["function_calling_config"]) : undefined;
  if (!isRecord(calling)) return { kind: "auto" };
  if (calling["mode"] === "NONE") return { kind: "none" };
  if (calling["mode"] !== "ANY") return { kind: "auto" };
  const allowed = calling["allowedFunctionNames"] ?? calling["allowed_function_names"];
  return Array.isArray(allowed) && allowed.length === 1 && typeof allowed[0] === "string" ? { kind: "forced", name: allowed[0] } : { kind: "required" };
}

/** A function response's payload as text: a lone `output` / `result` / `content` string as it is, else JSON. */
function functionResponseText(response: unknown): string {
  if (isRecord(response)) {
    const keys = Object.keys(response);
    const only = keys.length === 1 ? response[keys[0] as string] : undefined;
    if (typeof only === "string" && ["output", "result", "content"].includes(keys[0] as string)) return only;
  }
  return typeof response === "string" ? response : JSON.stringify(response ?? {});
}

/** The body with Gemini tools removed, `functionCall` parts as emulated-call JSON and `functionResponse` parts as text. */
export function renderEmulatedGeminiTools(body: WireBody, preamble: string): EmulatedToolsRendering {
  const tools: EmulatedToolSpec[] = [];
  let dropped = 0;
  for (const tool of Array.isArray(body["tools"]) ? (body["tools"] as unknown[]) : []) {
    const declarations = isRecord(tool) ? (tool["functionDeclarations"] ?? tool["function_declarations"]) : undefined;
    if (!Array.isArray(declarations)) {
      dropped += 1;
      continue;
    }
    for (const declaration of declarations as unknown[]) {
      if (!isRecord(declaration) || typeof declaration["name"] !== "string") continue;
      const parameters = declaration["parametersJsonSchema"] ?? declaration["parameters_json_schema"] ?? declaration["parameters"];
      tools.push({ name: declaration["name"], ...(declaration["description"] === undefined ? {} : { description: declaration["description"] }), ...(parameters === undefined ? {} : { parameters }) });
    }
  }
  const { rest, removed } = without(body, ["tools", "toolConfig", "tool_config"]);
  const changes: AdapterChange[] = [];
  const names = new Map<string, string>();
  const contents = Array.isArray(body["contents"]) ? (body["contents"] as unknown[]) : undefined;
  const rendered = contents?.map((content, position) => {
    if (!isRecord(content) || !Array.isArray(content["parts"])) return content;
    let results = false;
    let calls = false;
    const parts = (content["parts"] as unknown[]).map((part): unknown => {
      if (!isRecord(part)) return part;
      const call = part["functionCall"] ?? part["function_call"];
      if (isRecord(call) && typeof call["name"] === "string") {
        calls = true;
        if (typeof call["id"] === "string") names.set(call["id"], call["name"]);
        // The call's thoughtSignature belonged to the call, not to this text: it is not carried over.
        return { text: JSON.stringify({ tool_calls: [{ name: call["name"], arguments: call["args"] ?? {} }] }) };
      }
      const response = part["functionResponse"] ?? part["function_response"];
      if (isRecord(response)) {
        results = true;
        const id = typeof response["id"] === "string" ? response["id"] : "";
        const name = typeof response["name"] === "string" ? response["name"] : (names.get(id) ?? "tool");
        return { text: toolResultText(name, id, functionResponseText(response["response"])) };
      }
      return part;
    });
    if (!calls && !results) return content;
    changes.push({ path: `contents[${position}].parts`, action: "set", detail: "function calls and responses as text" });
    // Function responses travel in a `user` (or legacy `function`) turn; as text they are the user's.
    return { ...content, parts, ...(results ? { role: "user" } : {}) };
  });
  const next = rendered === undefined ? rest : { ...rest, contents: rendered };
  return finish(next, removed, changes, droppedToolsWarning(dropped, "tools"), tools, geminiToolChoice(body["toolConfig"] ?? body["tool_config"]), preamble);
}
