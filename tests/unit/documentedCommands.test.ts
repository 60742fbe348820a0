/**
 * Every shell block in the README and the guides under docs/ is run as written: by .ci/run (each
 * of its commands is a line of that script), or by a test that names it with `runDocumented` or
 * `documentedBlock` (tests/documented.ts), which read the block from the document itself.
 */
import * as fs from "fs";
import * as path from "path";
import { documentedBlock, documents, PROJECT_ROOT, shellBlocks, withParameters } from "../documented";

const read = (file: string) => fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");

/** The commands .ci/run runs, without the `time` it measures some with. */
const ciCommands = new Set(
  read(".ci/run")
    .split("\n")
    .map((line) => line.trim().replace(/^time /, "")),
);

/** Every test source file, recursively. */
function testSources(directory = path.join(PROJECT_ROOT, "tests")): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === "fixtures" ? [] : testSources(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

/** The blocks the tests run: [document, first line], from calls with two string literals. */
const referenced = testSources().flatMap((file) =>
  [
    ...fs
      .readFileSync(file, "utf8")
      .matchAll(/(?:runDocumented|documentedBlock)\(\s*"([^"]+)",\s*("(?:[^"\\]|\\.)*")/g),
  ].map(([, document, firstLine]) => `${document}: ${JSON.parse(firstLine) as string}`),
);

const blocks = documents().flatMap((file) =>
  shellBlocks(read(file)).map((text) => ({ file, text, firstLine: text.split("\n")[0] })),
);

/** A block whose every command .ci/run runs; comments and blank lines aside. */
function runByCi(text: string): boolean {
  const commands = text.split("\n").filter((line) => line.trim() !== "" && !line.trim().startsWith("#"));
  return commands.every((command) => ciCommands.has(command));
}

test("the docs have shell blocks, and the tests run some by name", () => {
  expect(blocks.length).toBeGreaterThan(5);
  expect(referenced.length).toBeGreaterThan(3);
});

test("every shell block of the docs is run by .ci/run or by a test, as written", () => {
  const unrun = blocks
    .filter(({ file, text, firstLine }) => !runByCi(text) && !referenced.includes(`${file}: ${firstLine}`))
    .map(({ file, firstLine }) => `${file}: ${firstLine}`);
  expect(unrun).toEqual([]);
});

test("every block a test names is in its document, once", () => {
  for (const reference of new Set(referenced)) {
    const [file, firstLine] = [
      reference.slice(0, reference.indexOf(": ")),
      reference.slice(reference.indexOf(": ") + 2),
    ];
    expect(() => documentedBlock(file, firstLine)).not.toThrow();
  }
});

describe("reading a block", () => {
  const markdown = [
    "Intro.",
    "```sh",
    "npm run up -- dev",
    "```",
    "- A step:",
    "",
    "  ```sh",
    "  PORT=8484",
    "  curl http://127.0.0.1:$PORT/",
    "  ```",
    "```yaml",
    "a: 1",
    "```",
  ].join("\n");

  test("finds sh blocks, also indented in a list item, and no other language", () => {
    expect(shellBlocks(markdown)).toEqual(["npm run up -- dev\n", "PORT=8484\ncurl http://127.0.0.1:$PORT/\n"]);
  });

  test("a test may set the leading parameters, and nothing else", () => {
    const block = "PORT=8484\ncurl http://127.0.0.1:$PORT/\n";
    expect(withParameters(block, { PORT: "18484" })).toBe("PORT='18484'\ncurl http://127.0.0.1:$PORT/\n");
    expect(() => withParameters(block, { HOST: "x" })).toThrow("the block sets no parameter HOST");
    expect(() => withParameters("curl x\nPORT=1\n", { PORT: "2" })).toThrow("no parameter PORT");
  });
});
