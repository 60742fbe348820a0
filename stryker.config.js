/**
 * Mutation testing (`npm run mutate`): how many deliberate bugs in the config schema, the pure
 * renderers and the command scripts the unit tests catch. Not part of `npm test`.
 * Incremental: reports/stryker-incremental.json (committed) lets a re-run test only the
 * mutants whose code or tests changed; `npm run mutate -- --force` retests everything.
 */
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
module.exports = {
  packageManager: "npm",
  testRunner: "jest",
  jest: { configFile: "jest.mutate.config.js", enableFindRelatedTests: true },
  mutate: ["components/config/**/*.ts", "components/render/**/*.ts", "scripts/*.js"],
  coverageAnalysis: "perTest",
  concurrency: 2,
  timeoutMS: 5000,
  incremental: true,
  incrementalFile: "reports/stryker-incremental.json",
  reporters: ["clear-text", "progress", "json"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: ".stryker-tmp",
  // Mutants are tested in this tree, not in a sandbox copy: Stryker's sandbox is private to the
  // user running it (0700), and the write-manager-files test that runs the script as another
  // user must be able to reach it. Stryker restores every file when the run ends (a copy stays
  // in .stryker-tmp/backup-*): leave the tree alone while it runs.
  inPlace: true,
  ignoreStatic: true,
};
