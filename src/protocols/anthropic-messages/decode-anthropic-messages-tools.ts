import { invalidRequest, type FunctionTool, type ToolChoice, type UnifiedTool } from "../../unified/index.js";
import {
  describeJsonType,
  expectArray,
  expectObject,
  joinPath,
  optionalBoolean,
  optionalString,
  requiredString,
  type WireObject,
} from "../common/index.js";
import { collectExtraFields, toExtensions } from "./convert-anthropic-messages-extensions.js";
import { decodeAnthropicMessagesCacheControl } from "./decode-anthropic-messages-content.js";
import { anthropicMessagesProtocol, shapeKeys } from "./types.js";

const customToolFields = new Set(["type", "name", "description", "input_schema", "cache_control", "strict"]);
const toolChoiceFields = new Set(["type", "name", "disable_parallel_tool_use"]);

/**
 * `tools`: custom tools (no `type`, or `type: "custom"`) become function tools with their input schema as written
 * (`$schema`, `additionalProperties`, `defer_loading`, `input_examples`… kept); every other `type` is a server or
 * Anthropic-defined tool (web_search_20250305, bash_20250124, text_editor_…, tool_search_…) kept verbatim as a
 * NativeTool, including types released after this code.
 * @see https://docs.claude.com/en/docs/agents-and-tools/tool-use/implement-tool-use
 */
export function decodeAnthropicMessagesTools(value: unknown, path: string): UnifiedTool[] {
  const list = expectArray(value, path);
  const tools: UnifiedTool[] = new Array<UnifiedTool>(list.length);
  for (let index = 0; index < list.length; index++) tools[index] = decodeTool(list[index], joinPath(path, index));
  return tools;
}

function decodeTool(value: unknown, path: string): UnifiedTool {
  const tool = expectObject(value, path);
  const type = tool["type"];
  if (type !== undefined && type !== null && type !== "custom") {
    if (typeof type !== "string") throw invalidRequest(joinPath(path, "type"), `expected a string, got ${describeJsonType(type)}`);
    const name = tool["name"];
    return { type: "native", protocol: anthropicMessagesProtocol, name: typeof name === "string" ? name : type, value: tool };
  }
  const name = requiredString(tool, "name", path);
  const schemaPath = joinPath(path, "input_schema");
  if (tool["input_schema"] === undefined || tool["input_schema"] === null) throw invalidRequest(schemaPath, "is required");
  const functionTool: FunctionTool = { type: "function", name, parameters: expectObject(tool["input_schema"], schemaPath) };
  const description = optionalString(tool, "description", path);
  if (description !== undefined) functionTool.description = description;
  const strict = optionalBoolean(tool, "strict", path);
  if (strict !== undefined) functionTool.strict = strict;
  let extra = collectExtraFields(tool, customToolFields);
  const cacheControl = tool["cache_control"];
  if (cacheControl !== undefined && cacheControl !== null) {
    const decoded = decodeAnthropicMessagesCacheControl(cacheControl, joinPath(path, "cache_control"));
    if (decoded === undefined) (extra ??= {})["cache_control"] = cacheControl;
    else functionTool.cacheControl = decoded;
  }
  if (type === "custom") (extra ??= {})[shapeKeys.typeCustom] = true;
  const extensions = toExtensions(extra);
  if (extensions !== undefined) functionTool.extensions = extensions;
  return functionTool;
}

/**
 * `tool_choice` → unified choice plus `parallelToolCalls` (the inverse of `disable_parallel_tool_use`, set only
 * when the client wrote it).
 * @see https://docs.claude.com/en/docs/agents-and-tools/tool-use/implement-tool-use#forcing-tool-use
 */
export function decodeAnthropicMessagesToolChoice(
  value: unknown,
  path: string,
): { toolChoice: ToolChoice; parallelToolCalls?: boolean; extra?: Record<string, unknown> } {
  const choice: WireObject = expectObject(value, path);
  const type = requiredString(choice, "type", path);
  let toolChoice: ToolChoice;
  switch (type) {
    case "auto":
      toolChoice = { type: "auto" };
      break;
    case "any":
      toolChoice = { type: "required" };
      break;
    case "none":
      toolChoice = { type: "none" };
      break;
    case "tool":
      toolChoice = { type: "tool", name: requiredString(choice, "name", path) };
      break;
    default:
      throw invalidRequest(joinPath(path, "type"), `unknown tool_choice type "${type}" (expected auto, any, tool or none)`);
  }
  const result: { toolChoice: ToolChoice; parallelToolCalls?: boolean; extra?: Record<string, unknown> } = { toolChoice };
  const disableParallel = optionalBoolean(choice, "disable_parallel_tool_use", path);
  if (disableParallel !== undefined) result.parallelToolCalls = !disableParallel;
  const extra = collectExtraFields(choice, toolChoiceFields);
  if (extra !== undefined) result.extra = extra;
  return result;
}
