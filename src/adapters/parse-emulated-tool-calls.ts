/**
 * Reading tool calls out of a model's text, for models that were asked to call tools by prompt (tool-emulation).
 * Three spellings are seen in the wild: a JSON object (`{"tool_calls":[{"name","arguments"}]}`, `{"tool": …,
 * "arguments": …}`, `{"name": …, "arguments": …}`, or an array of those, possibly in a code fence); Liquid/LFM-style
 * special tokens `<|tool_call_start|>[name(arg="x")]<|tool_call_end|>` (JSON inside them works too); and a bare
 * Python-style call `name(arg="x", n=2)`. Only names of tools the request declared count, so an ordinary JSON answer
 * or a sentence that happens to contain parentheses is never turned into a call.
 */

/** One call read from text; `arguments` is a JSON object text. */
export interface EmulatedToolCall {
  name: string;
  arguments: string;
}

/** The calls found and the text left around them (trimmed; "" when the text was only calls). */
export interface ParsedToolCalls {
  calls: EmulatedToolCall[];
  text: string;
}

const callStart = "<|tool_call_start|>";
const callEnd = "<|tool_call_end|>";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A call object in any of the JSON spellings, or undefined. */
function callFromJson(value: unknown, known: ReadonlySet<string>): EmulatedToolCall | undefined {
  if (!isRecord(value)) return undefined;
  const inner = isRecord(value["function"]) ? value["function"] : value;
  const name = inner["name"] ?? inner["tool"] ?? inner["tool_name"];
  if (typeof name !== "string" || !known.has(name)) return undefined;
  const raw = inner["arguments"] ?? inner["args"] ?? inner["parameters"] ?? inner["input"] ?? {};
  const parsed = typeof raw === "string" ? parseJson(raw) : raw;
  if (!isRecord(parsed)) return undefined;
  return { name, arguments: JSON.stringify(parsed) };
}

/** Every call of a JSON value (`{"tool_calls":[…]}`, one call, or an array of calls); undefined unless all are calls. */
function callsFromJson(value: unknown, known: ReadonlySet<string>): EmulatedToolCall[] | undefined {
  const list = isRecord(value) && Array.isArray(value["tool_calls"]) ? (value["tool_calls"] as unknown[]) : Array.isArray(value) ? value : [value];
  if (list.length === 0) return undefined;
  const calls: EmulatedToolCall[] = [];
  for (const item of list) {
    const call = callFromJson(item, known);
    if (call === undefined) return undefined;
    calls.push(call);
  }
  return calls;
}

/** The text without a surrounding Markdown code fence. */
function stripFence(text: string): string {
  const fenced = /^```[a-zA-Z]*\s*\n?([\s\S]*?)\n?```$/.exec(text);
  return fenced?.[1]?.trim() ?? text;
}

/** A Python-style literal at `start`: its value and where it ends, or undefined. */
function readLiteral(text: string, start: number): { value: unknown; end: number } | undefined {
  const first = text[start];
  if (first === '"' || first === "'") {
    let value = "";
    for (let index = start + 1; index < text.length; index += 1) {
      const character = text[index] as string;
      if (character === "\\" && index + 1 < text.length) {
        const next = text[index + 1] as string;
        value += next === "n" ? "\n" : next === "t" ? "\t" : next;
        index += 1;
      } else if (character === first) return { value, end: index + 1 };
      else value += character;
    }
    return undefined;
  }
  if (first === "{" || first === "[") {
    // The shortest bracketed span that parses as JSON.
    for (let end = text.indexOf(first === "{" ? "}" : "]", start); end >= 0; end = text.indexOf(first === "{" ? "}" : "]", end + 1)) {
      const parsed = parseJson(text.slice(start, end + 1));
      if (parsed !== undefined) return { value: parsed, end: end + 1 };
    }
    return undefined;
  }
  const bare = /^[^,)\s]+/.exec(text.slice(start))?.[0];
  if (bare === undefined) return undefined;
  const words: Record<string, unknown> = { true: true, True: true, false: false, False: false, null: null, None: null };
  if (bare in words) return { value: words[bare], end: start + bare.length };
  const number = Number(bare);
  return Number.isFinite(number) ? { value: number, end: start + bare.length } : undefined;
}

