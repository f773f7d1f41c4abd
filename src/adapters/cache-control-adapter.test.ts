import { describe, expect, it } from "vitest";
import type { ProtocolId } from "../unified/index.js";
import type { WireBody } from "./adapter.js";
import { createAdapterRegistry, type AdapterReference } from "./adapter-registry.js";
import { builtinAdapterFactories } from "./builtin-adapters.js";

const registry = createAdapterRegistry(builtinAdapterFactories);

function adapt(reference: AdapterReference, body: WireBody, protocol: ProtocolId = "anthropic-messages") {
  const before = structuredClone(body);
  const pass = registry.create(reference).request?.(body, { protocol, provider: "anthropic", model: "claude", stream: false });
  expect(body).toEqual(before);
  return pass;
}

const ephemeral = { type: "ephemeral" };

describe("cache-control", () => {
  it("adds breakpoints on the newest user turn, the system prompt and the previous user turn (golden)", () => {
    const pass = adapt("cache-control", {
      model: "claude",
      system: "You are terse.",
      messages: [
        { role: "user", content: "one" },
        { role: "assistant", content: [{ type: "thinking", thinking: "t", signature: "s" }, { type: "text", text: "ok" }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "x", content: "r" }] },
      ],
    });
    expect(pass?.value).toEqual({
      model: "claude",
      system: [{ type: "text", text: "You are terse.", cache_control: ephemeral }],
      messages: [
        { role: "user", content: [{ type: "text", text: "one", cache_control: ephemeral }] },
        { role: "assistant", content: [{ type: "thinking", thinking: "t", signature: "s" }, { type: "text", text: "ok" }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "x", content: "r", cache_control: ephemeral }] },
      ],
    });
    expect(pass?.changes.map((change) => change.path)).toEqual(["messages[2].content[0].cache_control", "system[0].cache_control", "messages[0].content[0].cache_control"]);
  });

  it("counts the client's breakpoints against the limit of 4 and keeps their TTL", () => {
    const own = { type: "ephemeral", ttl: "1h" };
    const body = {
      system: [{ type: "text", text: "a", cache_control: own }],
      tools: [{ name: "t1", input_schema: {}, cache_control: own }, { name: "t2", input_schema: {}, cache_control: own }],
      messages: [{ role: "user", content: "q" }, { role: "user", content: "q2" }],
    };
    const pass = adapt({ name: "cache-control", options: { ttl: "5m" } }, body);
    expect(pass?.value).toEqual({ ...body, messages: [{ role: "user", content: "q" }, { role: "user", content: [{ type: "text", text: "q2", cache_control: { type: "ephemeral", ttl: "5m" } }] }] });
    const full = { ...body, messages: [{ role: "user", content: [{ type: "text", text: "q", cache_control: own }] }] };
    expect(adapt("cache-control", full)?.value).toBe(full);
  });

  it("leaves other protocols alone when adding", () => {
    const body = { messages: [{ role: "user", content: "q" }] };
    expect(adapt("cache-control", body, "openai-chat")?.value).toBe(body);
  });

  it("strips every breakpoint, or only their TTL", () => {
    const body = {
      system: [{ type: "text", text: "a", cache_control: { type: "ephemeral", ttl: "1h" } }],
      messages: [{ role: "user", content: [{ type: "text", text: "q", cache_control: { type: "ephemeral" } }] }],
    };
    expect(adapt({ name: "cache-control", options: { mode: "strip" } }, body, "openai-chat")?.value).toEqual({
      system: [{ type: "text", text: "a" }],
      messages: [{ role: "user", content: [{ type: "text", text: "q" }] }],
    });
    const stripped = adapt({ name: "cache-control", options: { mode: "strip-ttl" } }, body);
    expect(stripped?.value).toEqual({ ...body, system: [{ type: "text", text: "a", cache_control: { type: "ephemeral" } }] });
    expect(stripped?.changes).toEqual([{ path: "system[0].cache_control.ttl", action: "removed", detail: "ttl not supported by the target" }]);
  });
});
