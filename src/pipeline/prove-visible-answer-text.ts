import type { ProtocolId } from "../unified/index.js";

/**
 * True when a non-streamed answer text provably has visible text: if the text parses at all, the protocol's decoder
 * finds a text part that is not blank. Recognises the shape providers write (Chat's `choices[0].message.content`
 * string, a Messages answer whose first block is text) by reading the text's start and scanning its tail once, far
 * cheaper than JSON.parse plus a decode.
 *
 * Conservative by construction: false means only "not proven" (the caller runs the full decode), never "empty".
 * Before the text, the reading admits only members with plain values (no nesting, no escapes), so it reads the
 * structure exactly; after it, any key that a later duplicate could override (JSON.parse keeps the last) must not
 * occur at all. A key name cannot occur inside a string value (its quotes would be escaped there). Text that is not
 * valid JSON may be misread, which is harmless: the full check calls such a text non-empty too (it does not parse).
 */
export function provesVisibleText(text: string, protocol: ProtocolId): boolean {
  switch (protocol) {
    case "openai-chat":
      return provesChatText(text);
    case "anthropic-messages":
      return provesMessagesText(text);
    case "openai-responses":
    case "gemini":
      return false;
    default: {
      const unreachable: never = protocol;
      return unreachable;
    }
  }
}

/**
 * Chat: the decoder keeps the first choice whose `index` is 0 (else the first), and a non-empty string `content`
 * becomes a text part. Reads `{…plain members…"choices":[{"index":0,"message":{…plain members…"content":"`.
 */
function provesChatText(text: string): boolean {
  let at = plainMembersUpTo(text, expect(text, 0, "{"), '"choices"', 0x5b);
  at = at !== -1 && text.startsWith(chatPathCompact, at) ? at + chatPathCompact.length : chatPath.reduce((position, literal) => expect(text, position, literal), at);
  at = plainMembersUpTo(text, at, '"content"', quote);
  return provesTextAt(text, at === -1 ? -1 : at + 1, chatLater);
}

const chatPathCompact = '[{"index":0,"message":{';
const chatPath = ["[", "{", '"index"', ":", "0", ",", '"message"', ":", "{"];

/** Messages: a `text` block becomes a text part. Reads `{…plain members…"content":[{"type":"text","text":"`. */
function provesMessagesText(text: string): boolean {
  let at = plainMembersUpTo(text, expect(text, 0, "{"), '"content"', 0x5b);
  at = at !== -1 && text.startsWith(messagesPathCompact, at) ? at + messagesPathCompact.length : messagesPath.reduce((position, literal) => expect(text, position, literal), at);
  return provesTextAt(text, at, messagesLater);
}

const messagesPathCompact = '[{"type":"text","text":"';
const messagesPath = ["[", "{", '"type"', ":", '"text"', ",", '"text"', ":", '"'];

const quote = 0x22;
const backslash = 0x5c;

/** Index after `literal` at `at` (after JSON whitespace); -1 when it is not there (or `at` is -1). */
function expect(text: string, at: number, literal: string): number {
  if (at === -1) return -1;
  const position = skipSpace(text, at);
  return text.startsWith(literal, position) ? position + literal.length : -1;
}

function skipSpace(text: string, at: number): number {
  let position = at;
  for (;;) {
    const code = text.charCodeAt(position);
    if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) return position;
    position += 1;
  }
}

/** A run with no bracket and no escape: inside an object, only members with plain values (and no end of it). */
const plainRun = /[^{}[\]\\]*/y;
const unplain = /[{}[\]\\]/;

/**
 * In the object whose members start at `at`: the position of the value of member `key` (quoted), which starts with
 * `valueStart` and follows only members with plain values; -1 when the text is not that shape. Native searches, not a
 * loop per character: the run up to the first bracket or escape, then the last `key` in it, which (no escape before
 * it) is a real key when a colon follows.
 */
function plainMembersUpTo(text: string, at: number, key: string, valueStart: number): number {
  if (at === -1) return -1;
  if (valueStart === quote) {
    // A string value (the answer's text) is long: the key is searched forwards and only the members before it are
    // checked, rather than running through the value.
    const found = text.indexOf(key, at);
    if (found === -1 || unplain.test(text.slice(at, found))) return -1;
    const value = skipSpace(text, expect(text, found + key.length, ":"));
    return text.charCodeAt(value) === quote ? value : -1;
  }
  plainRun.lastIndex = at;
  plainRun.test(text);
  const value = plainRun.lastIndex;
  if (text.charCodeAt(value) !== valueStart) return -1;
  const found = text.lastIndexOf(key, value);
  return found >= at && skipSpace(text, expect(text, found + key.length, ":")) === value ? value : -1;
}

/** `String.prototype.trim`'s whitespace (the same set as `\s`), for characters past ASCII. */
const whitespace = /\s/;

/** After the text's string: an escape, or a key a later duplicate of which would override what was read. */
const chatLater = /\\|"(?:content|choices|message|index)"/g;
const messagesLater = /\\|"(?:content|type|text)"/g;

/**
 * The text's string opens just before `at`: proven when it starts with a visible character and, after it, nothing
 * a duplicate of which would override what was read occurs, nor any escape (a key spelled `"cont\u0065nt"`).
 */
function provesTextAt(text: string, at: number, later: RegExp): boolean {
  if (at === -1 || !startsVisible(text, at)) return false;
  const end = endOfString(text, at);
  if (end === -1) return false;
  later.lastIndex = end;
  return !later.test(text);
}

/** Index just after the closing quote of the string whose content starts at `at`; -1 when it does not end. */
function endOfString(text: string, at: number): number {
  for (let close = text.indexOf('"', at); close !== -1; close = text.indexOf('"', close + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(close - 1 - backslashes) === backslash) backslashes += 1;
    if (backslashes % 2 === 0) return close + 1;
  }
  return -1;
}

/**
 * Whether the string whose content starts at `at` has a visible character: whitespace is skipped, and an escape
 * gives up (`\n` is whitespace, `\u…` could be), as does the end of the string.
 */
function startsVisible(text: string, at: number): boolean {
  for (let position = at; position < text.length; position += 1) {
    const code = text.charCodeAt(position);
    if (code === quote || code === backslash) return false;
    if (code <= 0x20) continue;
    if (code < 0x7f) return true;
    if (!whitespace.test(text.charAt(position))) return true;
  }
  return false;
}
