/** One SSE frame: optional `event:` line, one `data:` line (JSON never contains raw newlines), blank line. */
export function serializeSseFrame(data: unknown, event?: string): string {
  const payload = typeof data === "string" ? data : JSON.stringify(data);
  return event === undefined ? `data: ${payload}\n\n` : `event: ${event}\ndata: ${payload}\n\n`;
}
