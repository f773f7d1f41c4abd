import pino, { type Logger } from "pino";
import type { LogLevel } from "../config/index.js";

/**
 * The process logger: pino JSON, with every header or field that can carry a secret redacted wherever it appears
 * (credential values never reach the logger in the first place; this is the second line of defence).
 */
export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { name: "switchyard" },
    redact: {
      paths: [
        "*.authorization",
        "*.headers.authorization",
        "*.headers['x-api-key']",
        "*.headers['x-goog-api-key']",
        "*.headers['api-key']",
        "*.headers.cookie",
        "*.apiKey",
        "*.secret",
        "*.token",
      ],
      censor: "[redacted]",
    },
  });
}
