/** Engine tests: the real program applied to a real Docker engine (see tests/engine/). */
const { transform } = require("./jest.config.js");

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["<rootDir>/tests/engine/**/*.engine.test.ts"],
  // Transpile only, as the unit tests do: `npm test` type-checks the engine tests too.
  transform,
  testTimeout: 600000,
  maxWorkers: 1,
};
