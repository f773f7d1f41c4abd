import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./create-logger.js";

describe("createLogger", () => {
  it("redacts secret-bearing fields and headers and keeps the rest", () => {
    let written = "";
    const logger = createLogger(
      "info",
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          written += chunk.toString("utf8");
          done();
        },
      }),
    );
    logger.info({
      event: "request.completed",
      authorization: "Bearer sk-planted-1",
      apiKey: "sk-planted-2",
      headers: { authorization: "Bearer sk-planted-3", "x-api-key": "sk-planted-4", "x-goog-api-key": "sk-planted-5" },
    });
    expect(written).not.toMatch(/sk-planted/);
    expect(JSON.parse(written)).toMatchObject({ event: "request.completed", apiKey: "[redacted]", headers: { "x-api-key": "[redacted]" } });
  });
});
