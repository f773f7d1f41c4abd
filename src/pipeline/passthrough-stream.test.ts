import { describe, expect, it } from "vitest";
import { getCodec } from "../protocols/index.js";
import { GatewayError } from "../unified/index.js";
import { passthroughStream } from "./passthrough-stream.js";

const frames = [
  'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}}\n\n',
  'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}\n\n',
];
const ending = [
  'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
  'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":2}}\n\n',
  'event: message_stop\ndata: {"type":"message_stop"}\n\n',
];

async function* upstream(chunks: readonly string[], failure?: GatewayError): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield new TextEncoder().encode(chunk);
  if (failure !== undefined) throw failure;
}

async function collect(chunks: AsyncIterable<Uint8Array | string>): Promise<string> {
  let text = "";
  for await (const chunk of chunks) text += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
  return text;
}

describe("passthroughStream", () => {
  const codec = getCodec("anthropic-messages");

  it("pipes a complete stream byte for byte and adds nothing", async () => {
    expect(await collect(passthroughStream(upstream([...frames, ...ending]), codec))).toBe([...frames, ...ending].join(""));
  });

  it("ends a stream the upstream closed early: the open block closes, then the protocol's error event", async () => {
    const text = await collect(passthroughStream(upstream(frames), codec));
    expect(text).toBe(
      frames.join("") +
        'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n' +
        'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"the Anthropic stream ended before message_stop"}}\n\n',
    );
  });

  it("ends a stream whose connection failed with the error that failed it", async () => {
    const failure = new GatewayError("upstream_server", "anthropic: connection failed (UND_ERR_SOCKET)");
    const text = await collect(passthroughStream(upstream(frames, failure), codec));
    expect(text.slice(frames.join("").length)).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"anthropic: connection failed (UND_ERR_SOCKET)"}}\n\n',
    );
  });

  it("adds nothing when the connection fails after the terminal event", async () => {
    const text = await collect(passthroughStream(upstream([...frames, ...ending], new GatewayError("upstream_server", "late reset")), codec));
    expect(text).toBe([...frames, ...ending].join(""));
  });
});
