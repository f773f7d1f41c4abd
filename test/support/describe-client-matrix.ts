import { afterAll, beforeAll, beforeEach, describe, expect, it as vitestIt } from "vitest";
import { tagReasoningArtefact, untagReasoningArtefact, type ProtocolId } from "../../src/unified/index.js";
import {
  cachedUsage,
  e2ePrompt,
  e2eTools,
  finalAnswer,
  mockReasoning,
  parallelCallReplies,
  plainAnswer,
  singleCallReplies,
  textScenarioReplies,
  thinkingReplies,
  thinkingToolReplies,
  thinkingUsage,
  timeCall,
  toolOutputs,
  weatherCall,
  type E2eTool,
} from "./e2e-scenarios.js";
import type { MockToolCall, MockUsage } from "./mock-upstream.js";
import { mockTargets, providerProtocols, startTestGateway, type TestGateway } from "./start-test-gateway.js";
import { summarizeUpstreamRequest, type UpstreamItem } from "./summarize-upstream-request.js";

/** A tool call as the client received it. */
export interface ClientToolCall {
  id: string;
  name: string;
  arguments: unknown;
}

/** One answer as the client SDK handed it over, reduced to what the matrix asserts. */
export interface ClientTurn {
  text: string;
  toolCalls: ClientToolCall[];
  /** The finish / stop reason in the client protocol's own vocabulary. */
  finish: string | undefined;
  /** The usage numbers in the client protocol's own names and convention. */
  usage: Record<string, number | undefined>;
  /** Reasoning the client can see, with the opaque artefact it must send back (undefined when the protocol shows none). */
  reasoning?: { text: string; signature?: string };
}

/** A conversation driven through one SDK: it keeps the SDK's own history, as an application would. */
export interface ClientConversation {
  /** Sends the history; the reply is appended to the history. */
  send(stream: boolean): Promise<ClientTurn>;
  /** Appends the tool results the application computed, in the order given. */
  addToolResults(results: ReadonlyArray<{ call: ClientToolCall; output: string }>): void;
}

/** One client SDK, seen through the matrix. */
export interface ClientAdapter {
  /** The client's wire protocol. */
  protocol: ProtocolId;
  /** Starts a conversation with one user prompt. */
  start(gateway: TestGateway, options: { model: string; prompt: string; tools: readonly E2eTool[]; thinking: boolean }): ClientConversation;
  /** The finish reasons this protocol uses for a normal stop and a tool-call turn. */
  finish: { stop: string; toolCalls: string };
  /** What the client must see for usage the upstream reported (`reasoningReported`: the upstream counts reasoning apart). */
  expectedUsage(usage: MockUsage, reasoningReported: boolean): Record<string, number | undefined>;
  /**
   * What the client sees of reasoning produced behind `upstream` (undefined: the protocol shows none). `signature` is
   * the artefact as the client receives it (tagged with its origin when it crosses protocols).
   */
  expectedReasoning(upstream: ProtocolId, streamed: boolean): { text: string; signature?: string } | undefined;
  /** Whether this client's history carries the upstream's reasoning artefact back (some SDK helpers drop unknown fields). */
  carriesArtefactBack(upstream: ProtocolId, streamed: boolean): boolean;
}

/** A matrix case that fails because of a known defect outside the gateway's pipeline (reported, not yet fixed). */
export interface KnownGap {
  upstream: ProtocolId;
  stream?: boolean;
  /** The start of the test's title. */
  test: string;
  reason: string;
}

/**
 * Whether a signature field holds a real artefact: not empty, and not just an origin tag with nothing behind it
 * (encoders write `swy1.<origin>.` where the protocol needs the field but the origin made no artefact).
 */
export function isReasoningArtefact(value: string | null | undefined): value is string {
  return value !== undefined && value !== null && value !== "" && untagReasoningArtefact(value, "openai-chat").artefact !== "";
}

/**
 * The reasoning a client saw, with the item id left out of its artefact's origin tag (`swy1.<origin>.<kind>@<id>:`,
 * written where the client protocol has no id slot): mock ids differ by request; the replay test checks the id.
 */
function withoutTagItemId(reasoning: ClientTurn["reasoning"], client: ProtocolId): ClientTurn["reasoning"] {
  if (reasoning?.signature === undefined) return reasoning;
  const untagged = untagReasoningArtefact(reasoning.signature, client);
  if (untagged.id === undefined) return reasoning;
  return { ...reasoning, signature: tagReasoningArtefact(untagged.artefact, untagged.origin.protocol, untagged.kind) };
}

/** The `id` of every reasoning item in a Responses request body's `input`. */
function responsesReasoningItemIds(body: unknown): unknown[] {
  const input = typeof body === "object" && body !== null ? (body as { input?: unknown }).input : undefined;
  if (!Array.isArray(input)) return [];
  return input.flatMap((item: unknown) => (typeof item === "object" && item !== null && (item as { type?: unknown }).type === "reasoning" ? [(item as { id?: unknown }).id] : []));
}

