import type { ProtocolId, StreamEvent } from "../unified/index.js";
import type { AdapterChange, AdapterPass, AdapterStream } from "./adapter.js";
import { mayBecomeToolCall, parseEmulatedToolCalls, type EmulatedToolCall } from "./parse-emulated-tool-calls.js";
import { emulatedCallSeed, emulatedToolCallId } from "./unwrap-emulated-tool-calls.js";

const tokenStart = "<|tool_call_start|>";

/** The raw finish reason of a tool turn in each protocol, so the stream's raw value reads like the provider's. */
const toolFinishRaw: Readonly<Record<ProtocolId, string>> = {
  "openai-chat": "tool_calls",
  "openai-responses": "completed",
  "anthropic-messages": "tool_use",
  // Gemini ends a tool turn with STOP; its decoders and encoders read tool calls plus STOP as a tool turn.
  gemini: "STOP",
};

/** The events of finished calls, numbered from `firstIndex`; ids derive from `seed` and the call's index. */
function toolCallEvents(calls: readonly EmulatedToolCall[], firstIndex: number, protocol: ProtocolId, seed: string): StreamEvent[] {
  return calls.flatMap((call, offset): StreamEvent[] => {
    const index = firstIndex + offset;
    return [
      { type: "tool-call-start", index, id: emulatedToolCallId(protocol, seed, index), name: call.name, kind: "function" },
      { type: "tool-call-delta", index, argumentsDelta: call.arguments },
      { type: "tool-call-end", index },
    ];
  });
}

/** What may open a tool call after some prose: a special token, or JSON (fenced or not) on a new line. */
const callOpeners = [tokenStart, "\n{", "\n[{", "\n```json", "\n```\n{"];

/**
 * Where a held suffix should start: the first opener in the text, or an opener's beginning at its very end;
 * undefined when the whole text can go out.
 */
function holdFrom(text: string): number | undefined {
  let from: number | undefined;
  for (const opener of callOpeners) {
    const full = text.indexOf(opener);
    if (full >= 0) from = Math.min(from ?? full, full);
    for (let length = Math.min(opener.length - 1, text.length); length > 0; length -= 1) {
      if (opener.startsWith(text.slice(-length))) {
        from = Math.min(from ?? text.length - length, text.length - length);
        break;
      }
    }
  }
  return from;
}

interface TextBlock {
  index: number;
  /** The text-start event, until it is sent. */
  start: StreamEvent | undefined;
  /** Text not sent yet. */
  held: string;
  /** Some text of the block went out, so the block is text whatever comes later. */
  released: boolean;
}

/**
 * The stream side of tool-emulation: text is held while it may still be a tool call (a JSON start, a special token,
 * the beginning of `toolName(`); once it cannot, it flows, except a suffix that may open a special token. At the
 * block's end the held text is parsed: calls become real tool-call events (and the finish reason `tool_calls`), the
 * rest stays text. Without calls the client sees the same text, only later.
 */
export function openToolEmulationStream(toolNames: readonly string[], protocol: ProtocolId, turn: number): AdapterStream {
  let block: TextBlock | undefined;
  let responseId: string | undefined;
  let nextIndex = 0;
  let madeCalls = false;
  const pass = (value: StreamEvent[], changes: AdapterChange[] = []): AdapterPass<StreamEvent[]> => ({ value, changes, warnings: [] });

  const release = (current: TextBlock, text: string): StreamEvent[] => {
    if (text === "") return [];
    const out: StreamEvent[] = [];
    if (current.start !== undefined) out.push(current.start);
    current.start = undefined;
    current.released = true;
    out.push({ type: "text-delta", index: current.index, text });
    return out;
  };

  /** Ends the open block: parse what is held, send the rest as text and the calls as tool calls. */
  const close = (current: TextBlock, end: StreamEvent | undefined): AdapterPass<StreamEvent[]> => {
    block = undefined;
    const parsed = parseEmulatedToolCalls(current.held, toolNames);
    if (parsed === undefined) {
      const out = release(current, current.held);
      // A block that never sent text never opened; one that did must close before anything else.
      if (current.start === undefined) out.push(end ?? { type: "text-end", index: current.index });
      return pass(out);
    }
    madeCalls = true;
    const out = release(current, parsed.text);
    if (current.start === undefined) out.push(end ?? { type: "text-end", index: current.index });
    // A block that was only calls never opened, so the first call may take its index.
    const first = current.start === undefined ? nextIndex : current.index;
    nextIndex = Math.max(nextIndex, first + parsed.calls.length);
    out.push(...toolCallEvents(parsed.calls, first, protocol, emulatedCallSeed(responseId, turn, current.held)));
    return pass(out, [{ path: `text[${current.index}]`, action: "set", detail: `${parsed.calls.length} emulated tool call(s)` }]);
  };

  return {
    push(event) {
      if ("index" in event) nextIndex = Math.max(nextIndex, event.index + 1);
      switch (event.type) {
        case "start":
          responseId = event.id;
          return pass([event]);
        case "text-start":
          if (block !== undefined) return pass([event]);
          block = { index: event.index, start: event, held: "", released: false };
          return pass([]);
        case "text-delta": {
          if (block === undefined || block.index !== event.index) return pass([event]);
          block.held += event.text;
          if (!block.released && mayBecomeToolCall(block.held, toolNames)) return pass([]);
          const from = holdFrom(block.held);
          const out = release(block, from === undefined ? block.held : block.held.slice(0, from));
          block.held = from === undefined ? "" : block.held.slice(from);
          return pass(out);
        }
        case "text-end":
          if (block === undefined || block.index !== event.index) return pass([event]);
          return close(block, event);
        case "finish": {
          const held = block === undefined ? [] : close(block, undefined).value;
          const finish: StreamEvent = madeCalls ? { ...event, finishReason: { ...event.finishReason, unified: "tool_calls", raw: toolFinishRaw[protocol] } } : event;
          return pass([...held, finish], madeCalls ? [{ path: "finish", action: "set", detail: "finish reason tool_calls" }] : []);
        }
        case "error": {
          // Whatever was held goes out as text before the terminal error.
          const held = block === undefined ? [] : release(block, block.held);
          if (block !== undefined && block.start === undefined) held.push({ type: "text-end", index: block.index });
          block = undefined;
          return pass([...held, event]);
        }
        default:
          return pass([event]);
      }
    },
    end() {
      return block === undefined ? pass([]) : close(block, undefined);
    },
  };
}
