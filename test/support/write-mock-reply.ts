import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { MockFaults } from "./mock-reply.js";
import type { PreparedMockReply } from "./prepare-mock-reply.js";

/** What a malformed frame looks like unless the script says otherwise: a `data:` line with truncated JSON. */
export const defaultMalformedFrame = 'data: {"malformed": \n\n';

/** Waits `ms`; false when the client or the server went away meanwhile. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  if (ms <= 0) return true;
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

function waitForAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

/**
 * Writes and waits until the bytes are handed to the socket (which also honours backpressure), so a drop right
 * after a frame still delivers that frame; false when the connection went away.
 */
function write(response: ServerResponse, chunk: string | Buffer, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted || response.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => resolve(false);
    signal.addEventListener("abort", onAbort, { once: true });
    response.write(chunk, (error) => {
      signal.removeEventListener("abort", onAbort);
      resolve(error === undefined || error === null);
    });
  });
}

/** Writes one frame whole, or byte slices of it at the drip rate (slices may split UTF-8 sequences on purpose). */
async function writeFrame(
  response: ServerResponse,
  text: string,
  drip: MockFaults["drip"],
  signal: AbortSignal,
): Promise<boolean> {
  if (drip === undefined) return write(response, text, signal);
  const bytes = Buffer.from(text, "utf8");
  const size = Math.max(1, drip.bytes);
  for (let start = 0; start < bytes.length; start += size) {
    if (start > 0 && !(await pause(drip.intervalMs, signal))) return false;
    if (!(await write(response, bytes.subarray(start, start + size), signal))) return false;
  }
  return true;
}

/** The well-behaved path, kept cheap because benchmarks use the mock as their direct baseline. */
function writeAtOnce(response: ServerResponse, reply: PreparedMockReply): void {
  const [only, ...rest] = reply.frames;
  if (only !== undefined && rest.length === 0) {
    response.writeHead(reply.status, { ...reply.headers, "content-length": String(Buffer.byteLength(only.text)) });
    response.end(only.text);
    return;
  }
  response.writeHead(reply.status, reply.headers);
  for (const frame of reply.frames) response.write(frame.text);
  response.end();
}

/**
 * Plays a prepared reply onto the socket, applying its faults at frame positions. Every wait ends when the client
 * disconnects or the mock closes, so a stalled reply never keeps a test process alive.
 */
export async function writeMockReply(
  request: IncomingMessage,
  response: ServerResponse,
  reply: PreparedMockReply,
  serverSignal: AbortSignal,
): Promise<void> {
  const clientGone = new AbortController();
  response.on("close", () => clientGone.abort());
  const signal = AbortSignal.any([serverSignal, clientGone.signal]);
  if (!(await pause(reply.delayMs, signal))) return;
  if (reply.reset) {
    // Destroying the socket before writing anything is what a connection reset before headers looks like to undici.
    request.socket.destroy();
    return;
  }
  const { faults } = reply;
  if (Object.keys(faults).length === 0 && reply.frames.every((frame) => frame.delayMs === 0)) {
    writeAtOnce(response, reply);
    return;
  }
  response.writeHead(reply.status, reply.headers);
  response.flushHeaders();
  for (let index = 0; index <= reply.frames.length; index++) {
    if (faults.dropAfterFrames === index) {
      request.socket.destroy();
      return;
    }
    if (faults.endAfterFrames === index) break;
    if (faults.stall?.afterFrames === index) {
      const { ms } = faults.stall;
      if (ms === undefined) {
        await waitForAbort(signal);
        request.socket.destroy();
        return;
      }
      if (!(await pause(ms, signal))) return;
    }
    if (faults.malformed?.afterFrames === index) {
      if (!(await write(response, faults.malformed.text ?? defaultMalformedFrame, signal))) return;
    }
    const frame = reply.frames[index];
    if (frame === undefined) break;
    if (!(await pause(frame.delayMs + (faults.frameIntervalMs ?? 0), signal))) return;
    if (!(await writeFrame(response, frame.text, faults.drip, signal))) return;
  }
  response.end();
}
