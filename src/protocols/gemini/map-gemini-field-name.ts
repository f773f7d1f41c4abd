import type { WireObject } from "../common/index.js";

/**
 * The Gemini REST API is proto3 JSON: it accepts every field in lowerCamelCase and in its original snake_case
 * (google-genai for Python sends e.g. `thinking_budget`, `parameters_json_schema`). The decoder reads both and
 * remembers the snake_case names it met, so the encoder of the same request writes them back the same way.
 * @see https://protobuf.dev/programming-guides/json/
 */

/** `maxOutputTokens` → `max_output_tokens`. */
export function snakeCaseOf(camel: string): string {
  return camel.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** Both spellings of each name, for unknown-field detection. */
export function bothSpellings(camelNames: readonly string[]): ReadonlySet<string> {
  const names = new Set<string>();
  for (const name of camelNames) {
    names.add(name);
    names.add(snakeCaseOf(name));
  }
  return names;
}

/** Reads fields under either spelling while recording which snake_case names the client used. */
export class GeminiFieldReader {
  private used: Set<string> | undefined;

  /** The value under the camelCase name, else under the snake_case one. */
  read(object: WireObject, camel: string): unknown {
    const value = object[camel];
    if (value !== undefined) return value;
    const snake = snakeCaseOf(camel);
    if (snake === camel) return undefined;
    const snakeValue = object[snake];
    if (snakeValue !== undefined) (this.used ??= new Set()).add(snake);
    return snakeValue;
  }

  /** The key a field was actually written under (for keeping it verbatim); camelCase when absent. */
  wireKey(object: WireObject, camel: string): string {
    if (object[camel] !== undefined) return camel;
    const snake = snakeCaseOf(camel);
    return object[snake] !== undefined ? snake : camel;
  }

  /** The snake_case names met so far, or undefined when the client used camelCase throughout. */
  snakeNames(): string[] | undefined {
    return this.used === undefined ? undefined : [...this.used];
  }
}

/** Writes field names in the spelling the original client used (camelCase unless recorded otherwise). */
export class GeminiFieldWriter {
  private readonly snake: ReadonlySet<string> | undefined;

  constructor(snakeNames: unknown) {
    this.snake = Array.isArray(snakeNames) && snakeNames.length > 0 ? new Set(snakeNames.map(String)) : undefined;
  }

  /** The wire name for a camelCase field. */
  name(camel: string): string {
    if (this.snake === undefined) return camel;
    const snake = snakeCaseOf(camel);
    return this.snake.has(snake) ? snake : camel;
  }
}
