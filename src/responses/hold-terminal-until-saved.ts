/** The Responses events that end a response; the store write must land before any of them reaches the client. */
const terminalEventTypes: ReadonlySet<string> = new Set(["response.completed", "response.incomplete", "response.failed"]);

/** A frame ends at a blank line in any of the line-ending styles SSE allows. */
const frameEnd = /\r\n\r\n|\n\n|\r\r/g;

/**
 * Passes a Responses SSE stream through, holding back its terminal frame until `save` (given that frame's
 * `response` object) has resolved, so a follow-up sent the instant the client sees `response.completed` finds its
 * parent (LESSONS §8). Frames are forwarded whole, as soon as they are complete; only a partial frame waits for
 * its end, which no client could have parsed anyway. Works on both the translated and the passthrough stream,
 * because it reads the client-facing frames, not the upstream's. `rewrite`, when given, is applied to every frame
 * (whole, before the terminal check), so what is saved is what the client sees.
 */
export async function* holdTerminalUntilSaved(
  chunks: AsyncIterable<string | Uint8Array>,
  save: (response: Record<string, unknown>) => Promise<void>,
  rewrite?: (frame: string) => string,
): AsyncGenerator<string> {
  const textDecoder = new TextDecoder();
  let pending = "";
  let saved = false;

  /** The complete frames at the head of `text` (split around the terminal one, saved first) and what is left. */
  async function* release(text: string): AsyncGenerator<string> {
    let out = "";
    let start = 0;
    for (const match of text.matchAll(frameEnd)) {
      const end = match.index + match[0].length;
      const frame = rewrite === undefined ? text.slice(start, end) : rewrite(text.slice(start, end));
      start = end;
      const response = saved ? undefined : readTerminalResponse(frame);
      if (response !== undefined) {
        if (out !== "") yield out;
        out = "";
        await save(response);
        saved = true;
      }
      out += frame;
    }
    pending = text.slice(start);
    if (out !== "") yield out;
  }

  for await (const chunk of chunks) {
    yield* release(pending + (typeof chunk === "string" ? chunk : textDecoder.decode(chunk, { stream: true })));
  }
  const tail = pending + textDecoder.decode();
  const rest = rewrite === undefined || tail === "" ? tail : rewrite(tail);
  // A stream whose last frame lacks its blank line still ends with that frame (the SSE parser accepts it at EOF).
  if (rest !== "") {
    const response = saved ? undefined : readTerminalResponse(rest);
    if (response !== undefined) await save(response);
    yield rest;
  }
}

/** The `response` object of a terminal Responses event frame, or undefined for any other frame. */
export function readTerminalResponse(frame: string): Record<string, unknown> | undefined {
  let event: string | undefined;
  const data: string[] = [];
  for (const line of frame.split(/\r\n|\n|\r/)) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
  }
  if (data.length === 0 || (event !== undefined && !terminalEventTypes.has(event))) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.join("\n")) as unknown;
  } catch {
    // Not JSON (a keep-alive, a malformed upstream frame): not a terminal event the client could read either.
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const { type, response } = parsed as { type?: unknown; response?: unknown };
  if (typeof type !== "string" || !terminalEventTypes.has(type)) return undefined;
  return typeof response === "object" && response !== null && !Array.isArray(response) ? (response as Record<string, unknown>) : undefined;
}
