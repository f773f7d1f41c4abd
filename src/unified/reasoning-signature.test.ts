import { describe, expect, it } from "vitest";
import {
  artefactForProtocol,
  firstReasoningArtefact,
  originTagForProtocol,
  reasoningArtefactFields,
  tagReasoningArtefact,
  untagReasoningArtefact,
} from "./reasoning-signature.js";

describe("bare origin tags (unsigned reasoning of another origin)", () => {
  it("are written only for a foreign origin", () => {
    expect(originTagForProtocol({ protocol: "openai-chat" }, "anthropic-messages")).toBe("swy1.openai-chat.");
    expect(originTagForProtocol({ protocol: "gemini", provider: "google" }, "openai-responses")).toBe("swy1.gemini.");
    expect(originTagForProtocol({ protocol: "anthropic-messages" }, "anthropic-messages")).toBeUndefined();
    expect(originTagForProtocol(undefined, "anthropic-messages")).toBeUndefined();
    // The same text as tagging an empty artefact.
    expect(originTagForProtocol({ protocol: "openai-chat" }, "gemini")).toBe(tagReasoningArtefact("", "openai-chat"));
    expect(artefactForProtocol("", { protocol: "openai-chat" }, "gemini")).toBe("swy1.openai-chat.");
  });

  it("untag to their origin and an empty artefact; an untagged empty value stays the arrival protocol's", () => {
    expect(untagReasoningArtefact("swy1.openai-chat.", "anthropic-messages")).toEqual({ artefact: "", origin: { protocol: "openai-chat" } });
    expect(untagReasoningArtefact("", "anthropic-messages")).toEqual({ artefact: "", origin: { protocol: "anthropic-messages" } });
    // An unknown protocol name is no tag.
    expect(untagReasoningArtefact("swy1.nope.", "gemini")).toEqual({ artefact: "swy1.nope.", origin: { protocol: "gemini" } });
  });
});

describe("artefact kind and item id inside tags (one grammar for every codec)", () => {
  it("writes a kind marker for redacted and encrypted artefacts, none for a signature without id", () => {
    expect(tagReasoningArtefact("c2ln", "gemini")).toBe("swy1.gemini.c2ln");
    expect(tagReasoningArtefact("c2ln", "gemini", "signature")).toBe("swy1.gemini.c2ln");
    expect(tagReasoningArtefact("b3Bx", "anthropic-messages", "redacted")).toBe("swy1.anthropic-messages.redacted:b3Bx");
    expect(tagReasoningArtefact("gAAA", "openai-responses", "encrypted")).toBe("swy1.openai-responses.encrypted:gAAA");
    // An item id makes the marker appear whatever the kind; it is percent-encoded.
    expect(tagReasoningArtefact("gAAA", "openai-responses", "encrypted", "rs_1")).toBe("swy1.openai-responses.encrypted@rs_1:gAAA");
    expect(tagReasoningArtefact("c2ln", "openai-chat", undefined, "a:b@c")).toBe("swy1.openai-chat.signature@a%3Ab%40c:c2ln");
    expect(artefactForProtocol("gAAA", { protocol: "openai-responses" }, "anthropic-messages", "encrypted", "rs_1")).toBe("swy1.openai-responses.encrypted@rs_1:gAAA");
    // Own artefacts stay raw: no tag, no marker, no id.
    expect(artefactForProtocol("gAAA", { protocol: "openai-responses" }, "openai-responses", "encrypted", "rs_1")).toBe("gAAA");
  });

  it("untags to the payload, its origin, and the marker's kind and id", () => {
    expect(untagReasoningArtefact("swy1.openai-responses.encrypted@rs_1:gAAA", "anthropic-messages")).toEqual({
      artefact: "gAAA",
      origin: { protocol: "openai-responses" },
      kind: "encrypted",
      id: "rs_1",
    });
    expect(untagReasoningArtefact("swy1.anthropic-messages.redacted:b3Bx", "gemini")).toEqual({ artefact: "b3Bx", origin: { protocol: "anthropic-messages" }, kind: "redacted" });
    expect(untagReasoningArtefact("swy1.openai-chat.signature@a%3Ab%40c:c2ln", "gemini")).toEqual({
      artefact: "c2ln",
      origin: { protocol: "openai-chat" },
      kind: "signature",
      id: "a:b@c",
    });
    // No marker: the caller's slot decides the kind.
    expect(untagReasoningArtefact("swy1.gemini.c2ln", "openai-chat")).toEqual({ artefact: "c2ln", origin: { protocol: "gemini" } });
    // Untagged values are never read for markers (real artefacts are base64 and have no colon anyway).
    expect(untagReasoningArtefact("encrypted:gAAA", "openai-responses")).toEqual({ artefact: "encrypted:gAAA", origin: { protocol: "openai-responses" } });
  });

  it("round-trips every kind, with and without id, and ignores what is no marker", () => {
    for (const kind of ["signature", "redacted", "encrypted"] as const) {
      for (const id of [undefined, "rs_68b1"]) {
        const read = untagReasoningArtefact(tagReasoningArtefact("QUJD+/==", "openai-responses", kind, id), "gemini");
        expect(read.artefact).toBe("QUJD+/==");
        expect(read.kind ?? "signature").toBe(kind);
        expect(read.id).toBe(id);
      }
    }
    // A word that is no kind, or a malformed id, is not a marker / is dropped; never a throw.
    expect(untagReasoningArtefact("swy1.gemini.other:x", "openai-chat").artefact).toBe("other:x");
    expect(untagReasoningArtefact("swy1.gemini.encrypted@%E0%A4%A:x", "openai-chat")).toEqual({ artefact: "x", origin: { protocol: "gemini" }, kind: "encrypted" });
    expect(untagReasoningArtefact("swy1.gemini.encrypted@rs_1", "openai-chat").artefact).toBe("encrypted@rs_1");
  });

  it("picks the one artefact a single-slot client can take, counting the others", () => {
    expect(firstReasoningArtefact({})).toBeUndefined();
    expect(firstReasoningArtefact({ encryptedContent: "e" })).toEqual({ kind: "encrypted", value: "e", others: 0 });
    expect(firstReasoningArtefact({ signature: "s", redactedData: "r", encryptedContent: "e" })).toEqual({ kind: "signature", value: "s", others: 2 });
    expect(reasoningArtefactFields).toEqual({ signature: "signature", redacted: "redactedData", encrypted: "encryptedContent" });
  });
});
