import { GatewayError } from "../unified/index.js";
import { formatPath } from "./config-file-schema.js";

/** Field names that hold secrets, compared lower-cased without `-` and `_` (apiKey, api_key, x-api-key, token…). */
const secretFieldPattern = /(?:key|keys|secret|secrets|token|tokens|password|passwd|authorization|credential|credentials)$/;

/**
 * Rejects secrets in the JSON config file: any field named like a key, secret or token whose value is a string (or
 * strings), anywhere in the file. Config files get committed and shared; keys belong in the environment or `.env`.
 * `aliases` is skipped: its keys are model patterns, not field names.
 */
export function rejectConfigSecrets(value: unknown, filePath: string): void {
  visit(value, [], filePath);
}

function visit(value: unknown, path: readonly (string | number)[], filePath: string): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => visit(item, [...path, index], filePath));
    return;
  }
  if (typeof value !== "object" || value === null) return;
  for (const [key, child] of Object.entries(value)) {
    if (path.length === 0 && key === "aliases") continue;
    const childPath = [...path, key];
    const normalized = key.toLowerCase().replace(/[-_]/g, "");
    const holdsString = typeof child === "string" || (Array.isArray(child) && child.some((item) => typeof item === "string"));
    if (holdsString && secretFieldPattern.test(normalized)) {
      throw new GatewayError(
        "config",
        `${filePath}: ${formatPath(childPath)}: secrets do not belong in the config file; ${whereInstead(childPath)} (environment or .env)`,
      );
    }
    visit(child, childPath, filePath);
  }
}

/** Points at the variable that takes this secret. */
function whereInstead(path: readonly (string | number)[]): string {
  if (path[0] === "providers" && typeof path[1] === "string") {
    return `set ${path[1].toUpperCase().replaceAll("-", "_")}_API_KEY`;
  }
  if (path.length === 1 && typeof path[0] === "string" && path[0].toLowerCase().startsWith("proxy")) return "set SWITCHYARD_PROXY_KEYS";
  return "set it in the environment";
}
