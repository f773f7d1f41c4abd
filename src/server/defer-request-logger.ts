import type { FastifyBaseLogger } from "fastify";
import type { Bindings, ChildLoggerOptions } from "pino";

type LogMethod = (...args: unknown[]) => void;

/**
 * Fastify's per-request logger (`request.log`, `reply.log`, with the `reqId` binding), made only when something logs
 * through it. Fastify makes a pino child for every request, which rebuilds the child's formatters each time (it passes
 * an options object), while nothing on a served request logs through it: the pipeline writes its own
 * `request.completed` line and Fastify's request lines are off. Fastify's own warnings and errors still get the
 * child, with the same bindings, on their first log call.
 */
class DeferredRequestLogger {
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions;
  #child: FastifyBaseLogger | undefined;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  get #logger(): FastifyBaseLogger {
    return (this.#child ??= this.#parent.child(this.#bindings, this.#options));
  }

  get level(): string {
    return this.#logger.level;
  }

  set level(level: string) {
    this.#logger.level = level;
  }

  info(...args: unknown[]): void {
    (this.#logger.info as LogMethod)(...args);
  }

  error(...args: unknown[]): void {
    (this.#logger.error as LogMethod)(...args);
  }

  debug(...args: unknown[]): void {
    (this.#logger.debug as LogMethod)(...args);
  }

  fatal(...args: unknown[]): void {
    (this.#logger.fatal as LogMethod)(...args);
  }

  warn(...args: unknown[]): void {
    (this.#logger.warn as LogMethod)(...args);
  }

  trace(...args: unknown[]): void {
    (this.#logger.trace as LogMethod)(...args);
  }

  silent(...args: unknown[]): void {
    (this.#logger.silent as LogMethod)(...args);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#logger.child(bindings, options);
  }
}

/** Fastify's `childLoggerFactory`: the request's child logger, deferred until its first use. */
export function deferRequestLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new DeferredRequestLogger(logger, bindings, options);
}