/** `name(a="x", b=2), other(…)` (optionally in `[…]`): the calls, or undefined unless the whole text is calls. */
function parsePythonCalls(source: string, known: ReadonlySet<string>): EmulatedToolCall[] | undefined {
  let text = source.trim();
  if (text.startsWith("[") && text.endsWith("]")) text = text.slice(1, -1).trim();
  const calls: EmulatedToolCall[] = [];
  let index = 0;
  const skipSpace = (): void => {
    while (index < text.length && /\s/.test(text[index] as string)) index += 1;
  };
  while (index < text.length) {
    const name = /^[A-Za-z_][\w.-]*/.exec(text.slice(index))?.[0];
    if (name === undefined || !known.has(name)) return undefined;
    index += name.length;
    skipSpace();
    if (text[index] !== "(") return undefined;
    index += 1;
    const args: Record<string, unknown> = {};
    skipSpace();
    while (text[index] !== ")") {
      const key = /^[A-Za-z_]\w*/.exec(text.slice(index))?.[0];
      if (key === undefined) return undefined;
      index += key.length;
      skipSpace();
      if (text[index] !== "=" && text[index] !== ":") return undefined;
      index += 1;
      skipSpace();
      const literal = readLiteral(text, index);
      if (literal === undefined) return undefined;
      args[key] = literal.value;
      index = literal.end;
      skipSpace();
      if (text[index] === ",") {
        index += 1;
        skipSpace();
      } else if (text[index] !== ")") return undefined;
    }
    index += 1;
    calls.push({ name, arguments: JSON.stringify(args) });
    skipSpace();
    if (text[index] === ",") index += 1;
    skipSpace();
  }
  return calls.length === 0 ? undefined : calls;
}

/** Calls written between special tokens; the text outside them is kept. */
function parseSpecialTokens(text: string, known: ReadonlySet<string>): ParsedToolCalls | undefined {
  if (!text.includes(callStart)) return undefined;
  const calls: EmulatedToolCall[] = [];
  let rest = "";
  let cursor = 0;
  for (let start = text.indexOf(callStart); start >= 0; start = text.indexOf(callStart, cursor)) {
    const end = text.indexOf(callEnd, start);
    const inner = text.slice(start + callStart.length, end < 0 ? undefined : end).trim();
    const found = callsFromJson(parseJson(stripFence(inner)), known) ?? parsePythonCalls(inner, known);
    if (found === undefined) return undefined;
    calls.push(...found);
    rest += text.slice(cursor, start);
    cursor = end < 0 ? text.length : end + callEnd.length;
  }
  rest += text.slice(cursor);
  return { calls, text: rest.trim() };
}

/** The tool calls a text makes, or undefined when it is an ordinary answer. */
export function parseEmulatedToolCalls(text: string, toolNames: Iterable<string>): ParsedToolCalls | undefined {
  const known = new Set(toolNames);
  if (known.size === 0) return undefined;
  const tokens = parseSpecialTokens(text, known);
  if (tokens !== undefined) return tokens;
  const trimmed = stripFence(text.trim());
  const json = trimmed.startsWith("{") || trimmed.startsWith("[") ? callsFromJson(parseJson(trimmed), known) : undefined;
  if (json !== undefined) return { calls: json, text: "" };
  const python = parsePythonCalls(trimmed, known);
  return python === undefined ? trailingJsonCalls(text, known) : { calls: python, text: "" };
}

/** Most line starts tried for "prose, then the calls as JSON on their own lines". */
const maxTrailingCandidates = 16;

/** Calls written as JSON after some prose, starting on a new line (`Let me check.\n{"tool_calls":…}`). */
function trailingJsonCalls(text: string, known: ReadonlySet<string>): ParsedToolCalls | undefined {
  let tried = 0;
  for (let start = text.search(/\n\s*(\{|\[|```)/); start >= 0 && tried < maxTrailingCandidates; tried += 1) {
    const candidate = stripFence(text.slice(start).trim());
    const calls = callsFromJson(parseJson(candidate), known);
    if (calls !== undefined) return { calls, text: text.slice(0, start).trim() };
    const next = text.slice(start + 1).search(/\n\s*(\{|\[|```)/);
    start = next < 0 ? -1 : start + 1 + next;
  }
  return undefined;
}

/**
 * Whether more text could still turn `prefix` into a tool call: a JSON or fenced start, a special token under way,
 * or the beginning of `knownName(`. A stream holds text back only while this is true.
 */
export function mayBecomeToolCall(prefix: string, toolNames: Iterable<string>): boolean {
  const text = prefix.trimStart();
  if (text === "") return true;
  if (text.startsWith("{") || text.startsWith("[") || text.startsWith("```")) return true;
  if (callStart.startsWith(text) || text.startsWith(callStart)) return true;
  if (text.includes(callStart)) return true;
  for (const name of toolNames) {
    const head = `${name}(`;
    if (head.startsWith(text) || (text.startsWith(name) && /^\s*(\(|$)/.test(text.slice(name.length)))) return true;
  }
  return false;
}
