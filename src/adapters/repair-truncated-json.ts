/**
 * Recovery of tool-call arguments cut off mid-JSON (a model hit its token limit, or an upstream such as MiniMax
 * dropped the tail of a stream). Ported from the agent-framework seed's `_repair_truncated_tool_arguments`: close
 * open strings and brackets; when that does not parse, drop up to `maxTrim` trailing characters one at a time and
 * retry, which loses a half-written last key rather than inventing a value for it.
 */

const maxTrim = 256;

/** Closes an unterminated string and every open `{`/`[` after removing a dangling `,`, `:` or opener. */
export function closeTruncatedJson(fragment: string): string {
  let text = fragment.trimEnd();
  while (text !== "" && ",:{[".includes(text[text.length - 1] as string)) text = text.slice(0, -1).trimEnd();
  const stack: string[] = [];
  let inString = false;
  let escaped = false;
  for (const character of text) {
    if (inString) {
      if (escaped) escaped = false;
      else if (character === "\\") escaped = true;
      else if (character === '"') inString = false;
      continue;
    }
    if (character === '"') inString = true;
    else if (character === "{" || character === "[") stack.push(character);
    else if ((character === "}" && stack.at(-1) === "{") || (character === "]" && stack.at(-1) === "[")) stack.pop();
  }
  if (inString) text = `${escaped ? text.slice(0, -1) : text}"`;
  for (const opener of stack.reverse()) text += opener === "{" ? "}" : "]";
  return text;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The outcome of checking one arguments string. */
export type ToolArgumentsRepair =
  | { status: "valid" }
  | { status: "repaired"; text: string }
  | { status: "unrepairable" };

/**
 * Whether `raw` is a JSON object already, can be made one by closing it, or cannot. Empty arguments count as valid
 * (`{}` is what every codec reads them as).
 */
export function repairToolArguments(raw: string): ToolArgumentsRepair {
  const stripped = raw.trim();
  if (stripped === "" || parseObject(stripped) !== undefined) return { status: "valid" };
  if (!stripped.startsWith("{")) return { status: "unrepairable" };
  for (let trim = 0; trim <= Math.min(stripped.length, maxTrim); trim += 1) {
    const candidate = stripped.slice(0, stripped.length - trim).trimEnd();
    if (candidate === "") break;
    const closed = closeTruncatedJson(candidate);
    const parsed = parseObject(closed);
    if (parsed !== undefined) return { status: "repaired", text: JSON.stringify(parsed) };
  }
  return { status: "unrepairable" };
}
