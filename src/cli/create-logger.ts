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
  return pino(options, destination ?? createTurnBatchedStdout());
}

/**
 * stdout, written once per event-loop turn. pino's default writes each line synchronously: one write(2) per request,
 * before the JSON answer is returned and before a stream's last bytes, the largest single cost in a profile of the
 * gateway at one connection. Here the lines of a turn are joined and written (still synchronously, by pino's own
 * sonic-boom, which handles EAGAIN) in `setImmediate`, i.e. after that turn's responses went out. An asynchronous
 * sonic-boom costs more CPU instead (every write is a thread-pool round trip). Pending lines are written on exit.
 */
function createTurnBatchedStdout(): DestinationStream {
  const stdout = pino.destination({ dest: 1, sync: true });
  let pending: string[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    const text = pending.length === 1 ? (pending[0] ?? "") : pending.join("");
    pending = [];
    stdout.write(text);
  };
  process.on("exit", flush);
  return {
    write(line: string) {
      if (pending.push(line) === 1) setImmediate(flush);
    },
  };
}
