/** A frame ends at a blank line in any of the line-ending styles SSE allows. */
const frameEnd = /\r\n\r\n|\n\n|\r\r/g;

/**
 * The whole SSE frames of a client-facing Responses stream, one at a time, whatever the chunking (frames split
 * across chunks or bytes, several frames in one chunk). A last frame without its blank line is still yielded, as
 * the SSE parser accepts it at the end of the stream.
 */
export async function* parseResponseFrames(chunks: AsyncIterable<string | Uint8Array>): AsyncGenerator<string> {
  const textDecoder = new TextDecoder();
  let pending = "";
  for await (const chunk of chunks) {
    const text = pending + (typeof chunk === "string" ? chunk : textDecoder.decode(chunk, { stream: true }));
    let start = 0;
    for (const match of text.matchAll(frameEnd)) {
      const end = match.index + match[0].length;
      yield text.slice(start, end);
      start = end;
    }
    pending = text.slice(start);
  }
  const rest = pending + textDecoder.decode();
  if (rest.trim() !== "") yield rest;
}
