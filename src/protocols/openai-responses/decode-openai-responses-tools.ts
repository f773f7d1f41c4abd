import {
  flattenToolName,
  invalidRequest,
  type CustomTool,
  type FunctionTool,
  type ToolChoice,
  type UnifiedTool,
  type UnifiedWarning,
} from "../../unified/index.js";
import {
  describeJsonType,
  expectArray,
  expectObject,
  isWireObject,
  joinPath,
  optionalBoolean,
  optionalString,
  requiredString,
  type WireObject,
} from "../common/index.js";
import { collectLeftovers, makeResponsesExtensions } from "./convert-openai-responses-extensions.js";
import { responsesProtocol, type ResponsesWireShape } from "./types.js";

const functionConsumed = new Set(["type", "name", "description", "parameters", "strict"]);
const customConsumed = new Set(["type", "name", "description", "format"]);
const namespaceConsumed = new Set(["type", "name", "tools"]);

/**
 * Decodes a `tools` list (top-level, or the `tools` of an `additional_tools` input item) into `out`.
 * `function` and `custom` become unified tools; a `namespace` (Codex) becomes its member tools with `namespace`
 * set; every other type (web_search, tool_search, file_search, mcp…) is a NativeTool carried verbatim.
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-tools
 */
export function decodeResponsesTools(tools: unknown[], path: string, out: UnifiedTool[], fromAdditionalTools: boolean): void {
  tools.forEach((value, index) => {
    const toolPath = joinPath(path, index);
    const tool = expectObject(value, toolPath);
    const type = requiredString(tool, "type", toolPath);
    switch (type) {
      case "function":
        out.push(decodeFunctionTool(tool, toolPath, undefined, fromAdditionalTools));
        return;
      case "custom":
        out.push(decodeCustomTool(tool, toolPath, undefined, fromAdditionalTools));
        return;
      case "namespace":
        decodeNamespace(tool, toolPath, out, fromAdditionalTools);
        return;
      default:
        // Hosted tools of an additional_tools item have no unified meaning and already travel inside that item.
        if (!fromAdditionalTools) out.push({ type: "native", protocol: responsesProtocol, name: type, value: tool });
    }
  });
}

interface NamespaceContext {
  name: string;
  /** Set on the first member only: the namespace object's other fields (its description…), marking a new group. */
  fields?: WireObject;
}

function decodeNamespace(tool: WireObject, path: string, out: UnifiedTool[], fromAdditionalTools: boolean): void {
  const name = requiredString(tool, "name", path);
  const members = expectArray(tool["tools"], joinPath(path, "tools"));
  const decodable = members.length > 0 && members.every((member) => isWireObject(member) && (member["type"] === "function" || member["type"] === "custom"));
  if (!decodable) {
    // Hosted tools inside a namespace, or an empty namespace, have no unified form: keep the whole group verbatim.
    if (!fromAdditionalTools) out.push({ type: "native", protocol: responsesProtocol, name: "namespace", value: tool });
    return;
  }
  const fields = collectLeftovers(tool, namespaceConsumed) ?? {};
  members.forEach((member, index) => {
    const memberPath = joinPath(joinPath(path, "tools"), index);
    const record = member as WireObject;
    const context: NamespaceContext = index === 0 ? { name, fields } : { name };
    out.push(
      record["type"] === "function"
        ? decodeFunctionTool(record, memberPath, context, fromAdditionalTools)
        : decodeCustomTool(record, memberPath, context, fromAdditionalTools),
    );
  });
}

