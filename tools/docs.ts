/**
 * npm run docs: renders docs/configuration.md and Pulumi.yaml's config block from the config
 * schema (components/config/schema.ts) and writes the files that changed, each atomically,
 * after both are rendered. A second run changes nothing; a unit test fails when either is stale.
 */
import * as fs from "fs";
import * as path from "path";
import { writeAtomicallySync } from "../scripts/atomic-write";
import { generatedFiles, PROJECT_ROOT } from "./docs/generatedFiles";

function main(): void {
  const read = (file: string) => fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");
  const current = (file: string) => (fs.existsSync(path.join(PROJECT_ROOT, file)) ? read(file) : undefined);
  for (const { file, text } of generatedFiles(read)) {
    if (current(file) === text) {
      process.stdout.write(`${file}: up to date\n`);
    } else {
      fs.mkdirSync(path.dirname(path.join(PROJECT_ROOT, file)), { recursive: true });
      writeAtomicallySync(path.join(PROJECT_ROOT, file), text);
      process.stdout.write(`${file}: written\n`);
    }
  }
}

try {
  main();
} catch (error) {
  process.stderr.write(`docs: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
