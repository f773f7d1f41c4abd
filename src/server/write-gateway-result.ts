import { once } from "node:events";
import type { ServerResponse } from "node:http";
import type { GatewayResult } from "../pipeline/index.js";

/**
 * Streams a result's chunks to the socket, waiting for `drain` whenever the socket's buffer is full so that a slow
 * client slows the upstream read instead of growing memory. Returns when the stream ended or the client left.
 */
export async function writeStreamResult(response: ServerResponse, result: Extract<GatewayResult, { kind: "stream" }>): Promise<void> {
  response.writeHead(result.status, result.headers);
  // Send headers at once: clients time their first-byte deadline from here.
  response.flushHeaders();
  try {
    for await (const chunk of result.chunks) {
      if (response.destroyed) break;
      if (!response.write(chunk)) {
        await Promise.race([once(response, "drain"), once(response, "close")]);
      }
    }
  } finally {
    if (!response.destroyed) response.end();
  }
}
