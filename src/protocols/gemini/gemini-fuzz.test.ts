import { describe, expect, it } from "vitest";
import { fixturesAvailable, listFixtures, readJsonFixture } from "../../../test/support/fixtures.js";
import { GatewayError } from "../../unified/index.js";
import { geminiCodec } from "./index.js";

const replacements: unknown[] = [null, 0, -2, "x", "", true, [], {}, [null], { unexpected: 1 }];

/** Every single-node mutation of a JSON document (each node replaced by each replacement, or deleted). */
function* mutations(document: unknown): Generator<unknown> {
  const paths: Array<Array<string | number>> = [];
  const walk = (node: unknown, path: Array<string | number>): void => {
    if (path.length > 0) paths.push(path);
    if (Array.isArray(node)) node.forEach((child, at) => walk(child, [...path, at]));
    else if (typeof node === "object" && node !== null) for (const key of Object.keys(node)) walk((node as Record<string, unknown>)[key], [...path, key]);
  };
  walk(document, []);
  for (const path of paths) {
    for (const replacement of [...replacements, undefined]) {
      const copy = structuredClone(document) as Record<string | number, unknown>;
      let parent: Record<string | number, unknown> = copy;
      for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
      const last = path[path.length - 1] as string | number;
      if (replacement === undefined && !Array.isArray(parent)) delete parent[last];
      else parent[last] = structuredClone(replacement);
      yield copy;
    }
  }
}

describe.skipIf(!fixturesAvailable)("gemini decoders on mutated fixtures", () => {
  it("requests: a decoded value (that re-encodes) or an invalid_request GatewayError, nothing else", () => {
    let decoded = 0;
    let rejected = 0;
    for (const file of listFixtures("gemini").filter((fixture) => fixture.kind === "request")) {
      for (const body of mutations(readJsonFixture(file))) {
        try {
          const { value } = geminiCodec.decodeRequest(body);
          geminiCodec.encodeRequest(value);
          decoded += 1;
        } catch (error) {
          if (!GatewayError.isInstance(error) || error.code !== "invalid_request") throw error;
          rejected += 1;
        }
      }
    }
    expect(decoded).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(0);
  });

  it("responses: decoded loosely (or a GatewayError for a body that is not a response)", () => {
    for (const file of listFixtures("gemini").filter((fixture) => fixture.kind === "response")) {
      for (const body of mutations(readJsonFixture(file))) {
        try {
          const { value } = geminiCodec.decodeResponse(body);
          geminiCodec.encodeResponse(value);
        } catch (error) {
          if (!GatewayError.isInstance(error)) throw error;
        }
      }
    }
  });
});
