import type { GatewayResult } from "../pipeline/index.js";

/** Events whose payload carries the whole response object (and so its `previous_response_id`). */
const responseObjectEvents = /^response\.(created|queued|in_progress|completed|incomplete|failed)$/;
const eventLine = /^event:[ \t]*(\S+)/m;
const typeField = /"type"\s*:\s*"(response\.[a-z_]+)"/;

/**
 * The client-facing result of a continued response with `previous_response_id` set to the parent the client named.
 * A replayed continuation reaches its upstream without the id (nothing there could resolve it), so the encoder has
 * nothing to echo; a native pass-through echoes the upstream's own id, which for a background parent differs from
 * the gateway's. Either way the client must see the id it sent, as the API echoes it.
 * @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-previous_response_id
 */
export function echoPreviousResponseId(result: GatewayResult, previousResponseId: string): GatewayResult {
  switch (result.kind) {
    case "json":
      // Only a response object: an error body has no response to fix.
      return isObject(result.body) && result.body["object"] === "response" ? { ...result, body: { ...result.body, previous_response_id: previousResponseId } } : result;
    case "bytes": {
      let body: unknown;
      try {
        body = JSON.parse(typeof result.body === "string" ? result.body : new TextDecoder().decode(result.body)) as unknown;
      } catch {
        return result;
      }
      // The passthrough bytes are kept unless the id really differs.
      if (!isObject(body) || body["object"] !== "response" || body["previous_response_id"] === previousResponseId) return result;
      const { "content-length": _length, ...headers } = result.headers;
      return { kind: "json", status: result.status, headers, body: { ...body, previous_response_id: previousResponseId } };
    }
    case "stream":
      return result;
    default: {
      const unreachable: never = result;
      return unreachable;
    }
  }
}

/**
 * One complete SSE frame with `previous_response_id` set inside its response object, for the events that carry one
 * (`response.created`, `.in_progress`, `.completed`…); every other frame is returned as is, unparsed.
 */
export function echoPreviousResponseIdInFrame(frame: string, previousResponseId: string): string {
  return patchResponseFrame(frame, { previous_response_id: previousResponseId });
}

/**
 * One complete SSE frame with `patch` merged into the response object of the events that carry one; other frames
 * (deltas, item events) are returned as they are without being parsed, so the cost is per lifecycle event only.
 */
export function patchResponseFrame(frame: string, patch: Record<string, unknown>): string {
  const named = eventLine.exec(frame)?.[1];
  const type = named ?? typeField.exec(frame)?.[1];
  if (type === undefined || !responseObjectEvents.test(type)) return frame;
  const event = readFrameData(frame);
  if (!isObject(event) || !isObject(event["response"])) return frame;
  const response = event["response"];
  if (Object.entries(patch).every(([key, value]) => response[key] === value)) return frame;
  const fixed = { ...event, response: { ...response, ...patch } };
  return `${named === undefined ? "" : `event: ${named}\n`}data: ${JSON.stringify(fixed)}\n\n`;
}

/** The parsed JSON of a frame's `data:` lines, or undefined (a comment, a keep-alive, malformed data). */
export function readFrameData(frame: string): unknown {
  const data: string[] = [];
  for (const line of frame.split(/\r\n|\n|\r/)) if (line.startsWith("data:")) data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
  if (data.length === 0) return undefined;
  try {
    return JSON.parse(data.join("\n")) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