/** Anthropic reports no separate reasoning count; every other protocol does. */
function reportsReasoning(protocol: ProtocolId): boolean {
  return protocol !== "anthropic-messages";
}

/** An item without the ids (and result names) that differ by protocol; call and result pairing is checked apart. */
function withoutIds(item: UpstreamItem): UpstreamItem {
  switch (item.type) {
    case "tool-call": {
      const { id: _id, ...rest } = item;
      return rest;
    }
    case "tool-result": {
      const { id: _id, name: _name, ...rest } = item;
      return rest;
    }
    default:
      return item;
  }
}

function outputsFor(calls: readonly ClientToolCall[]): Array<{ call: ClientToolCall; output: string }> {
  return calls.map((call) => ({ call, output: toolOutputs[call.name] ?? "" }));
}

function expectedCalls(calls: readonly MockToolCall[]): Array<{ name: string; arguments: unknown }> {
  return calls.map((call) => ({ name: call.name, arguments: call.arguments }));
}

/** Tool results as the upstream protocol carries them: Gemini wants an object (the text goes in `output`), the others the text. */
function upstreamOutput(upstream: ProtocolId, output: string): unknown {
  return upstream === "gemini" ? { output } : output;
}

/**
 * The client × provider matrix for one client SDK: for each provider protocol behind the gateway, streamed and not:
 * text with usage, one tool call and its result turn, parallel calls and their results, reasoning, and reasoning
 * before a tool call whose signature must reach the upstream again. Same protocol on both sides also checks that the
 * upstream body is the client's byte for byte except the model.
 */