function decodeFunctionTool(tool: WireObject, path: string, namespace: NamespaceContext | undefined, fromAdditionalTools: boolean): FunctionTool {
  const shape: ResponsesWireShape = {};
  const rawParameters = tool["parameters"];
  let parameters: Record<string, unknown>;
  if (rawParameters === undefined || rawParameters === null) {
    // The unified tool always has a schema; remember that the wire had none so it is not invented on replay.
    parameters = { type: "object", properties: {} };
    shape.parametersAbsent = true;
  } else {
    parameters = expectObject(rawParameters, joinPath(path, "parameters"));
  }
  const decoded: FunctionTool = { type: "function", name: requiredString(tool, "name", path), parameters };
  const description = optionalString(tool, "description", path);
  if (description !== undefined) decoded.description = description;
  const strict = optionalBoolean(tool, "strict", path);
  if (strict !== undefined) decoded.strict = strict;
  if (namespace !== undefined) {
    decoded.namespace = namespace.name;
    if (namespace.fields !== undefined) shape.namespaceFields = namespace.fields;
  }
  if (fromAdditionalTools) shape.additionalTools = true;
  const extensions = makeResponsesExtensions(collectLeftovers(tool, functionConsumed), shape);
  if (extensions !== undefined) decoded.extensions = extensions;
  return decoded;
}

function decodeCustomTool(tool: WireObject, path: string, namespace: NamespaceContext | undefined, fromAdditionalTools: boolean): CustomTool {
  const shape: ResponsesWireShape = {};
  const name = requiredString(tool, "name", path);
  // CustomTool has no namespace field: the name is flattened like a namespaced function's, the namespace recorded.
  const decoded: CustomTool = { type: "custom", name: flattenToolName(name, namespace?.name) };
  const description = optionalString(tool, "description", path);
  if (description !== undefined) decoded.description = description;
  if (tool["format"] !== undefined && tool["format"] !== null) decoded.format = tool["format"];
  if (namespace !== undefined) {
    shape.namespace = namespace.name;
    if (namespace.fields !== undefined) shape.namespaceFields = namespace.fields;
  }
  if (fromAdditionalTools) shape.additionalTools = true;
  const extensions = makeResponsesExtensions(collectLeftovers(tool, customConsumed), shape);
  if (extensions !== undefined) decoded.extensions = extensions;
  return decoded;
}

/** A decoded `tool_choice`: the unified choice (when one fits) and the object form as sent (kept for replay). */
export interface DecodedToolChoice {
  toolChoice?: ToolChoice;
  raw?: unknown;
}

/**
 * Decodes `tool_choice`: `auto` / `none` / `required`, `{type:"function"|"custom", name}`, `{type:"allowed_tools",
 * mode, tools}`, hosted forms (`{type:"web_search_preview"}`, `{type:"mcp", …}`…).
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-tool_choice
 */
export function decodeResponsesToolChoice(value: unknown, path: string, warnings: UnifiedWarning[]): DecodedToolChoice {
  if (typeof value === "string") {
    if (value === "auto" || value === "none" || value === "required") return { toolChoice: { type: value } };
    warnings.push({ code: "tool-choice-approximated", message: `unknown tool_choice "${value}" kept only for Responses`, path });
    return { raw: value };
  }
  if (!isWireObject(value)) throw invalidRequest(path, `expected a string or an object, got ${describeJsonType(value)}`);
  const type = requiredString(value, "type", path);
  switch (type) {
    case "function":
    case "custom": {
      const name = requiredString(value, "name", path);
      const namespace = optionalString(value, "namespace", path);
      return { toolChoice: { type: "tool", name: flattenToolName(name, namespace) }, raw: value };
    }
    case "allowed_tools": {
      // The subset restriction has no unified form: other protocols see only the mode.
      warnings.push({ code: "tool-choice-approximated", message: "allowed_tools becomes its mode outside Responses", path });
      return { toolChoice: { type: value["mode"] === "required" ? "required" : "auto" }, raw: value };
    }
    default:
      // Forcing a hosted tool (web search, file search, MCP…): other protocols cannot force it, so they see `auto`.
      warnings.push({ code: "tool-choice-approximated", message: `tool_choice "${type}" becomes auto outside Responses`, path });
      return { raw: value };
  }
}
