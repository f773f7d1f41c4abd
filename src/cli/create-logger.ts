import pino, { type DestinationStream, type Logger } from "pino";
import type { LogLevel } from "../config/index.js";

/** The process logger: pino JSON with the fields that could carry a secret redacted. */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { name: "switchyard" },
    // Named paths only: the pipeline never logs headers or bodies, and wildcard paths cost ~20 µs per line
    // (bench/README.md). Credential values never reach the logger; this is the second line of defence.
    redact: {
      paths: ["authorization", "apiKey", "secret", "token", "headers.authorization", 'headers["x-api-key"]', 'headers["x-goog-api-key"]', "headers.cookie"],
      censor: "[redacted]",
    },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
