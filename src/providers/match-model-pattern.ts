/**
 * Model-name globs, shared by capability rules and aliases: `*` matches any run of characters (slashes included,
 * since model ids contain them), `?` exactly one; everything else is literal. Compiled patterns are cached in a
 * bounded map because the same few patterns are matched on every request.
 */
const compiledPatterns = new Map<string, RegExp>();
const maxCompiledPatterns = 1_000;

/** Whether a pattern has wildcards (otherwise it only matches itself). */
export function isModelGlob(pattern: string): boolean {
  return pattern.includes("*") || pattern.includes("?");
}

/**
 * Matches a model id against a glob; returns the texts the wildcards matched (in order), or undefined for no match.
 */
export function matchModelPattern(pattern: string, model: string): string[] | undefined {
  if (!isModelGlob(pattern)) return pattern === model ? [] : undefined;
  const match = compileModelPattern(pattern).exec(model);
  return match === null ? undefined : match.slice(1);
}

function compileModelPattern(pattern: string): RegExp {
  const cached = compiledPatterns.get(pattern);
  if (cached !== undefined) return cached;
  let source = "";
  for (const character of pattern) {
    if (character === "*") source += "(.*)";
    else if (character === "?") source += "(.)";
    else source += character.replace(/[\\^$.|+()[\]{}]/g, "\\$&");
  }
  const compiled = new RegExp(`^${source}$`, "s");
  if (compiledPatterns.size >= maxCompiledPatterns) compiledPatterns.clear();
  compiledPatterns.set(pattern, compiled);
  return compiled;
}
