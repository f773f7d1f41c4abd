import { cruise } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import extractTSConfig from "dependency-cruiser/config-utl/extract-ts-config";
import { describe, expect, it } from "vitest";

/**
 * The codecs obey the project's import rules (.dependency-cruiser.cjs, as `npm run lint` runs them): no circular
 * import (a cycle inside a codec folder once crept in between the Responses stream encoder and its block writer),
 * no codec importing another, other modules only through index.ts. Checked here too so that a codec change cannot
 * pass its own test run while breaking the lint.
 */
describe("codec import graph", () => {
  it("src/protocols has no dependency-cruiser violation", async () => {
    const options = await extractDepcruiseOptions("./.dependency-cruiser.cjs");
    const result = await cruise(["src/protocols"], options, undefined, { tsConfig: extractTSConfig("./tsconfig.json") });
    if (typeof result.output === "string") throw new Error("dependency-cruiser returned text, not a cruise result");
    const violations = result.output.summary.violations.map((violation) => ({
      rule: violation.rule.name,
      from: violation.from,
      to: violation.to,
      ...(violation.cycle === undefined ? {} : { cycle: violation.cycle.map((step) => step.name) }),
    }));
    expect(violations).toEqual([]);
    // The cruise really covered the codecs (an empty cruise would pass vacuously).
    expect(result.output.summary.totalCruised).toBeGreaterThan(100);
  }, 30_000);
});
