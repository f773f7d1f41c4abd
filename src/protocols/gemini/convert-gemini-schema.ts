/**
 * Schema dialects. Gemini has two: `parameters` / `responseSchema` take an OpenAPI 3.0 subset (upper-case type
 * names like "OBJECT", `nullable`), while `parametersJsonSchema` / `responseJsonSchema` take JSON Schema. Unified
 * tools carry JSON Schema, so the decoder converts the OpenAPI form (and upper-case type names, which Gemini CLI
 * also writes into responseJsonSchema) into a copy and keeps the original for the same-protocol encoder.
 *
 * Only schema nodes are walked and copied, and only when something changes: a schema that is already JSON Schema
 * comes back as the same object.
 * @see https://ai.google.dev/api/caching#Schema
 */

type SchemaNode = Record<string, unknown>;

function isNode(value: unknown): value is SchemaNode {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Keys whose value is one sub-schema. */
const singleSchemaKeys = ["items", "additionalProperties", "not"] as const;
/** Keys whose value is a list of sub-schemas. */
const listSchemaKeys = ["anyOf", "oneOf", "allOf", "prefixItems"] as const;
/** Keys whose value maps names to sub-schemas. */
const mapSchemaKeys = ["properties", "$defs", "definitions"] as const;

const openApiTypeNames: Readonly<Record<string, string>> = {
  STRING: "string",
  NUMBER: "number",
  INTEGER: "integer",
  BOOLEAN: "boolean",
  ARRAY: "array",
  OBJECT: "object",
  NULL: "null",
};

/**
 * Gemini schema (OpenAPI subset or JSON Schema with upper-case types) → JSON Schema: lower-case type names,
 * `nullable: true` → a `"null"` type alternative, `TYPE_UNSPECIFIED` dropped. Returns the input itself when nothing
 * needed converting.
 */
export function convertGeminiSchemaToJsonSchema(schema: unknown): unknown {
  if (!isNode(schema)) return schema;
  let copy: SchemaNode | undefined;
  const write = (key: string, value: unknown): void => {
    copy ??= { ...schema };
    if (value === undefined) delete copy[key];
    else copy[key] = value;
  };

  const type = schema["type"];
  let jsonType: unknown = type;
  if (typeof type === "string") {
    const lower = openApiTypeNames[type];
    if (lower !== undefined) jsonType = lower;
    else if (type === "TYPE_UNSPECIFIED") jsonType = undefined;
  }
  if (schema["nullable"] === true) {
    if (typeof jsonType === "string") jsonType = [jsonType, "null"];
    write("nullable", undefined);
  } else if (schema["nullable"] === false) {
    write("nullable", undefined);
  }
  if (jsonType !== type) write("type", jsonType);

  for (const key of singleSchemaKeys) {
    const child = schema[key];
    if (!isNode(child)) continue;
    const converted = convertGeminiSchemaToJsonSchema(child);
    if (converted !== child) write(key, converted);
  }
  for (const key of listSchemaKeys) {
    const list = schema[key];
    if (!Array.isArray(list)) continue;
    let changed: unknown[] | undefined;
    list.forEach((child, at) => {
      const converted = convertGeminiSchemaToJsonSchema(child);
      if (converted !== child) (changed ??= [...list])[at] = converted;
    });
    if (changed !== undefined) write(key, changed);
  }
  for (const key of mapSchemaKeys) {
    const map = schema[key];
    if (!isNode(map)) continue;
    let changed: SchemaNode | undefined;
    for (const name in map) {
      const child = map[name];
      const converted = convertGeminiSchemaToJsonSchema(child);
      if (converted !== child) (changed ??= { ...map })[name] = converted;
    }
    if (changed !== undefined) write(key, changed);
  }
  return copy ?? schema;
}

/**
 * A JSON Schema from another protocol, made fit for `parametersJsonSchema` / `responseJsonSchema`: these take full
 * JSON Schema (unions, `additionalProperties`, `$ref`/`$defs` and type arrays, which the OpenAPI-subset `parameters`
 * field rejects), so the only change is at the root: `$schema` is dropped (it is not in Gemini's supported keyword
 * list) and a schema without a type becomes an object schema, since function parameters must describe an object.
 * The root is copied shallowly; nested nodes and the caller's object are never modified.
 * @see https://ai.google.dev/api/caching#FunctionDeclaration
 */
export function prepareJsonSchemaForGemini(schema: Record<string, unknown>, requireObject: boolean): Record<string, unknown> {
  const needsType = requireObject && schema["type"] === undefined && schema["anyOf"] === undefined && schema["$ref"] === undefined;
  if (schema["$schema"] === undefined && !needsType) return schema;
  const { $schema: _dropped, ...rest } = schema;
  return needsType ? { type: "object", ...rest } : rest;
}
