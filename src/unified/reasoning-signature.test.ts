import { describe, expect, it } from "vitest";
import { artefactForProtocol, originTagForProtocol, tagReasoningArtefact, untagReasoningArtefact } from "./reasoning-signature.js";

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
