/**
 * The unit tests that exercise components/config, components/render and scripts/*.js: the
 * code `npm run mutate` mutates. Program and engine tests are left out to keep a mutation run
 * short; they exercise the same code through the Pulumi layer. The one program suite that is
 * about components/config alone (reading the stack config) runs here as a file of its own.
 */
const base = require("./jest.config.js");

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ["<rootDir>/tests/unit/**/*.test.ts", "<rootDir>/tests/program/suites/readStackSettings.ts"],
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/tests/unit/importConfig"],
};
