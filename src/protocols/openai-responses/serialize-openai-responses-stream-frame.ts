import { serializeSseFrame, type WireObject } from "../common/index.js";

/** Writes one SSE frame of a Responses stream. */
export type ResponsesFrameWriter = (type: string, payload: WireObject) => string;

/**
 * Makes the frame writer of one Responses stream: every frame has an `event:` line naming its type and a
 * `sequence_number` counting from 0, which the openai SDK and Codex expect to increase by one per event.
 * Its own file so that the stream encoder and its block writer share it without importing each other. While `muted()`
 * says so (the encoder's `track`), a frame only takes its sequence number and nothing is serialized.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */
export function createResponsesFrameWriter(muted: () => boolean = () => false): ResponsesFrameWriter {
  let sequence = 0;
  return (type, payload) => {
    const sequenceNumber = sequence++;
    return muted() ? "" : serializeSseFrame({ type, sequence_number: sequenceNumber, ...payload }, type);
  };
}
