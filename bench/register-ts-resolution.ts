import { existsSync } from "node:fs";
import { registerHooks } from "node:module";
import { fileURLToPath } from "node:url";

/**
 * Lets Node's built-in type stripping run the TypeScript sources directly: our imports use `.js` specifiers (as
 * tsc's NodeNext resolution wants), so a relative `./x.js` is resolved to `./x.ts` when only the latter exists.
 * Used as `node --import ./bench/register-ts-resolution.ts bench/<script>.ts`; no build step, no extra package.
 */
registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier.startsWith(".") && specifier.endsWith(".js") && context.parentURL !== undefined) {
      const candidate = new URL(`${specifier.slice(0, -3)}.ts`, context.parentURL);
      if (existsSync(fileURLToPath(candidate))) return nextResolve(candidate.href, context);
    }
    return nextResolve(specifier, context);
  },
});
