import { invalidRequest, type FunctionTool, type ToolChoice, type UnifiedTool } from "../../unified/index.js";
import {
  collectUnknownFields,
  expectArray,
  expectObject,
  isWireObject,
  joinPath,
  optionalBoolean,
  optionalObject,
  optionalString,
  requiredString,
  type WireObject,
} from "../common/index.js";
import { convertToChatExtensions } from "./convert-openai-chat-extensions.js";
import { chatMarkers, openAiChatProtocol } from "./types.js";

const knownToolFields = new Set(["type", "function", "custom"]);
const knownFunctionFields = new Set(["name", "description", "parameters", "strict"]);
const knownCustomFields = new Set(["name", "description", "format"]);

/**
 * `tools` → unified tools: `function` (JSON Schema parameters), `custom` (freeform input with an optional grammar
 * `format`, kept verbatim), and any other type as a native tool carried verbatim for a Chat target.
 * @see https://platform.openai.com/docs/api-reference/chat/create#chat-create-tools
 */
export function decodeOpenAiChatTools(value: unknown, path: string): UnifiedTool[] {
  const array = expectArray(value, path);
  return array.map((item, index) => decodeTool(item, joinPath(path, index)));
}

function decodeTool(value: unknown, path: string): UnifiedTool {
  const tool = expectObject(value, path);
  const type = requiredString(tool, "type", path);
  if (type === "function") {
    const decoded = decodeFunctionDefinition(expectObject(tool["function"], joinPath(path, "function")), joinPath(path, "function"));
    return withToolExtensions(decoded, collectUnknownFields(tool, knownToolFields));
  }
  if (type === "custom") {
    const innerPath = joinPath(path, "custom");
    const inner = expectObject(tool["custom"], innerPath);
    const decoded: UnifiedTool = { type: "custom", name: requiredString(inner, "name", innerPath) };
    const description = optionalString(inner, "description", innerPath);
    if (description !== undefined) decoded.description = description;
    if (inner["format"] !== undefined) decoded.format = inner["format"];
    const innerUnknown = collectUnknownFields(inner, knownCustomFields);
    const extensions = convertToChatExtensions(
      collectUnknownFields(tool, knownToolFields),
      innerUnknown === undefined ? undefined : { [chatMarkers.innerFields]: innerUnknown },
    );
    if (extensions !== undefined) decoded.extensions = extensions;
    return decoded;
  }
  // Provider-native tool types (none are documented for Chat today, but compatible servers add them).
  return { type: "native", protocol: openAiChatProtocol, name: type, value: tool };
}

/** A function definition (`tools[].function` or a legacy `functions[]` entry) → FunctionTool. */
export function decodeFunctionDefinition(definition: WireObject, path: string): FunctionTool {
  const decoded: FunctionTool = { type: "function", name: requiredString(definition, "name", path), parameters: {} };
  const description = optionalString(definition, "description", path);
  if (description !== undefined) decoded.description = description;
  let markers: Record<string, unknown> | undefined;
  const parameters = optionalObject(definition, "parameters", path);
  if (parameters === undefined) markers = { [chatMarkers.parametersAbsent]: true };
  else decoded.parameters = parameters;
  const strict = optionalBoolean(definition, "strict", path);
  if (strict !== undefined) decoded.strict = strict;
  // A null description/parameters/strict is kept verbatim among the inner fields.
  const innerUnknown = collectUnknownFields(definition, knownFunctionFields);
  const nulls = collectNulls(definition, ["description", "parameters", "strict"]);
  const inner = innerUnknown === undefined && nulls === undefined ? undefined : { ...innerUnknown, ...nulls };
  if (inner !== undefined) markers = { ...markers, [chatMarkers.innerFields]: inner };
  const extensions = convertToChatExtensions(undefined, markers);
  if (extensions !== undefined) decoded.extensions = extensions;
  return decoded;
}

function collectNulls(object: WireObject, keys: readonly string[]): WireObject | undefined {
  let nulls: WireObject | undefined;
  for (const key of keys) {
    if (object[key] === null) (nulls ??= {})[key] = null;
  }
  return nulls;
}

function withToolExtensions(tool: FunctionTool, unknown: Record<string, unknown> | undefined): FunctionTool {
  if (unknown === undefined) return tool;
  const own = tool.extensions?.[openAiChatProtocol];
  tool.extensions = { [openAiChatProtocol]: own === undefined ? unknown : { ...unknown, ...own } };
  return tool;
}

/** The result of reading `tool_choice`: the unified choice, and the wire value when it had no exact unified form. */
export interface DecodedChatToolChoice {
  choice?: ToolChoice;
  raw?: unknown;
}

/**
 * `tool_choice` → unified. `auto` / `none` / `required` and a named function or custom tool map exactly; other forms
 * (`allowed_tools`, values not yet known) are kept verbatim for a Chat target and approximated for others
 * (`allowed_tools` mode → auto / required).
 * @see https://platform.openai.com/docs/api-reference/chat/create#chat-create-tool_choice
 */
export function decodeOpenAiChatToolChoice(value: unknown, path: string): DecodedChatToolChoice {
  if (value === "auto" || value === "none" || value === "required") return { choice: { type: value } };
  if (isWireObject(value)) {
    const type = value["type"];
    if ((type === "function" || type === "custom") && Object.keys(value).length === 2) {
      const inner = value[type];
      if (isWireObject(inner) && typeof inner["name"] === "string" && Object.keys(inner).length === 1) {
        return { choice: { type: "tool", name: inner["name"] } };
      }
    }
    if (type === "allowed_tools") {
      const allowed = isWireObject(value["allowed_tools"]) ? value["allowed_tools"] : {};
      return { choice: { type: allowed["mode"] === "required" ? "required" : "auto" }, raw: value };
    }
    return { raw: value };
  }
  if (typeof value === "string") return { raw: value };
  throw invalidRequest(path, "expected a string or an object");
}

/** Legacy `function_call` ("none" | "auto" | {name}) → unified tool choice. */
export function decodeOpenAiChatLegacyFunctionCall(value: unknown, path: string): ToolChoice {
  if (value === "none" || value === "auto") return { type: value };
  const object = expectObject(value, path);
  return { type: "tool", name: requiredString(object, "name", path) };
}
