import {
  customToolAsFunctionTool,
  flattenToolName,
  type FunctionTool,
  type ToolChoice,
  type UnifiedRequest,
} from "../../unified/index.js";
import { isWireObject, type WireObject } from "../common/index.js";
import { prepareJsonSchemaForGemini } from "./convert-gemini-schema.js";
import { ownGeminiRecord, warnCacheControlDropped, warnOnce, writeGeminiWireFields, type GeminiPartEncoding } from "./encode-gemini-parts.js";
import { geminiMarkers as marker, geminiProtocol } from "./types.js";

/**
 * Unified tools → Gemini `tools[]`. Function tools from other protocols are declared with `parametersJsonSchema`
 * (full JSON Schema: unions, `additionalProperties`, type arrays and `$ref` work there, while the OpenAPI-subset
 * `parameters` field rejects them), with only the root adjusted (see prepareJsonSchemaForGemini); tools decoded
 * from Gemini go back in the field and shape they came in (Gemini CLI needs its parametersJsonSchema unchanged).
 * Custom (freeform) tools become functions taking `{input}`; namespaced tools get flattened names; provider tools
 * of other protocols are dropped with a warning.
 * @see https://ai.google.dev/api/caching#Tool
 */
export function encodeGeminiTools(request: UnifiedRequest, encoding: GeminiPartEncoding): WireObject[] | undefined {
  const tools = request.tools;
  if (tools === undefined) return undefined;
  const sameProtocol = request.sourceProtocol === geminiProtocol;
  const entries: WireObject[] = [];
  const groups = new Map<unknown, unknown[]>();
  const declare = (tool: FunctionTool, name: string): void => {
    const record = ownGeminiRecord(tool.extensions);
    const group = record?.[marker.toolGroup] ?? "all";
    let declarations = groups.get(group);
    if (declarations === undefined) {
      declarations = [];
      groups.set(group, declarations);
      entries.push({ [encoding.writer.name("functionDeclarations")]: declarations });
    }
    declarations.push(encodeDeclaration(tool, name, sameProtocol, encoding));
  };
  tools.forEach((tool, at) => {
    switch (tool.type) {
      case "function":
        declare(tool, flattenToolName(tool.name, tool.namespace));
        return;
      case "custom":
        // The grammar travels in the description only: Gemini cannot constrain the input to it.
        warnOnce(encoding, "custom-tool-as-function", "freeform tools became functions taking {input}; the grammar is not enforced", `tools[${at}]`);
        declare(customToolAsFunctionTool(tool), tool.name);
        return;
      case "native":
        if (tool.protocol === geminiProtocol && isWireObject(tool.value)) entries.push(tool.value);
        else warnOnce(encoding, "native-tool-dropped", `the ${tool.protocol} tool "${tool.name}" has no Gemini equivalent`, `tools[${at}]`);
        return;
      default: {
        const unreachable: never = tool;
        throw new Error(`unknown tool ${JSON.stringify(unreachable)}`);
      }
    }
  });
  return entries;
}

function encodeDeclaration(
  tool: FunctionTool,
  name: string,
  sameProtocol: boolean,
  encoding: GeminiPartEncoding,
): WireObject {
  const record = ownGeminiRecord(tool.extensions);
  const declaration: WireObject = {};
  writeGeminiWireFields(declaration, record);
  declaration["name"] = name;
  if (tool.description !== undefined) declaration["description"] = tool.description;
  if (record?.[marker.noParameters] !== true) {
    const original = record?.[marker.originalSchema];
    if (record?.[marker.schemaField] === "parameters") {
      declaration["parameters"] = original ?? tool.parameters;
    } else {
      declaration[encoding.writer.name("parametersJsonSchema")] =
        original ?? (sameProtocol ? tool.parameters : prepareJsonSchemaForGemini(tool.parameters, true));
    }
  }
  // Gemini validates calls against the schema in every mode; there is no per-tool strict switch to carry.
  if (tool.cacheControl !== undefined) warnCacheControlDropped(encoding);
  return declaration;
}

/**
 * Tool choice → toolConfig.functionCallingConfig: auto → AUTO, none → NONE, required → ANY, a named tool → ANY with
 * that one allowed name. Values only Gemini has (VALIDATED, several allowed names) come back from the markers.
 * Gemini has no switch for parallel calls, so `parallel_tool_calls: false` cannot be honoured.
 * @see https://ai.google.dev/api/caching#FunctionCallingConfig
 */
export function encodeGeminiToolConfig(
  request: UnifiedRequest,
  record: Record<string, unknown> | undefined,
  encoding: GeminiPartEncoding,
): WireObject | undefined {
  if (request.parallelToolCalls === false) {
    warnOnce(encoding, "parallel-tool-calls-unsupported", "Gemini cannot be told to avoid parallel function calls");
  }
  const keptToolConfig = record?.[marker.toolConfig] as Record<string, unknown> | undefined;
  const keptFunctionCalling = record?.[marker.functionCallingConfig] as Record<string, unknown> | undefined;
  const choice = request.toolChoice;
  if (choice === undefined && keptToolConfig === undefined) return undefined;
  const toolConfig: WireObject = {};
  writeGeminiWireFields(toolConfig, keptToolConfig);
  if (choice === undefined && keptFunctionCalling === undefined) return toolConfig;
  const functionCalling: WireObject = choice === undefined ? {} : encodeChoice(choice, request, encoding);
  writeGeminiWireFields(functionCalling, keptFunctionCalling);
  toolConfig[encoding.writer.name("functionCallingConfig")] = functionCalling;
  return toolConfig;
}

function encodeChoice(choice: ToolChoice, request: UnifiedRequest, encoding: GeminiPartEncoding): WireObject {
  switch (choice.type) {
    case "auto":
      return { mode: "AUTO" };
    case "none":
      return { mode: "NONE" };
    case "required":
      return { mode: "ANY" };
    case "tool": {
      const tool = request.tools?.find((candidate) => candidate.type === "function" && candidate.name === choice.name);
      const name = tool?.type === "function" ? flattenToolName(tool.name, tool.namespace) : choice.name;
      return { mode: "ANY", [encoding.writer.name("allowedFunctionNames")]: [name] };
    }
    default: {
      const unreachable: never = choice;
      throw new Error(`unknown tool choice ${JSON.stringify(unreachable)}`);
    }
  }
}
