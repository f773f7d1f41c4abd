import { describe, expect, it } from "vitest";
import { protocolIds } from "../../src/unified/index.js";
import { runCodecConformance } from "../support/codec-conformance.js";
import { loadCodecs } from "../support/load-codecs.js";

const { codecs, missing } = await loadCodecs();

for (const protocol of protocolIds) {
  const codec = codecs.get(protocol);
  if (codec === undefined) {
    describe(`codec conformance: ${protocol}`, () => {
      it("codec exists", () => {
        expect.fail(missing.get(protocol) ?? "not loaded");
      });
    });
    continue;
  }
  // No codec is excused from any scenario; an entry here needs a reason, and the suite checks it has one.
  runCodecConformance({ codec, skip: [] });
}
