// @ts-check
"use strict";
/**
 * Jest's test order, but with the program tests first. Jest starts the files whose last run took
 * longest, or, with no timings cached (a fresh clone, CI), the largest files; the program test
 * file only imports its topics, so there it would run last. In a jest worker every test file
 * before it leaves an AsyncLocalStorage of jest-circus behind that is never disabled, and each
 * one adds to the cost of every promise the Pulumi SDK makes: run after the unit files, the
 * program tests take several times the CPU.
 */
const path = require("path");
const Sequencer = require("@jest/test-sequencer").default;

const PROGRAM_TESTS = path.join(__dirname, "program") + path.sep;

/** @param {{ path: string }} test */
const isProgramTest = (test) => test.path.startsWith(PROGRAM_TESTS);

class ProgramTestsFirst extends Sequencer {
  /**
   * @override
   * @param {import("@jest/test-result").Test[]} tests
   */
  sort(tests) {
    const ordered = /** @type {import("@jest/test-result").Test[]} */ (super.sort(tests));
    return [...ordered.filter(isProgramTest), ...ordered.filter((test) => !isProgramTest(test))];
  }
}

module.exports = ProgramTestsFirst;
