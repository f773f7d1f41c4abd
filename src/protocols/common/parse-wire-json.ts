/** Parses an SSE data payload or body text as JSON; undefined when it is not JSON (callers decide what that means). */
export function parseWireJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