export function describeClientMatrix(label: string, adapter: ClientAdapter, knownGaps: readonly KnownGap[] = []): void {
  describe(label, () => {
    let gateway: TestGateway;
    beforeAll(async () => {
      gateway = await startTestGateway();
    });
    afterAll(async () => {
      await gateway.close();
    });
    beforeEach(() => {
      gateway.reset();
    });

    describe.each(providerProtocols)("→ %s upstream", (upstream) => {
      const target = mockTargets[upstream];
      const passthrough = upstream === adapter.protocol;
      const start = (tools: readonly E2eTool[], thinking = false) =>
        adapter.start(gateway, { model: target.model, prompt: e2ePrompt, tools, thinking });
      const upstreamRequests = () => gateway.mock.generateRequests().map((request) => summarizeUpstreamRequest(request));

      /** Passthrough: the upstream got the client's body with only `model` changed. */
      const expectPassthroughBodies = () => {
        const received = gateway.mock.generateRequests();
        const sent = gateway.clientRequests.filter((request) => request.method === "POST");
        expect(received.length).toBe(sent.length);
        received.forEach((request, index) => {
          const clientBody = sent[index]?.bodyText ?? "";
          const expected = upstream === "gemini" ? clientBody : clientBody.replace(`"model":"${target.model}"`, `"model":"${target.upstreamModel}"`);
          expect(request.bodyText).toBe(expected);
        });
      };

      describe.each([false, true])("stream: %s", (stream) => {
        // A known gap runs as `it.fails`: it turns red the day the defect is fixed, so the table stays honest.
        const it = (title: string, body: () => Promise<void>) => {
          const gap = knownGaps.find((entry) => entry.upstream === upstream && (entry.stream ?? stream) === stream && title.startsWith(entry.test));
          return gap === undefined ? vitestIt(title, body) : vitestIt.fails(`${title} [known gap: ${gap.reason}]`, body);
        };
        it("answers text, reporting usage in the client's convention", async () => {
          gateway.mock.script(...textScenarioReplies());
          const turn = await start([]).send(stream);
          expect(turn.text).toBe(plainAnswer);
          expect(turn.toolCalls).toEqual([]);
          expect(turn.finish).toBe(adapter.finish.stop);
          expect(turn.usage).toEqual(adapter.expectedUsage(cachedUsage, true));
          const [request] = upstreamRequests();
          expect(request).toMatchObject({ model: target.upstreamModel, stream, tools: [] });
          expect(request?.items.filter((item) => item.type !== "system")).toEqual([{ type: "text", role: "user", text: e2ePrompt }]);
          // The upstream gets the provider's key, never the client's proxy key.
          expect(gateway.mock.generateRequests().map((received) => received.apiKey)).toEqual([target.upstreamKey]);
          if (passthrough) expectPassthroughBodies();
        });

        it("makes one tool call, then answers the tool-result turn", async () => {
          gateway.mock.script(...singleCallReplies());
          const conversation = start(e2eTools);
          const first = await conversation.send(stream);
          expect(first.toolCalls.map(({ name, arguments: args }) => ({ name, arguments: args }))).toEqual(expectedCalls([weatherCall]));
          expect(first.finish).toBe(adapter.finish.toolCalls);
          conversation.addToolResults(outputsFor(first.toolCalls));
          const second = await conversation.send(stream);
          expect([second.text, second.toolCalls, second.finish]).toEqual([finalAnswer, [], adapter.finish.stop]);

          const [ask, answer] = upstreamRequests();
          expect(ask?.tools).toEqual(e2eTools.map(({ name, parameters }) => ({ name, parameters })));
          // The whole translated history, ids aside: the question, the call, its result, in that order.
          expect(answer?.items.filter((item) => item.type !== "system").map(withoutIds)).toEqual([
            { type: "text", role: "user", text: e2ePrompt },
            { type: "tool-call", ...expectedCalls([weatherCall])[0] },
            { type: "tool-result", output: upstreamOutput(upstream, toolOutputs["get_weather"] ?? "") },
          ]);
          const calls = answer?.items.filter((item) => item.type === "tool-call") ?? [];
          const results = answer?.items.filter((item) => item.type === "tool-result") ?? [];
          // Call and result stay paired: same id where the upstream protocol has ids, same name for Gemini.
          if (upstream === "gemini") expect(results.map((result) => result.name)).toEqual(["get_weather"]);
          else expect(results.map((result) => result.id)).toEqual(calls.map((call) => call.id));
          if (passthrough) expectPassthroughBodies();
        });

        it("makes parallel tool calls, then answers with both results", async () => {
          gateway.mock.script(...parallelCallReplies());
          const conversation = start(e2eTools);
          const first = await conversation.send(stream);
          expect(first.toolCalls.map(({ name, arguments: args }) => ({ name, arguments: args }))).toEqual(expectedCalls([weatherCall, timeCall]));
          // Distinct ids, except Gemini to Gemini, where the upstream gave none and none were added.
          const ids = first.toolCalls.map((call) => call.id);
          expect(new Set(ids).size).toBe(adapter.protocol === "gemini" && upstream === "gemini" ? 1 : 2);
          expect(first.finish).toBe(adapter.finish.toolCalls);
          conversation.addToolResults(outputsFor(first.toolCalls));
          const second = await conversation.send(stream);
          expect([second.text, second.finish]).toEqual([finalAnswer, adapter.finish.stop]);

          const answer = upstreamRequests()[1];
          // Both calls in one assistant turn, then both results in call order (Gemini pairs them by position).
          expect(answer?.items.filter((item) => item.type !== "system").map(withoutIds)).toEqual([
            { type: "text", role: "user", text: e2ePrompt },
            ...expectedCalls([weatherCall, timeCall]).map((call) => ({ type: "tool-call", ...call })),
            ...["get_weather", "get_time"].map((name) => ({ type: "tool-result", output: upstreamOutput(upstream, toolOutputs[name] ?? "") })),
          ]);
          const calls = answer?.items.filter((item) => item.type === "tool-call") ?? [];
          const results = answer?.items.filter((item) => item.type === "tool-result") ?? [];
          if (upstream !== "gemini") expect(results.map((result) => result.id)).toEqual(calls.map((call) => call.id));
          if (passthrough) expectPassthroughBodies();
        });

        it("shows reasoning as the client protocol carries it, with reasoning usage", async () => {
          gateway.mock.script(...thinkingReplies());
          const turn = await start([], true).send(stream);
          expect(turn.text).toBe(finalAnswer);
          expect(turn.finish).toBe(adapter.finish.stop);
          expect(withoutTagItemId(turn.reasoning, adapter.protocol)).toEqual(adapter.expectedReasoning(upstream, stream));
          expect(turn.usage).toEqual(adapter.expectedUsage(thinkingUsage, reportsReasoning(upstream)));
          if (passthrough) expectPassthroughBodies();
        });

        it("replays the reasoning signature to its upstream on the tool-result turn", async () => {
          gateway.mock.script(...thinkingToolReplies());
          const conversation = start(e2eTools, true);
          const first = await conversation.send(stream);
          expect(first.toolCalls.map((call) => call.name)).toEqual(["get_weather"]);
          conversation.addToolResults(outputsFor(first.toolCalls));
          expect((await conversation.send(stream)).text).toBe(finalAnswer);
          const answer = upstreamRequests()[1];
          const signed = (answer?.items ?? []).flatMap((item) => ("signature" in item && item.signature !== undefined ? [item.signature] : []));
          // The upstream that made the artefact gets it back unchanged; OpenAI Chat makes none.
          const replayed = upstream !== "openai-chat" && adapter.carriesArtefactBack(upstream, stream);
          expect(signed).toEqual(replayed ? [mockReasoning.signature] : []);
          if (replayed && upstream === "openai-responses") {
            // OpenAI wants a replayed reasoning item's own id with its encrypted_content: it must survive the client.
            const [ask, again] = gateway.mock.generateRequests();
            expect(responsesReasoningItemIds(again?.json)).toEqual([`rs_mock_${ask?.sequence ?? 0}`]);
          }
          if (passthrough) expectPassthroughBodies();
        });
      });
    });
  });
}
