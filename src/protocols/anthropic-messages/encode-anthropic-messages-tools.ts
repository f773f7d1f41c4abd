import {
  customToolAsFunctionTool,
  flattenToolName,
  type FunctionTool,
  type ToolChoice,
  type UnifiedTool,
  type UnifiedWarning,
} from "../../unified/index.js";
import { isWireObject, type WireObject } from "../common/index.js";
import { ownExtensions, spreadExtraFields } from "./convert-anthropic-messages-extensions.js";
import { writeCacheControl } from "./encode-anthropic-messages-content.js";
import { anthropicMessagesProtocol, shapeKeys } from "./types.js";

/**
 * Unified tools → Anthropic `tools`. Function tools become custom tools (namespaced ones flattened to
 * `namespace__name`), Codex freeform tools cross as functions taking `{input}`, Anthropic-native tools go back
 * verbatim and other protocols' native tools are dropped with a warning.
 * @see https://docs.claude.com/en/docs/agents-and-tools/tool-use/implement-tool-use
 */
export function encodeAnthropicMessagesTools(tools: readonly UnifiedTool[], warnings: UnifiedWarning[]): WireObject[] {
  const encoded: WireObject[] = [];
  tools.forEach((tool, index) => {
    const path = `tools[${index}]`;
    switch (tool.type) {
      case "function":
        encoded.push(encodeFunctionTool(tool, path, warnings));
        return;
      case "custom":
        encoded.push(encodeFunctionTool(customToolAsFunctionTool(tool), path, warnings));
        return;
      case "native":
        if (tool.protocol === anthropicMessagesProtocol && isWireObject(tool.value)) encoded.push(tool.value);
        else warnings.push({ code: "native-tool-dropped", message: `the ${tool.protocol} tool "${tool.name}" has no Anthropic equivalent`, path });
        return;
      default: {
        const unreachable: never = tool;
        return unreachable;
      }
    }
  });
  return encoded;
}

function encodeFunctionTool(tool: FunctionTool, path: string, warnings: UnifiedWarning[]): WireObject {
  const extensions = ownExtensions(tool.extensions);
  const wire: WireObject = {};
  spreadExtraFields(wire, extensions);
  if (extensions?.[shapeKeys.typeCustom] === true) wire["type"] = "custom";
  wire["name"] = flattenToolName(tool.name, tool.namespace);
  if (tool.description !== undefined) wire["description"] = tool.description;
  wire["input_schema"] = objectInputSchema(tool.parameters, `${path}.input_schema`, warnings);
  if (tool.strict !== undefined) wire["strict"] = tool.strict;
  writeCacheControl(wire, tool.cacheControl);
  return wire;
}

/**
 * Anthropic requires `input_schema` to be an object schema. A schema without `type` gets `type: "object"`; a
 * non-object root is wrapped as the single property `value` (the model's arguments then arrive wrapped too).
 * Only the schema node changes, never history arguments.
 */
function objectInputSchema(schema: Record<string, unknown>, path: string, warnings: UnifiedWarning[]): Record<string, unknown> {
  const type = schema["type"];
  if (type === "object") return schema;
  if (type === undefined) {
    warnings.push({ code: "tool-schema-adjusted", message: 'input_schema had no type; sent with type "object"', path });
    return { type: "object", ...schema };
  }
  warnings.push({ code: "tool-schema-wrapped", message: "Anthropic input schemas must be objects; the schema was wrapped as property \"value\"", path });
  return { type: "object", properties: { value: schema }, required: ["value"] };
}

/**
 * Unified tool choice + parallel flag → Anthropic `tool_choice`. Anthropic rejects forced tool use (`any`, `tool`)
 * while extended thinking is on, so a forced choice degrades to `auto` with a warning.
 * @see https://docs.claude.com/en/docs/build-with-claude/extended-thinking#extended-thinking-with-tool-use
 */
export function encodeAnthropicMessagesToolChoice(
  toolChoice: ToolChoice | undefined,
  parallelToolCalls: boolean | undefined,
  options: { thinkingOn: boolean; hasTools: boolean; extra: Record<string, unknown> | undefined },
  warnings: UnifiedWarning[],
): WireObject | undefined {
  if (toolChoice === undefined && (parallelToolCalls === undefined || !options.hasTools)) return undefined;
  const wire: WireObject = {};
  spreadExtraFields(wire, options.extra);
  let choice: ToolChoice = toolChoice ?? { type: "auto" };
  if (options.thinkingOn && (choice.type === "required" || choice.type === "tool")) {
    warnings.push({
      code: "tool-choice-degraded",
      message: `Anthropic does not allow forced tool use with thinking; tool_choice ${choice.type === "tool" ? `"${choice.name}"` : '"any"'} was sent as "auto"`,
      path: "tool_choice",
    });
    choice = { type: "auto" };
  }
  switch (choice.type) {
    case "auto":
      wire["type"] = "auto";
      break;
    case "none":
      wire["type"] = "none";
      break;
    case "required":
      wire["type"] = "any";
      break;
    case "tool":
      wire["type"] = "tool";
      wire["name"] = choice.name;
      break;
    default: {
      const unreachable: never = choice;
      return unreachable;
    }
  }
  // `none` takes no parallel flag; the others carry the inverse of parallel_tool_calls.
  if (parallelToolCalls !== undefined && choice.type !== "none") wire["disable_parallel_tool_use"] = !parallelToolCalls;
  return wire;
}
