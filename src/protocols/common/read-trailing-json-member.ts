/**
 * The value of the LAST `"<key>":` member in a JSON text, parsed on its own, without parsing the whole text.
 *
 * For reading a response's usage on the passthrough path, where the body goes to the client as bytes and is never
 * parsed: every provider writes its usage object after the content (OpenAI Chat and Responses, Anthropic Messages,
 * Gemini), so the last occurrence is the top-level one. A key inside a string value cannot match, because its quotes
 * are escaped there (`\"usage\":`). Returns undefined when the key is absent or its value does not parse; the caller
 * treats that as "usage unknown", never as zero.
 */
export function readTrailingJsonMember(text: string, key: string): unknown {
  const needle = `"${key}":`;
  const at = text.lastIndexOf(needle);
  if (at === -1) return undefined;
  let start = at + needle.length;
  while (start < text.length && /\s/.test(text[start] ?? "")) start += 1;
  if (text[start] !== "{") return undefined;
  const end = findObjectEnd(text, start);
  if (end === undefined) return undefined;
  try {
    return JSON.parse(text.slice(start, end + 1)) as unknown;
  } catch {
    return undefined;
  }
}

/** Index of the `}` closing the object opened at `start`, skipping braces inside strings. */
function findObjectEnd(text: string, start: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let index = start; index < text.length; index += 1) {
    const character = text.charCodeAt(index);
    if (inString) {
      if (character === 0x5c) index += 1; // backslash: skip the escaped character
      else if (character === 0x22) inString = false;
      continue;
    }
    if (character === 0x22) inString = true;
    else if (character === 0x7b) depth += 1;
    else if (character === 0x7d) {
      depth -= 1;
      if (depth === 0) return index;
    }
  }
  return undefined;
}
