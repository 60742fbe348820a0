/**
 * The unit tests that exercise components/config, components/render and scripts/*.js: the
 * code `npm run mutate` mutates. Program and engine tests are left out to keep a mutation run
 * short; they exercise the same code through the Pulumi layer.
 */
const base = require("./jest.config.js");

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ["<rootDir>/tests/unit/**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/tests/unit/engineDouble", "<rootDir>/tests/unit/importConfig"],
};
