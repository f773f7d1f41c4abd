import type { ContentPart, FunctionTool, UnifiedMessage, UnifiedRequest } from "../src/unified/index.js";

/**
 * A deterministic coding-agent conversation of `messageCount` messages: a long system prompt, a dozen function
 * tools with JSON Schemas, and a loop of assistant turns (thinking with a signature, a short text, two parallel tool
 * calls) each answered by two tool results, with a user message every few steps and an image every few user
 * messages. Reasoning carries no origin, so every protocol's encoding keeps its signatures (what a real upstream
 * would have produced in its own protocol).
 */
export function buildAgentConversation(messageCount = 200): UnifiedRequest {
  const random = seededRandom(42);
  const words = ["file", "function", "test", "error", "module", "import", "config", "stream", "token", "request", "cache", "retry", "value", "handler", "schema", "index", "build", "result", "path", "buffer"];
  const sentence = (length: number): string => Array.from({ length }, () => words[Math.floor(random() * words.length)] ?? "word").join(" ");
  const paragraph = (characters: number): string => {
    let text = "";
    while (text.length < characters) text += `${sentence(12)}. `;
    return text;
  };
  const signature = (): string => Buffer.from(paragraph(230)).toString("base64").slice(0, 310);
  const image = Buffer.from(paragraph(6000)).toString("base64");

  const tools: FunctionTool[] = Array.from({ length: 12 }, (_, index) => ({
    type: "function",
    name: `tool_${index}_${words[index] ?? "x"}`,
    description: paragraph(240),
    parameters: {
      type: "object",
      properties: {
        path: { type: "string", description: paragraph(60) },
        query: { type: "string", description: paragraph(60) },
        limit: { type: "integer", minimum: 1, maximum: 500 },
        options: { type: "object", properties: { recursive: { type: "boolean" }, pattern: { type: "string" } } },
      },
      required: ["path"],
    },
  }));

  const messages: UnifiedMessage[] = [{ role: "user", content: [{ type: "text", text: paragraph(1500) }] }];
  let step = 0;
  // Whole steps only (a call never loses its result); user messages fill up to the exact count.
  while (messages.length + 4 <= messageCount) {
    step += 1;
    const calls: ContentPart[] = [0, 1].map((call) => ({
      type: "tool-call",
      id: `toolu_${String(step).padStart(4, "0")}_${call}`,
      name: tools[(step + call) % tools.length]?.name ?? "tool_0_file",
      arguments: JSON.stringify({ path: `src/${sentence(2).replace(/ /g, "/")}.ts`, query: sentence(20), limit: 50 + call }),
      kind: "function",
    }));
    messages.push({
      role: "assistant",
      content: [{ type: "reasoning", text: paragraph(850), signature: signature() }, { type: "text", text: paragraph(300) }, ...calls],
    });
    for (const call of calls) {
      if (call.type !== "tool-call") continue;
      messages.push({ role: "tool", content: [{ type: "tool-result", toolCallId: call.id, name: call.name, content: [{ type: "text", text: paragraph(1400) }] }] });
    }
    if (step % 4 === 0) {
      const content: ContentPart[] = [{ type: "text", text: paragraph(500) }];
      if (step % 16 === 0) content.push({ type: "image", source: { kind: "base64", mediaType: "image/png", data: image } });
      messages.push({ role: "user", content });
    }
  }
  while (messages.length < messageCount) messages.push({ role: "user", content: [{ type: "text", text: paragraph(400) }] });
  return {
    model: "claude-sonnet-4-5",
    system: [{ role: "system", parts: [{ type: "text", text: paragraph(6000) }] }],
    messages,
    tools,
    toolChoice: { type: "auto" },
    generation: { maxOutputTokens: 8192 },
    reasoning: { budgetTokens: 4096 },
    stream: true,
  };
}

/** mulberry32, so every run builds the same conversation. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
