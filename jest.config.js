/**
 * Unit and program tests: no Pulumi CLI, no Docker. Engine tests have their own config.
 * `npm test` type-checks once with tsc, so jest only transpiles (swc) instead of type-checking
 * every file a second time.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  // Both cores: jest would keep one free for itself, and the suite is mostly module loading.
  maxWorkers: 2,
  roots: ["<rootDir>/tests"],
  testSequencer: "<rootDir>/tests/programTestsFirst.js",
  testMatch: ["<rootDir>/tests/unit/**/*.test.ts", "<rootDir>/tests/program/**/*.test.ts"],
  transform: {
    "^.+\\.tsx?$": [
      "@swc/jest",
      { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } },
    ],
  },
};
