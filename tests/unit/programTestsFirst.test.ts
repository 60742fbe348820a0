/**
 * The jest test order: program tests first, also on a fresh clone where jest has no timings and
 * would start the largest files first (the program test file is the smallest).
 */
import * as fs from "fs";
import * as path from "path";
import ProgramTestsFirst = require("../programTestsFirst");

const TESTS = path.resolve(__dirname, "..");

/** A test file as jest hands it to the sequencer, with no cached timings. */
function testFile(relativePath: string) {
  return {
    path: path.join(TESTS, relativePath),
    duration: undefined,
    context: {
      config: { cache: false, id: "unit", rootDir: path.dirname(TESTS) },
      hasteFS: { getSize: (file: string) => fs.statSync(file).size },
    },
  } as unknown as Parameters<ProgramTestsFirst["sort"]>[0][number];
}

test("without timings: the program tests, then the other files largest first", () => {
  const files = ["unit/atomicWrite.test.ts", "program/program.test.ts", "unit/fetchRelease.test.ts"];
  const sizes = files.map((file) => fs.statSync(path.join(TESTS, file)).size);
  expect(sizes[1]).toBeLessThan(sizes[0]);
  expect(sizes[0]).toBeLessThan(sizes[2]);

  const sorted = new ProgramTestsFirst({} as never).sort(files.map(testFile));
  expect(sorted.map((test) => path.relative(TESTS, test.path))).toEqual([
    "program/program.test.ts",
    "unit/fetchRelease.test.ts",
    "unit/atomicWrite.test.ts",
  ]);
});
