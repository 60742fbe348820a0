/**
 * The shell blocks of the README and the guides under docs/, as the tests run them: a test
 * names a block by its document and its first line, and runs the block's text as it is in the
 * document. Leading `NAME=value` lines are the block's parameters, the values a reader adapts
 * (a port, a path); a test may give its own values for them and for nothing else.
 * tests/unit/documentedCommands.test.ts checks that every block is run this way or by .ci/run.
 */
import * as fs from "fs";
import * as path from "path";

export const PROJECT_ROOT = path.resolve(__dirname, "..");

/** The documents whose shell blocks must be run by a test. */
export function documents(): string[] {
  const guides = fs
    .readdirSync(path.join(PROJECT_ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`);
  return ["README.md", ...guides];
}

/** The ```sh blocks of a Markdown text, without the indentation of a list item they sit in. */
export function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^([ \t]*)```sh\n([\s\S]*?)^\1```$/gm)].map(([, indent, body]) =>
    body
      .split("\n")
      .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
      .join("\n"),
  );
}

/** The block of `file` (relative to the project root) whose first line is `firstLine`. */
export function documentedBlock(file: string, firstLine: string): string {
  const blocks = shellBlocks(fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8")).filter(
    (block) => block.split("\n")[0] === firstLine,
  );
  if (blocks.length !== 1)
    throw new Error(`${file} has ${blocks.length} shell blocks starting with ${JSON.stringify(firstLine)}, not one`);
  return blocks[0];
}

/** `block` with the values of its leading `NAME=value` parameter lines replaced by `values`. */
export function withParameters(block: string, values: Record<string, string>): string {
  const lines = block.split("\n");
  const parameters = new Map<string, number>();
  for (const [index, line] of lines.entries()) {
    const parameter = /^([A-Z_][A-Z0-9_]*)=/.exec(line);
    if (parameter === null) break;
    parameters.set(parameter[1], index);
  }
  for (const [name, value] of Object.entries(values)) {
    const index = parameters.get(name);
    if (index === undefined) throw new Error(`the block sets no parameter ${name} in its first lines:\n${block}`);
    lines[index] = `${name}='${value.replace(/'/g, "'\\''")}'`;
  }
  return lines.join("\n");
}
