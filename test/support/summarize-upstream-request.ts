import type { ProtocolId } from "../../src/unified/index.js";
import type { RecordedRequest } from "./record-mock-request.js";

/**
 * One conversation item of a provider request, read from its wire shape without the gateway's codecs, so end-to-end
 * tests can compare what reached each provider protocol in one neutral form.
 */
export type UpstreamItem =
  | { type: "system"; text: string }
  | { type: "text"; role: "user" | "assistant"; text: string }
  | { type: "reasoning"; text: string; signature?: string }
  | { type: "tool-call"; id?: string; name: string; arguments: unknown; signature?: string }
  | { type: "tool-result"; id?: string; name?: string; output: unknown };

/** A provider request in neutral form. */
export interface UpstreamSummary {
  /** From the body, or from the URL for Gemini. */
  model: string | undefined;
  stream: boolean;
  items: UpstreamItem[];
  /** Declared function tools: name and JSON Schema. */
  tools: Array<{ name: string; parameters: unknown }>;
}

type Wire = Record<string, unknown>;

function isWire(value: unknown): value is Wire {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function list(value: unknown): Wire[] {
  return Array.isArray(value) ? value.filter(isWire) : [];
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** Text parts of a content value (a string, or text / input_text / output_text parts) joined. */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  return list(content)
    .filter((part) => typeof part["text"] === "string")
    .map((part) => text(part["text"]))
    .join("");
}

function parseArguments(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

function withOptional<T extends object>(item: T, key: string, value: unknown): T {
  return value === undefined || value === "" ? item : { ...item, [key]: value };
}

function summarizeOpenAiChat(body: Wire): UpstreamItem[] {
  const items: UpstreamItem[] = [];
  for (const message of list(body["messages"])) {
    const role = message["role"];
    if (role === "system" || role === "developer") items.push({ type: "system", text: contentText(message["content"]) });
    else if (role === "tool") items.push({ type: "tool-result", id: text(message["tool_call_id"]), output: message["content"] });
    else if (role === "user" || role === "assistant") {
      const reasoning = message["reasoning_content"];
      if (typeof reasoning === "string" && reasoning !== "") items.push({ type: "reasoning", text: reasoning });
      const content = contentText(message["content"]);
      if (content !== "") items.push({ type: "text", role, text: content });
      for (const call of list(message["tool_calls"])) {
        const fn = isWire(call["function"]) ? call["function"] : {};
        items.push({ type: "tool-call", id: text(call["id"]), name: text(fn["name"]), arguments: parseArguments(fn["arguments"]) });
      }
    }
  }
  return items;
}

function summarizeOpenAiResponses(body: Wire): UpstreamItem[] {
  const items: UpstreamItem[] = [];
  if (typeof body["instructions"] === "string") items.push({ type: "system", text: body["instructions"] });
  const input = body["input"];
  if (typeof input === "string") return [...items, { type: "text", role: "user", text: input }];
  for (const item of list(input)) {
    const type = item["type"] ?? "message";
    if (type === "message") {
      const role = item["role"];
      const content = contentText(item["content"]);
      if (role === "system" || role === "developer") items.push({ type: "system", text: content });
      else if (role === "user" || role === "assistant") items.push({ type: "text", role, text: content });
    } else if (type === "function_call") {
      items.push({ type: "tool-call", id: text(item["call_id"]), name: text(item["name"]), arguments: parseArguments(item["arguments"]) });
    } else if (type === "function_call_output") {
      items.push({ type: "tool-result", id: text(item["call_id"]), output: item["output"] });
    } else if (type === "reasoning") {
      const summary = list(item["summary"]).map((part) => text(part["text"])).join("");
      items.push(withOptional({ type: "reasoning", text: summary }, "signature", item["encrypted_content"]));
    }
  }
  return items;
}

function summarizeAnthropicMessages(body: Wire): UpstreamItem[] {
  const items: UpstreamItem[] = [];
  const system = body["system"];
  if (system !== undefined) items.push({ type: "system", text: contentText(system) });
  for (const message of list(body["messages"])) {
    const role = message["role"] === "assistant" ? "assistant" : "user";
    const content = message["content"];
    if (typeof content === "string") {
      items.push({ type: "text", role, text: content });
      continue;
    }
    for (const block of list(content)) {
      switch (block["type"]) {
        case "text":
          items.push({ type: "text", role, text: text(block["text"]) });
          break;
        case "thinking":
          items.push(withOptional({ type: "reasoning", text: text(block["thinking"]) }, "signature", block["signature"]));
          break;
        case "tool_use":
          items.push({ type: "tool-call", id: text(block["id"]), name: text(block["name"]), arguments: block["input"] });
          break;
        case "tool_result": {
          const result = block["content"];
          items.push({ type: "tool-result", id: text(block["tool_use_id"]), output: typeof result === "string" ? result : contentText(result) });
          break;
        }
        default:
          break;
      }
    }
  }
  return items;
}

function summarizeGemini(body: Wire): UpstreamItem[] {
  const items: UpstreamItem[] = [];
  const system = body["systemInstruction"] ?? body["system_instruction"];
  if (isWire(system)) items.push({ type: "system", text: contentText(system["parts"]) });
  for (const content of list(body["contents"])) {
    const role = content["role"] === "model" ? "assistant" : "user";
    for (const part of list(content["parts"])) {
      const signature = part["thoughtSignature"];
      if (isWire(part["functionCall"])) {
        const call = part["functionCall"];
        const item = withOptional({ type: "tool-call" as const, name: text(call["name"]), arguments: call["args"] }, "id", call["id"]);
        items.push(withOptional(item, "signature", signature));
      } else if (isWire(part["functionResponse"])) {
        const response = part["functionResponse"];
        items.push(withOptional({ type: "tool-result", name: text(response["name"]), output: response["response"] }, "id", response["id"]));
      } else if (part["thought"] === true) {
        items.push(withOptional({ type: "reasoning", text: text(part["text"]) }, "signature", signature));
      } else if (typeof part["text"] === "string" && (part["text"] !== "" || signature === undefined)) {
        items.push({ type: "text", role, text: part["text"] });
      } else if (typeof signature === "string") {
        items.push({ type: "reasoning", text: "", signature });
      }
    }
  }
  return items;
}

function summarizeTools(protocol: ProtocolId, body: Wire): UpstreamSummary["tools"] {
  switch (protocol) {
    case "openai-chat":
      return list(body["tools"]).map((tool) => {
        const fn = isWire(tool["function"]) ? tool["function"] : {};
        return { name: text(fn["name"]), parameters: fn["parameters"] };
      });
    case "openai-responses":
      return list(body["tools"]).map((tool) => ({ name: text(tool["name"]), parameters: tool["parameters"] }));
    case "anthropic-messages":
      return list(body["tools"]).map((tool) => ({ name: text(tool["name"]), parameters: tool["input_schema"] }));
    case "gemini":
      return list(body["tools"]).flatMap((tool) =>
        list(tool["functionDeclarations"]).map((declaration) => ({
          name: text(declaration["name"]),
          parameters: declaration["parametersJsonSchema"] ?? declaration["parameters"],
        })),
      );
    default: {
      const unreachable: never = protocol;
      return unreachable;
    }
  }
}

/** Reads a recorded provider request (its protocol from the mock's route) into neutral form. */
export function summarizeUpstreamRequest(request: RecordedRequest): UpstreamSummary {
  const protocol = request.route.protocol;
  const body = isWire(request.json) ? request.json : {};
  if (protocol === undefined) return { model: undefined, stream: false, items: [], tools: [] };
  const items = {
    "openai-chat": summarizeOpenAiChat,
    "openai-responses": summarizeOpenAiResponses,
    "anthropic-messages": summarizeAnthropicMessages,
    gemini: summarizeGemini,
  }[protocol](body);
  return { model: request.route.model, stream: request.route.stream, items, tools: summarizeTools(protocol, body) };
}
