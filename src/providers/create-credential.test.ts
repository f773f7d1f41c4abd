import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { createCredential, createKeylessCredential, hashCredentialSecret } from "./create-credential.js";

const secret = "sk-test-0123456789abcdef0123";

describe("createCredential", () => {
  it("derives a stable keyed-hash id prefixed by the provider", () => {
    expect(createCredential("openai", secret).id).toBe("openai:967db85077");
    expect(createCredential("openai", secret).id).toBe(createCredential("openai", secret).id);
    expect(hashCredentialSecret("short-key")).toBe("ee194032a9");
  });

  it("fingerprints long secrets as first 3 + last 4, short ones by id", () => {
    expect(createCredential("openai", secret).fingerprint).toBe("sk-…0123");
    expect(createCredential("groq", "short-key").fingerprint).toBe("groq:ee194032a9");
  });

  it("exposes the secret only through its getter, never when serialized or inspected", () => {
    const credential = createCredential("openai", secret);
    expect(credential.secret).toBe(secret);
    expect(credential.keyless).toBe(false);
    expect(Object.keys(credential)).toEqual(["id", "providerId", "fingerprint"]);
    expect(JSON.stringify(credential)).toBe('{"id":"openai:967db85077","providerId":"openai","fingerprint":"sk-…0123"}');
    expect(JSON.stringify({ nested: [credential] })).not.toContain(secret);
    expect(String(credential)).toBe("openai:967db85077");
    expect(`${credential}`).not.toContain(secret);
    expect(inspect(credential, { depth: 10, showHidden: true })).not.toContain(secret);
    expect(inspect({ credential }, { depth: 10 })).toBe("{ credential: Credential(openai:967db85077) }");
    expect({ ...credential }).toEqual({ id: "openai:967db85077", providerId: "openai", fingerprint: "sk-…0123" });
  });

  it("makes a keyless stand-in for providers used without a key", () => {
    const keyless = createKeylessCredential("ollama");
    expect(keyless).toMatchObject({ id: "ollama:keyless", providerId: "ollama", fingerprint: "keyless", secret: "", keyless: true });
  });
});
