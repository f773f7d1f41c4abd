import { once } from "node:events";
import type { ServerResponse } from "node:http";
import type { GatewayResult } from "../pipeline/index.js";
import { toGatewayError, type GatewayError } from "../unified/index.js";

type StreamResult = Extract<GatewayResult, { kind: "stream" }>;
type Chunk = string | Uint8Array;

/** A stream whose first chunk (content or heartbeat) is in hand, or the error it failed with before any. */
export type StartedStream =
  | { kind: "started"; first: IteratorResult<Chunk>; rest: AsyncIterator<Chunk> }
  | { kind: "failed"; error: GatewayError };

/**
 * Waits for a stream's first chunk before anything is written. Headers are held back on purpose: until the first
 * chunk or heartbeat, a failure (TTFB timeout, upstream error, an in-band error as the first event) can still be a
 * normal protocol-shaped HTTP error with its real status, which is what SDKs retry on. The supervisor's heartbeats
 * bound how long a client waits for the headers once the upstream answered.
 */
export async function startStream(result: StreamResult): Promise<StartedStream> {
  const rest = result.chunks[Symbol.asyncIterator]();
  try {
    return { kind: "started", first: await rest.next(), rest };
  } catch (error) {
    return { kind: "failed", error: toGatewayError(error) };
  }
}

/**
 * Streams a result's chunks to the socket, waiting for `drain` whenever the socket's buffer is full so that a slow
 * client slows the upstream read instead of growing memory. Returns when the stream ended or the client left; in
 * both cases the chunk iterator is returned, which ends the upstream request.
 */
export async function writeStreamResult(response: ServerResponse, result: StreamResult, started: Extract<StartedStream, { kind: "started" }>): Promise<void> {
  response.writeHead(result.status, result.headers);
  const { rest } = started;
  let step = started.first;
  try {
    while (step.done !== true) {
      if (response.destroyed) break;
      if (!response.write(step.value)) {
        await Promise.race([once(response, "drain"), once(response, "close")]);
      }
      step = await rest.next();
    }
  } finally {
    if (step.done !== true) await rest.return?.();
    if (!response.destroyed) response.end();
  }
}
