import {
  flattenToolName,
  type CustomTool,
  type FunctionTool,
  type ToolCallKind,
  type ToolChoice,
  type UnifiedTool,
  type UnifiedWarning,
} from "../../unified/index.js";
import type { WireObject } from "../common/index.js";
import { readWireShape, spreadWireFields } from "./convert-openai-responses-extensions.js";
import { decodeResponsesToolChoice } from "./decode-openai-responses-tools.js";
import { responsesProtocol } from "./types.js";

/**
 * Encodes unified tools as a Responses `tools` list: function and custom tools, namespaced members regrouped into
 * `{type:"namespace", tools:[…]}` objects, our own native tools verbatim. Native tools of other protocols are
 * dropped with a warning.
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-tools
 */
export function encodeResponsesTools(tools: readonly UnifiedTool[], warnings: UnifiedWarning[]): WireObject[] {
  const out: WireObject[] = [];
  let group: { name: string; tools: WireObject[] } | undefined;
  tools.forEach((tool, index) => {
    if (tool.type === "native") {
      group = undefined;
      if (tool.protocol === responsesProtocol) out.push(tool.value as WireObject);
      else warnings.push({ code: "native-tool-dropped", message: `${tool.protocol} tool "${tool.name}" has no Responses form`, path: `tools[${index}]` });
      return;
    }
    const shape = readWireShape(tool.extensions);
    const namespace = tool.type === "function" ? tool.namespace : shape?.namespace;
    const encoded = tool.type === "function" ? encodeFunctionTool(tool) : encodeCustomTool(tool, namespace);
    if (namespace === undefined) {
      group = undefined;
      out.push(encoded);
      return;
    }
    // A member recorded as the start of a namespace object opens a new group; others join a running one.
    if (group === undefined || group.name !== namespace || shape?.namespaceFields !== undefined) {
      group = { name: namespace, tools: [] };
      out.push({ ...shape?.namespaceFields, type: "namespace", name: namespace, tools: group.tools });
    }
    group.tools.push(encoded);
  });
  return out;
}

function encodeFunctionTool(tool: FunctionTool): WireObject {
  const out: WireObject = {};
  spreadWireFields(out, tool.extensions);
  out["type"] = "function";
  out["name"] = tool.name;
  if (tool.description !== undefined) out["description"] = tool.description;
  if (readWireShape(tool.extensions)?.parametersAbsent !== true) out["parameters"] = tool.parameters;
  if (tool.strict !== undefined) out["strict"] = tool.strict;
  return out;
}

function encodeCustomTool(tool: CustomTool, namespace: string | undefined): WireObject {
  const out: WireObject = {};
  spreadWireFields(out, tool.extensions);
  out["type"] = "custom";
  out["name"] = stripNamespace(tool.name, namespace);
  if (tool.description !== undefined) out["description"] = tool.description;
  if (tool.format !== undefined) out["format"] = tool.format;
  return out;
}

/** How a unified tool name is spelled on the Responses wire. */
export interface ResponsesToolName {
  name: string;
  namespace?: string;
  kind: ToolCallKind;
}

/**
 * Unified (flattened) tool names → wire name, namespace and call kind, from the client's declared tools. Encoders
 * use it to turn calls that crossed another protocol as plain functions back into custom or namespaced calls.
 */
export function indexResponsesToolNames(tools: readonly UnifiedTool[] | undefined): Map<string, ResponsesToolName> {
  const index = new Map<string, ResponsesToolName>();
  if (tools === undefined) return index;
  for (const tool of tools) {
    if (tool.type === "function") {
      const entry: ResponsesToolName = { name: tool.name, kind: "function" };
      if (tool.namespace !== undefined) entry.namespace = tool.namespace;
      index.set(flattenToolName(tool.name, tool.namespace), entry);
    } else if (tool.type === "custom") {
      const namespace = readWireShape(tool.extensions)?.namespace;
      const entry: ResponsesToolName = { name: stripNamespace(tool.name, namespace), kind: "custom" };
      if (namespace !== undefined) entry.namespace = namespace;
      index.set(tool.name, entry);
    }
  }
  return index;
}

/** `tool_choice` on the wire: the object form as the client sent it while it still says the same thing. */
export function encodeResponsesToolChoice(choice: ToolChoice | undefined, raw: unknown, toolNames: ReadonlyMap<string, ResponsesToolName>): unknown {
  if (raw !== undefined) {
    const recorded = rawToolChoice(raw);
    if (recorded !== "malformed" && sameToolChoice(recorded, choice)) return raw;
  }
  if (choice === undefined) return undefined;
  switch (choice.type) {
    case "auto":
    case "none":
    case "required":
      return choice.type;
    case "tool": {
      const known = toolNames.get(choice.name);
      // tool_choice names a tool by its own name (no namespace field in the documented forms).
      if (known === undefined) return { type: "function", name: choice.name };
      return { type: known.kind, name: known.name };
    }
    default: {
      const unreachable: never = choice;
      return unreachable;
    }
  }
}

function rawToolChoice(raw: unknown): ToolChoice | undefined | "malformed" {
  try {
    return decodeResponsesToolChoice(raw, "tool_choice", []).toolChoice;
  } catch {
    // A malformed recorded value is never replayed.
    return "malformed";
  }
}

function sameToolChoice(a: ToolChoice | undefined, b: ToolChoice | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.type !== b.type) return false;
  return a.type !== "tool" || (b.type === "tool" && a.name === b.name);
}

function stripNamespace(name: string, namespace: string | undefined): string {
  if (namespace === undefined) return name;
  const prefix = flattenToolName("", namespace);
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}
