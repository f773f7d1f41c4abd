import { describe, expect, it } from "vitest";
import { builtinAdapterFactories, createAdapterRegistry, type AdapterContext } from "../adapters/index.js";
import type { UnifiedWarning } from "../unified/index.js";
import { openStreamDataRewrite } from "./apply-adapter-chain.js";

const registry = createAdapterRegistry(builtinAdapterFactories);
const context: AdapterContext = { protocol: "openai-chat", provider: "openrouter", model: "m", stream: true };

async function collect(chunks: AsyncIterable<string | Uint8Array>): Promise<string> {
  let out = "";
  for await (const chunk of chunks) out += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
  return out;
}

async function* split(text: string, at: readonly number[]): AsyncGenerator<Uint8Array> {
  let from = 0;
  for (const to of [...at, text.length]) {
    yield new TextEncoder().encode(text.slice(from, to));
    from = to;
  }
}

describe("openStreamDataRewrite", () => {
  it("is undefined when no adapter has a wire stream side", () => {
    expect(openStreamDataRewrite([registry.create("drop-empty-assistant")], context, { warnings: [] })).toBeUndefined();
  });

  it("rewrites only the messages a pass changed, across chunk boundaries, keeping every other byte", async () => {
    const sink = { warnings: [] as UnifiedWarning[] };
    const rewrite = openStreamDataRewrite([registry.create("reasoning-normalize")], context, sink);
    const upstream =
      ': OPENROUTER PROCESSING\n\n' +
      'data: {"choices":[{"index":0,"delta":{"reasoning":"think"}}]}\r\n\r\n' +
      'event: message\ndata: {"choices":[{"index":0,\ndata: "delta":{"reasoning":"more"}}]}\n\n' +
      'data: {"choices":[{"index":0,"delta":{"content":"  spaced  "}}]}\n\n' +
      "data: [DONE]\n\n";
    // Split inside a message and inside a CRLF separator.
    const out = await collect(rewrite?.(split(upstream, [30, 70, 95, 130])) ?? split(upstream, []));
    expect(out).toBe(
      ': OPENROUTER PROCESSING\n\n' +
        'data: {"choices":[{"index":0,"delta":{"reasoning_content":"think"}}]}\r\n\r\n' +
        'event: message\ndata: {"choices":[{"index":0,"delta":{"reasoning_content":"more"}}]}\n\n' +
        'data: {"choices":[{"index":0,"delta":{"content":"  spaced  "}}]}\n\n' +
        "data: [DONE]\n\n",
    );
  });

  it("passes a trailing partial message through at the end", async () => {
    const rewrite = openStreamDataRewrite([registry.create("reasoning-normalize")], context, { warnings: [] });
    expect(await collect(rewrite?.(split('data: {"choices":[]}\n\ndata: {"cut', [5])) ?? split("", []))).toBe('data: {"choices":[]}\n\ndata: {"cut');
  });
});
