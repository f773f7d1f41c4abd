/**
 * The deepest nesting of objects and arrays in a JSON text, scanning it once and jumping over string contents. Used
 * before JSON.parse so that a hostile body cannot make the parser or later walkers recurse deeply. Stops early once
 * `limit` is exceeded.
 */
export function exceedsJsonDepth(text: string, limit: number): boolean {
  // Most bodies hold fewer brackets in all than the limit, and then cannot nest deeper: counting them with indexOf
  // (native) costs a fifth of the scan below, which only bodies with more brackets than that go on to.
  if (!hasMoreOpenersThan(text, limit)) return false;
  let depth = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 34 /* " */) {
      // Agent conversations are mostly string contents: find the closing quote with indexOf (native, far faster than
      // a loop over every character) instead of visiting each one. -1 = unterminated: JSON.parse rejects it.
      index = closingQuoteAfter(text, index);
      if (index < 0) return false;
    } else if (code === 123 /* { */ || code === 91 /* [ */) {
      depth += 1;
      if (depth > limit) return true;
    } else if (code === 125 /* } */ || code === 93 /* ] */) depth -= 1;
  }
  return false;
}

/** The index of the quote that closes the string opened at `open`: the first one not escaped by a backslash. */
function closingQuoteAfter(text: string, open: number): number {
  let quote = text.indexOf('"', open + 1);
  while (quote >= 0) {
    // An odd run of backslashes before the quote escapes it; the opening quote bounds the run.
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 92 /* \ */) backslashes += 1;
    if (backslashes % 2 === 0) return quote;
    quote = text.indexOf('"', quote + 1);
  }
  return -1;
}

/** Whether `text` holds more than `limit` `{` and `[` characters, string contents included. */
function hasMoreOpenersThan(text: string, limit: number): boolean {
  let count = 0;
  for (let index = text.indexOf("{"); index >= 0; index = text.indexOf("{", index + 1)) if (++count > limit) return true;
  for (let index = text.indexOf("["); index >= 0; index = text.indexOf("[", index + 1)) if (++count > limit) return true;
  return false;
}
