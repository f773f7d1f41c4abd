import pino, { type DestinationStream, type Logger } from "pino";
import type { LogLevel } from "../config/index.js";
import { batchLogLines } from "./batch-log-lines.js";

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
  return pino(options, destination ?? createBatchedStdout());
}

/**
 * stdout, written in batches (`batchLogLines`): pino's default writes each line synchronously, one write(2) per
 * request. The batches are written synchronously by pino's own sonic-boom, which handles EAGAIN; an asynchronous
 * sonic-boom costs more CPU instead (every write is a thread-pool round trip). Pending lines are written on exit.
 */
function createBatchedStdout(): DestinationStream {
  const stdout = pino.destination({ dest: 1, sync: true });
  const batcher = batchLogLines((text) => stdout.write(text));
  process.on("exit", batcher.flush);
  return batcher;
}
