import type { ProtocolId, SseMessage } from "../../src/unified/index.js";
import { listFixtures, readStreamFixture, readTextFixture, type FixtureFile } from "./fixtures.js";
import { reassembleAnthropicMessagesRecording } from "./reassemble-anthropic-messages-recording.js";
import { reassembleGeminiRecording } from "./reassemble-gemini-recording.js";
import { reassembleOpenAiChatRecording } from "./reassemble-openai-chat-recording.js";
import { reassembleOpenAiResponsesRecording, splitResponsesRecording } from "./reassemble-openai-responses-recording.js";
import type { StreamContent } from "./stream-content.js";

/** One upstream stream from a recording (a multi-step recording yields several). */
export interface RecordedStream {
  protocol: ProtocolId;
  file: FixtureFile;
  /** `file.name`, plus `#<n>` for the n-th stream of a multi-stream recording. */
  label: string;
  messages: SseMessage[];
  /** The stream as SSE bytes: the recorded text for `.sse` files, data lines re-framed for chunk logs. */
  sseText: string;
}

/** The independent wire reader of each protocol. */
export const recordingReassemblers: Record<ProtocolId, (messages: readonly SseMessage[]) => StreamContent> = {
  "openai-chat": reassembleOpenAiChatRecording,
  "openai-responses": reassembleOpenAiResponsesRecording,
  "anthropic-messages": reassembleAnthropicMessagesRecording,
  gemini: reassembleGeminiRecording,
};

/** Every recorded stream of a protocol. */
export function listRecordedStreams(protocol: ProtocolId): RecordedStream[] {
  return listFixtures(protocol)
    .filter((file) => file.kind === "stream")
    .flatMap((file) => {
      const messages = readStreamFixture(file);
      const parts = protocol === "openai-responses" ? splitResponsesRecording(messages) : [messages];
      if (parts.length === 1) {
        const sseText = file.name.endsWith(".sse") ? readTextFixture(file) : frameSseMessages(messages);
        return [{ protocol, file, label: file.name, messages, sseText }];
      }
      return parts.map((part, index) => ({ protocol, file, label: `${file.name}#${index + 1}`, messages: part, sseText: frameSseMessages(part) }));
    });
}

/** SSE framing for bare data payloads (chunk logs hold only the data lines). */
export function frameSseMessages(messages: readonly SseMessage[]): string {
  return messages.map((message) => `${message.event === undefined ? "" : `event: ${message.event}\n`}data: ${message.data}\n\n`).join("");
}
