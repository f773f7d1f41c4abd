import type { GatewayResult } from "../pipeline/index.js";
import { GatewayError } from "../unified/index.js";
import type { ResponseEventLog } from "./create-response-event-log.js";
import { readTerminalResponse } from "./hold-terminal-until-saved.js";
import { parseResponseFrames } from "./parse-response-frames.js";
import { patchResponseFrame } from "./patch-response-frames.js";

/** What a streamed background run ends with: the terminal response object and its frame, held back for the save. */
export interface CollectedStream {
  response: Record<string, unknown>;
  closingFrames: string[];
}

const dataLine = /^data:/m;
const sequenceField = /"sequence_number"\s*:\s*(\d+)/;
const createdEvent = /^event:[ \t]*response\.created\b|"type"\s*:\s*"response\.created"/m;

/**
 * Feeds a background run's client-facing SSE stream into its event log as it is produced: each frame with the
 * job's id, `background: true` and `previous_response_id` set in its response object. The stream's own
 * `response.created` is dropped (the log opens with the job's, sent the instant it was queued, at the same sequence
 * number), and the terminal frame is returned rather than appended: the record must be saved before anyone sees it.
 */
export async function collectBackgroundStream(result: GatewayResult, events: ResponseEventLog, patch: Record<string, unknown>): Promise<CollectedStream | undefined> {
  if (result.kind !== "stream") return undefined;
  let first = true;
  let terminal: CollectedStream | undefined;
  for await (const raw of parseResponseFrames(result.chunks)) {
    // Comments (heartbeats) carry no event; subscribers have their own connection to keep alive.
    if (!dataLine.test(raw)) continue;
    const frame = patchResponseFrame(raw, patch);
    if (first) {
      first = false;
      if (createdEvent.test(frame)) continue;
    }
    if (terminal !== undefined) {
      terminal.closingFrames.push(frame);
      continue;
    }
    const response = readTerminalResponse(frame);
    if (response !== undefined) {
      terminal = { response, closingFrames: [frame] };
      continue;
    }
    const sequence = sequenceField.exec(frame)?.[1];
    events.append(frame, sequence === undefined ? events.nextSequence() : Number(sequence));
  }
  if (terminal === undefined) throw new GatewayError("upstream_server", "the background response stream ended without a terminal event");
  return terminal;
}
