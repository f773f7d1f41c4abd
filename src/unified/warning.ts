/** A translation loss: something the target cannot carry, dropped or changed on purpose. Logged and counted. */
export interface UnifiedWarning {
  /** Stable kebab-case code, e.g. `reasoning-dropped-other-origin`. */
  code: string;
  message: string;
  /** Where in the request or response (e.g. `messages[3].content[1]`). */
  path?: string;
}

/** A value plus the warnings produced while making it. */
export interface CodecOutput<T> {
  value: T;
  warnings: UnifiedWarning[];
}
