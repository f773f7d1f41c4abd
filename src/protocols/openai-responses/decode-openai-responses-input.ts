import {
  invalidRequest,
  type ContentPart,
  type MessageRole,
  type UnifiedMessage,
  type UnifiedTool,
} from "../../unified/index.js";
import { expectArray, expectObject, joinPath, optionalString, type WireObject } from "../common/index.js";
import { makeResponsesExtensions } from "./convert-openai-responses-extensions.js";
import { decodeResponsesTools } from "./decode-openai-responses-tools.js";
import {
  decodeResponsesAssistantMessage,
  decodeResponsesMessageContent,
  decodeResponsesReasoningItem,
  decodeResponsesToolCallItem,
  decodeResponsesToolOutputItem,
  nativeItemPart,
  readMessageItemFacts,
} from "./decode-openai-responses-items.js";

const messageRoles = new Set(["user", "assistant", "system", "developer"]);

/**
 * Decodes the `input` item list into unified messages.
 *
 * Responses is item-grained where the other protocols are turn-grained, so consecutive assistant-side items
 * (assistant messages, reasoning, function/custom calls, hosted `*_call` items) merge into one assistant message and
 * consecutive tool outputs into one tool message; item ids and fields stay on each part. User, system and developer
 * messages map one to one and keep their position. Unknown item types are kept verbatim as NativeParts, never
 * rejected (clients add new ones every release).
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-input
 */
export function decodeResponsesInput(input: unknown[], path: string, tools: UnifiedTool[]): UnifiedMessage[] {
  const messages: UnifiedMessage[] = [];
  let assistant: UnifiedMessage | undefined;
  let toolOutputs: UnifiedMessage | undefined;

  const pushAssistant = (parts: ContentPart[]): void => {
    toolOutputs = undefined;
    if (assistant === undefined) {
      assistant = { role: "assistant", content: [] };
      messages.push(assistant);
    }
    for (const part of parts) assistant.content.push(part);
  };
  const pushToolOutput = (part: ContentPart): void => {
    assistant = undefined;
    if (toolOutputs === undefined) {
      toolOutputs = { role: "tool", content: [] };
      messages.push(toolOutputs);
    }
    toolOutputs.content.push(part);
  };
  const pushStandalone = (message: UnifiedMessage): void => {
    assistant = undefined;
    toolOutputs = undefined;
    messages.push(message);
  };

  for (let index = 0; index < input.length; index++) {
    const itemPath = joinPath(path, index);
    const item = expectObject(input[index], itemPath);
    const type = optionalString(item, "type", itemPath);
    if (type === undefined || type === "message") {
      if (item["role"] === undefined && type === undefined) throw invalidRequest(joinPath(itemPath, "type"), "is required");
      const role = readRole(item, itemPath);
      if (role === "assistant") pushAssistant(decodeResponsesAssistantMessage(item, itemPath, true));
      else pushStandalone(decodeStandaloneMessage(item, itemPath, role));
      continue;
    }
    switch (type) {
      case "function_call":
        pushAssistant([decodeResponsesToolCallItem(item, itemPath, "function")]);
        break;
      case "custom_tool_call":
        pushAssistant([decodeResponsesToolCallItem(item, itemPath, "custom")]);
        break;
      case "reasoning":
        pushAssistant([decodeResponsesReasoningItem(item, itemPath)]);
        break;
      case "function_call_output":
        pushToolOutput(decodeResponsesToolOutputItem(item, itemPath, "function"));
        break;
      case "custom_tool_call_output":
        pushToolOutput(decodeResponsesToolOutputItem(item, itemPath, "custom"));
        break;
      case "additional_tools":
        // Codex declares tools inside the conversation. They join the unified tool list (so other protocols offer
        // them); the item itself stays in place verbatim and the Responses encoder does not repeat them at the top.
        decodeResponsesTools(expectArray(item["tools"], joinPath(itemPath, "tools")), joinPath(itemPath, "tools"), tools, true);
        pushStandalone({ role: roleOfNativeItem(item, "developer"), content: [nativeItemPart(item)] });
        break;
      default:
        // Hosted-tool calls and their outputs sit in the turn they belong to; anything else stands alone.
        if (type.endsWith("_call")) pushAssistant([nativeItemPart(item)]);
        else if (type.endsWith("_output")) pushToolOutput(nativeItemPart(item));
        else pushStandalone({ role: roleOfNativeItem(item, "user"), content: [nativeItemPart(item)] });
    }
  }
  return messages;
}

function readRole(item: WireObject, path: string): "user" | "assistant" | "system" | "developer" {
  const role = item["role"];
  if (typeof role !== "string" || !messageRoles.has(role)) {
    throw invalidRequest(joinPath(path, "role"), `expected one of user, assistant, system, developer, got ${JSON.stringify(role) ?? "nothing"}`);
  }
  return role as "user" | "assistant" | "system" | "developer";
}

function roleOfNativeItem(item: WireObject, fallback: MessageRole): MessageRole {
  const role = item["role"];
  return typeof role === "string" && messageRoles.has(role) ? (role as MessageRole) : fallback;
}

function decodeStandaloneMessage(item: WireObject, path: string, role: MessageRole): UnifiedMessage {
  const content = decodeResponsesMessageContent(item, path, "input_text", true) ?? [];
  const message: UnifiedMessage = { role, content };
  const facts = readMessageItemFacts(item);
  let leftovers = facts.leftovers;
  const id = leftovers?.["id"];
  if (typeof id === "string") {
    message.id = id;
    delete leftovers?.["id"];
    if (leftovers !== undefined && Object.keys(leftovers).length === 0) leftovers = undefined;
  }
  const extensions = makeResponsesExtensions(leftovers, facts.shape);
  if (extensions !== undefined) message.extensions = extensions;
  return message;
}
