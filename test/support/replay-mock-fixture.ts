import { GatewayError, type ProtocolId } from "../../src/unified/index.js";
import { listFixtures, readStreamFixture, readTextFixture, type FixtureFile } from "./fixtures.js";
import type { MockFrame } from "./mock-answer.js";
import { jsonReply, sseReply, type MockJsonReply, type MockReplyOptions, type MockSseReply } from "./mock-reply.js";

/** Finds a recorded fixture by file name, e.g. `("anthropic-messages", "text.chunks.txt")`. */
export function findFixture(protocol: ProtocolId, name: string): FixtureFile {
  const file = listFixtures(protocol).find((candidate) => candidate.name === name);
  if (file === undefined) throw new GatewayError("not_found", `no fixture ${protocol}/${name} in ../shared/fixtures`);
  return file;
}

function eventType(data: string): string | undefined {
  try {
    const parsed = JSON.parse(data) as unknown;
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const type = (parsed as Record<string, unknown>)["type"];
    return typeof type === "string" ? type : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A `.chunks.txt` log (data payloads only) as the frames the provider really sent: Anthropic and Responses name
 * each event after the payload's `type`, Chat Completions ends with `data: [DONE]`, Gemini has neither.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming#event-types
 * @see https://platform.openai.com/docs/api-reference/chat-streaming
 */
export function fixtureChunkFrames(protocol: ProtocolId, file: FixtureFile): MockFrame[] {
  const frames: MockFrame[] = readStreamFixture(file).map((message) => {
    const event = protocol === "anthropic-messages" || protocol === "openai-responses" ? eventType(message.data) : undefined;
    return event === undefined ? { data: message.data } : { event, data: message.data };
  });
  if (protocol === "openai-chat") frames.push({ data: "[DONE]" });
  return frames;
}

/** The status a recorded error body came with, read from its name (`error-429-…`); 200 otherwise. */
function statusFromName(file: FixtureFile): number {
  const match = /^error-(\d{3})-/.exec(file.name);
  return match?.[1] === undefined ? 200 : Number(match[1]);
}

/**
 * Replays a recorded fixture: `.response.json` and `.response.sse` byte for byte, `.chunks.txt` framed as the
 * provider frames it. Request, cassette and excerpt files are not replies and are refused.
 */
export function fixtureReply(protocol: ProtocolId, name: string, options: MockReplyOptions = {}): MockJsonReply | MockSseReply {
  const file = findFixture(protocol, name);
  if (name.endsWith(".response.json")) {
    return jsonReply(readTextFixture(file), { status: statusFromName(file), ...options });
  }
  if (name.endsWith(".response.sse")) return sseReply(readTextFixture(file), options);
  if (name.endsWith(".chunks.txt")) return sseReply(fixtureChunkFrames(protocol, file), options);
  throw new GatewayError("invalid_request", `fixture ${protocol}/${name} is not a response recording`);
}
