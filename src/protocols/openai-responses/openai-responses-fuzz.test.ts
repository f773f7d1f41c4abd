import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fixturesAvailable, listFixtures, readJsonFixture, readStreamFixture } from "../../../test/support/fixtures.js";
import { assertWellFormedStream, GatewayError } from "../../unified/index.js";
import { openAiResponsesCodec as codec } from "./index.js";

/**
 * Mutated bodies (a value somewhere replaced by a value of another type, or removed) must give a decoded value or
 * a GatewayError — never a TypeError — and the stream decoder must stay well formed whatever arrives.
 */

function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const replacements: unknown[] = [null, 0, -1, "x", "", [], {}, true, [null], { type: "zzz" }];

/** Every container path of a JSON value (objects and arrays), with the keys they hold. */
function containers(value: unknown, out: Array<Record<string, unknown> | unknown[]> = []): Array<Record<string, unknown> | unknown[]> {
  if (Array.isArray(value)) {
    out.push(value);
    for (const entry of value) containers(entry, out);
  } else if (typeof value === "object" && value !== null) {
    out.push(value as Record<string, unknown>);
    for (const entry of Object.values(value)) containers(entry, out);
  }
  return out;
}

function mutate(body: unknown, random: () => number): unknown {
  const copy = structuredClone(body);
  const all = containers(copy);
  const target = all[Math.floor(random() * all.length)];
  if (target === undefined) return replacements[Math.floor(random() * replacements.length)];
  const keys = Array.isArray(target) ? target.map((_, index) => index) : Object.keys(target);
  if (keys.length === 0) return copy;
  const key = keys[Math.floor(random() * keys.length)] as string | number;
  const replacement = structuredClone(replacements[Math.floor(random() * replacements.length)]);
  if (!Array.isArray(target) && random() < 0.2) delete target[key as string];
  else (target as Record<string | number, unknown>)[key] = replacement;
  return copy;
}

function outcome(run: () => void): string {
  try {
    run();
    return "ok";
  } catch (error) {
    return GatewayError.isInstance(error) ? `gateway:${error.code}` : `THROWN ${String(error)}`;
  }
}

const requestBodies: unknown[] = [JSON.parse(readFileSync(new URL("./__fixtures__/codex-lite-tool-turn.request.json", import.meta.url), "utf8"))];
const responseBodies: unknown[] = [];
if (fixturesAvailable) {
  for (const file of listFixtures("openai-responses")) {
    if (file.kind === "request") requestBodies.push(readJsonFixture(file));
    if (file.kind === "response") responseBodies.push(readJsonFixture(file));
  }
}

describe("fuzz", () => {
  it("decodeRequest gives a value or invalid_request for mutated requests", () => {
    const random = createRandom(7);
    const seen = new Set<string>();
    for (let round = 0; round < 1500; round++) {
      const body = mutate(requestBodies[round % requestBodies.length], random);
      const result = outcome(() => {
        const decoded = codec.decodeRequest(body).value;
        codec.encodeRequest(decoded);
      });
      seen.add(result);
      expect(result === "ok" || result === "gateway:invalid_request", JSON.stringify(body).slice(0, 300)).toBe(true);
    }
    expect(seen).toEqual(new Set(["ok", "gateway:invalid_request"]));
  });

  it.skipIf(!fixturesAvailable)("decodeResponse gives a value or a GatewayError for mutated responses", () => {
    const random = createRandom(11);
    for (let round = 0; round < 800; round++) {
      const body = mutate(responseBodies[round % responseBodies.length], random);
      const result = outcome(() => {
        codec.encodeResponse(codec.decodeResponse(body).value, { now: () => 0 });
      });
      expect(result.startsWith("THROWN"), `${result} for ${JSON.stringify(body).slice(0, 300)}`).toBe(false);
    }
  });

  it.skipIf(!fixturesAvailable)("the stream decoder stays well formed on mutated and truncated events", () => {
    const random = createRandom(13);
    const streams = listFixtures("openai-responses").filter((file) => file.kind === "stream").map((file) => readStreamFixture(file));
    for (let round = 0; round < 300; round++) {
      const messages = streams[round % streams.length] ?? [];
      const decoder = codec.createStreamDecoder();
      const events = messages.flatMap((message) => {
        const roll = random();
        if (roll < 0.05) return decoder.push({ data: message.data.slice(0, Math.floor(random() * message.data.length)) });
        if (roll < 0.2) return decoder.push({ data: JSON.stringify(mutate(JSON.parse(message.data), random)) });
        return decoder.push(message);
      });
      events.push(...decoder.end());
      assertWellFormedStream(events);
      const encoder = codec.createStreamEncoder({ now: () => 0 });
      expect(() => events.map((event) => encoder.push(event)).join("") + encoder.end()).not.toThrow();
    }
  });
});
