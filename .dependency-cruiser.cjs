/**
 * Import boundaries from DESIGN.md: imports go one way down the layers, no codec imports another codec,
 * and other modules reach a module only through its index.ts.
 */
const layers = [
  ["unified"],
  ["protocols"],
  ["providers"],
  ["upstream", "streaming"],
  ["credentials", "routing", "adapters", "field-cache", "usage"],
  ["pipeline"],
  ["responses"],
  ["config"],
  ["server", "cli", "library"],
];
// state and observability sit beside the layers: anything below server may use them, they use only unified.
const sideModules = ["state", "observability"];

const forbidden = [];
layers.forEach((group, index) => {
  const higher = layers.slice(index + 1).flat();
  if (higher.length === 0) return;
  forbidden.push({
    name: `layer-${group.join("-")}`,
    comment: `${group.join(", ")} may not import from a higher layer (${higher.join(", ")})`,
    severity: "error",
    from: { path: `^src/(${group.join("|")})/` },
    to: { path: `^src/(${higher.join("|")})/` },
  });
});
forbidden.push({
  name: "side-modules-stay-low",
  comment: "state and observability may use only unified and each other",
  severity: "error",
  from: { path: `^src/(${sideModules.join("|")})/` },
  to: { path: `^src/(${layers.slice(1).flat().join("|")})/` },
});
forbidden.push({
  name: "no-codec-imports-another-codec",
  comment: "a codec translates through unified only; it never imports another codec",
  severity: "error",
  from: { path: "^src/protocols/([^/]+)/" },
  to: { path: "^src/protocols/[^/]+/", pathNot: ["^src/protocols/$1/", "^src/protocols/common/"] },
});
forbidden.push({
  name: "modules-only-through-index",
  comment: "another module is reached only through its index.ts",
  severity: "error",
  from: { path: "^src/([^/]+)/" },
  to: { path: "^src/[^/]+/.+", pathNot: ["^src/$1/", "^src/[^/]+/index\\.ts$"] },
});
forbidden.push({
  name: "codecs-only-through-index",
  comment: "a codec folder is reached from outside only through its index.ts",
  severity: "error",
  from: { path: "^src/(?!protocols/)" },
  to: { path: "^src/protocols/[^/]+/.+", pathNot: ["^src/protocols/[^/]+/index\\.ts$"] },
});
forbidden.push({
  name: "no-circular",
  severity: "error",
  from: {},
  to: { circular: true },
});

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "\\.test\\.ts$" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
