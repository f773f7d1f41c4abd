import { type FunctionTool, type NativeTool, type ToolChoice, type UnifiedTool } from "../../unified/index.js";
import {
  collectUnknownFields,
  expectArray,
  expectObject,
  expectString,
  joinPath,
  optionalString,
  type WireObject,
} from "../common/index.js";
import { convertGeminiSchemaToJsonSchema } from "./convert-gemini-schema.js";
import { bothSpellings, type GeminiFieldReader } from "./map-gemini-field-name.js";
import { geminiMarkers as marker, geminiProtocol } from "./types.js";

const toolKeys = bothSpellings(["functionDeclarations"]);
const declarationKeys = bothSpellings(["name", "description", "parameters", "parametersJsonSchema"]);
const toolConfigKeys = bothSpellings(["functionCallingConfig"]);
const functionCallingKeys = bothSpellings(["mode", "allowedFunctionNames"]);

/**
 * `tools[]`: each entry holds functionDeclarations and/or one provider tool (googleSearch, codeExecution,
 * urlContext, fileSearch…). Declarations become function tools; everything else in an entry becomes one native
 * tool carried verbatim.
 * @see https://ai.google.dev/api/caching#Tool
 */
export function decodeGeminiTools(value: unknown, reader: GeminiFieldReader): UnifiedTool[] {
  const entries = expectArray(value, "tools");
  let declarationGroups = 0;
  for (const entry of entries) {
    if (typeof entry === "object" && entry !== null && reader.read(entry as WireObject, "functionDeclarations") !== undefined) declarationGroups += 1;
  }
  const tools: UnifiedTool[] = [];
  entries.forEach((entry, at) => {
    const path = joinPath("tools", at);
    const tool = expectObject(entry, path);
    const declarations = reader.read(tool, "functionDeclarations");
    if (declarations !== undefined) {
      const declarationsPath = joinPath(path, reader.wireKey(tool, "functionDeclarations"));
      expectArray(declarations, declarationsPath).forEach((declaration, index) => {
        tools.push(decodeDeclaration(declaration, joinPath(declarationsPath, index), reader, declarationGroups > 1 ? at : undefined));
      });
    }
    const rest = collectUnknownFields(tool, toolKeys);
    if (rest !== undefined || declarations === undefined) {
      const native: NativeTool = { type: "native", protocol: geminiProtocol, name: Object.keys(rest ?? {})[0] ?? "", value: rest ?? {} };
      tools.push(native);
    }
  });
  return tools;
}

/**
 * One FunctionDeclaration. `parametersJsonSchema` (JSON Schema, what Gemini CLI sends) is taken as is;
 * `parameters` (OpenAPI subset) is converted to JSON Schema in a copy, the original kept for the same protocol.
 * @see https://ai.google.dev/api/caching#FunctionDeclaration
 */
function decodeDeclaration(value: unknown, path: string, reader: GeminiFieldReader, group: number | undefined): FunctionTool {
  const declaration = expectObject(value, path);
  const name = expectString(declaration["name"], joinPath(path, "name"));
  const description = optionalString(declaration, "description", path);
  const markers: Record<string, unknown> = collectUnknownFields(declaration, declarationKeys) ?? {};
  const jsonSchema = reader.read(declaration, "parametersJsonSchema");
  const openApiSchema = declaration["parameters"];
  let source: WireObject | undefined;
  if (jsonSchema !== undefined && jsonSchema !== null) {
    source = expectObject(jsonSchema, joinPath(path, reader.wireKey(declaration, "parametersJsonSchema")));
    // Both fields are mutually exclusive on the wire; if a client sent both anyway, the second rides along.
    if (openApiSchema !== undefined) markers["parameters"] = openApiSchema;
  } else if (openApiSchema !== undefined && openApiSchema !== null) {
    source = expectObject(openApiSchema, joinPath(path, "parameters"));
    markers[marker.schemaField] = "parameters";
  }
  let parameters: Record<string, unknown>;
  if (source === undefined) {
    parameters = { type: "object", properties: {} };
    markers[marker.noParameters] = true;
  } else {
    parameters = convertGeminiSchemaToJsonSchema(source) as Record<string, unknown>;
    if (parameters !== source) markers[marker.originalSchema] = source;
  }
  if (group !== undefined) markers[marker.toolGroup] = group;
  const tool: FunctionTool = { type: "function", name, parameters };
  if (description !== undefined) tool.description = description;
  if (Object.keys(markers).length > 0) tool.extensions = { [geminiProtocol]: markers };
  return tool;
}

/** toolConfig → tool choice, plus what has no neutral meaning (kept for the same protocol). */
export interface DecodedGeminiToolConfig {
  toolChoice?: ToolChoice;
  markers: Record<string, unknown>;
}

/**
 * functionCallingConfig.mode: AUTO ↔ auto, NONE ↔ none, ANY ↔ required, ANY with one allowed name ↔ that tool.
 * VALIDATED (calls or text, schema-checked) reads as auto and several allowed names as required; the exact values
 * stay in the markers, so only other protocols lose the narrowing.
 * @see https://ai.google.dev/api/caching#FunctionCallingConfig
 */
export function decodeGeminiToolConfig(value: unknown, reader: GeminiFieldReader): DecodedGeminiToolConfig {
  const toolConfig = expectObject(value, "toolConfig");
  const markers: Record<string, unknown> = { [marker.toolConfig]: collectUnknownFields(toolConfig, toolConfigKeys) ?? {} };
  const config = reader.read(toolConfig, "functionCallingConfig");
  if (config === undefined || config === null) return { markers };
  const configPath = joinPath("toolConfig", reader.wireKey(toolConfig, "functionCallingConfig"));
  const functionCalling = expectObject(config, configPath);
  const kept: Record<string, unknown> = collectUnknownFields(functionCalling, functionCallingKeys) ?? {};
  markers[marker.functionCallingConfig] = kept;
  const mode = optionalString(functionCalling, "mode", configPath);
  const namesKey = reader.wireKey(functionCalling, "allowedFunctionNames");
  const namesValue = reader.read(functionCalling, "allowedFunctionNames");
  const names =
    namesValue === undefined || namesValue === null
      ? undefined
      : expectArray(namesValue, joinPath(configPath, namesKey)).map((name, at) => expectString(name, joinPath(joinPath(configPath, namesKey), at)));
  let toolChoice: ToolChoice | undefined;
  switch (mode) {
    case "AUTO":
      toolChoice = { type: "auto" };
      break;
    case "NONE":
      toolChoice = { type: "none" };
      break;
    case "ANY":
      if (names?.length === 1 && names[0] !== undefined) return { toolChoice: { type: "tool", name: names[0] }, markers };
      toolChoice = { type: "required" };
      break;
    case "VALIDATED":
      toolChoice = { type: "auto" };
      kept["mode"] = mode;
      break;
    default:
      if (mode !== undefined) kept["mode"] = mode;
      break;
  }
  if (names !== undefined) kept[namesKey] = namesValue;
  return toolChoice === undefined ? { markers } : { toolChoice, markers };
}
