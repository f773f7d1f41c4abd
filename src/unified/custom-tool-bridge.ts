import type { CustomTool, FunctionTool } from "./unified-request.js";

/**
 * Codex's freeform (`custom`) tools and namespaced tools cross to protocols without them as plain function tools:
 * a custom tool becomes a function with one string parameter `input` (the grammar goes in the description), a
 * namespaced tool becomes `namespace__name`. The client-facing encoder maps calls back using the client's own
 * request, so both directions are lossless for the client.
 */
export const customToolInputParameter = "input";
const namespaceSeparator = "__";

/** A custom tool as a function tool taking `{ input: string }`. */
export function customToolAsFunctionTool(tool: CustomTool): FunctionTool {
  const grammar = describeCustomFormat(tool.format);
  const description = [tool.description, grammar].filter((text) => text !== undefined && text !== "").join("\n\n");
  return {
    type: "function",
    name: tool.name,
    ...(description === "" ? {} : { description }),
    parameters: {
      type: "object",
      properties: { [customToolInputParameter]: { type: "string", description: "The raw input for this tool." } },
      required: [customToolInputParameter],
      additionalProperties: false,
    },
  };
}

function describeCustomFormat(format: unknown): string | undefined {
  if (typeof format !== "object" || format === null) return undefined;
  const record = format as Record<string, unknown>;
  if (typeof record["definition"] === "string") {
    const syntax = typeof record["syntax"] === "string" ? record["syntax"] : "grammar";
    return `Input must follow this ${syntax} grammar:\n${record["definition"]}`;
  }
  return undefined;
}

/** The function-call arguments that carry a custom tool's raw input. */
export function customInputToArguments(input: string): string {
  return JSON.stringify({ [customToolInputParameter]: input });
}

/** The raw input back from function-call arguments (the whole text when they are not the expected shape). */
export function argumentsToCustomInput(argumentsText: string): string {
  try {
    const parsed = JSON.parse(argumentsText) as unknown;
    if (typeof parsed === "object" && parsed !== null && typeof (parsed as Record<string, unknown>)[customToolInputParameter] === "string") {
      return (parsed as Record<string, string>)[customToolInputParameter] ?? "";
    }
  } catch {
    // Truncated or non-JSON arguments: hand the text over unchanged rather than lose it.
  }
  return argumentsText;
}

/** `namespace__name` for a namespaced tool; the plain name otherwise. */
export function flattenToolName(name: string, namespace?: string): string {
  return namespace === undefined ? name : `${namespace}${namespaceSeparator}${name}`;
}

/** Splits a flattened name given the namespaces the client declared. */
export function splitFlattenedToolName(flatName: string, namespaces: ReadonlySet<string>): { name: string; namespace?: string } {
  const at = flatName.indexOf(namespaceSeparator);
  if (at > 0) {
    const namespace = flatName.slice(0, at);
    if (namespaces.has(namespace)) return { namespace, name: flatName.slice(at + namespaceSeparator.length) };
  }
  return { name: flatName };
}
