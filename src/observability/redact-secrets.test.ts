import { describe, expect, it } from "vitest";
import { GatewayError } from "../unified/index.js";
import { createRedactor, redactSecrets } from "./redact-secrets.js";

const planted = "zz-planted-7f3a9c1e5b";

describe("redactSecrets", () => {
  it("removes secret-named keys at any depth but keeps token counts", () => {
    expect(
      redactSecrets({
        headers: { Authorization: "Bearer abc", "X-Goog-Api-Key": "g", cookie: "c", "content-type": "application/json" },
        body: { nested: [{ apiKey: "k", refresh_token: "r", password: "p", client_secret: "s" }], usage: { max_tokens: 5, input_tokens: 3 } },
      }),
    ).toEqual({
      headers: { Authorization: "[redacted]", "X-Goog-Api-Key": "[redacted]", cookie: "[redacted]", "content-type": "application/json" },
      body: { nested: [{ apiKey: "[redacted]", refresh_token: "[redacted]", password: "[redacted]", client_secret: "[redacted]" }], usage: { max_tokens: 5, input_tokens: 3 } },
    });
  });

  it("removes bearer tokens, query keys, JSON-in-text keys, header lines and configured values from text", () => {
    const redactor = createRedactor([planted]);
    expect(redactor.text("https://g.example/v1beta/models/x:generateContent?alt=sse&key=AIzaSecret")).toBe("https://g.example/v1beta/models/x:generateContent?alt=sse&key=[redacted]");
    expect(redactor.text("401: Bearer eyJhbGciOi.x-y rejected, the bearer of news")).toBe("401: Bearer [redacted] rejected, the bearer of news");
    expect(redactor.text('data: {"api_key":"abc\\"def","text":"hi"}')).toBe('data: {"api_key":"[redacted]","text":"hi"}');
    expect(redactor.text("x-api-key: abcdef, retry")).toBe("x-api-key: [redacted], retry");
    expect(redactor.text('{"detail":"{\\"refresh_token\\": \\"r-e-f\\", \\"n\\": 1}"}')).toBe('{"detail":"{\\"refresh_token\\": \\"[redacted]\\", \\"n\\": 1}"}');
    expect(redactor.text(`Incorrect API key provided: ${planted}.`)).toBe("Incorrect API key provided: [redacted].");
    expect(redactor.text("Incorrect API key provided: sk-proj-abcdefghijklmnop1234")).toBe("Incorrect API key provided: [redacted]");
  });

  it("turns errors into redacted plain data and survives cycles", () => {
    const error = new GatewayError("authentication", `bad key ${planted}`, { provider: "openai" });
    const value = redactSecrets({ error }, [planted]) as { error: Record<string, unknown> };
    expect(value.error["message"]).toBe("bad key [redacted]");
    expect(value.error["code"]).toBe("authentication");
    expect(String(value.error["stack"])).not.toContain(planted);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic["self"] = cyclic;
    expect(redactSecrets(cyclic)).toEqual({ a: 1, self: "[circular]" });
  });
});
