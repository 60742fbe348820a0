/**
 * npm run sdk: writes the component package's schema (sdk/schema.json) and the Python SDK
 * generated from it (sdk/python), with flamenco-gen-python-sdk (built by `npm run engine:setup`
 * from tools/pulumi-go). A test fails when either is stale.
 */
import { createHash } from "crypto";
import { execFileSync } from "child_process";
import * as fs from "fs";
import {
  packageSchema,
  PYTHON_SDK_DIRECTORY,
  PYTHON_SDK_SCHEMA_DIGEST,
  SCHEMA_FILE,
  SDK_DIRECTORY,
} from "./sdk/schema";

export const GENERATOR = "flamenco-gen-python-sdk";

async function main(): Promise<void> {
  const schema = await packageSchema();
  fs.mkdirSync(SDK_DIRECTORY, { recursive: true });
  fs.writeFileSync(`${SCHEMA_FILE}.partial`, schema);
  fs.renameSync(`${SCHEMA_FILE}.partial`, SCHEMA_FILE);
  try {
    execFileSync(GENERATOR, [SCHEMA_FILE, PYTHON_SDK_DIRECTORY], { stdio: "inherit" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error(`${GENERATOR} is not on PATH: run npm run engine:setup (as root), which builds it`);
    }
    throw error;
  }
  fs.writeFileSync(PYTHON_SDK_SCHEMA_DIGEST, `${createHash("sha256").update(schema).digest("hex")}\n`);
  process.stdout.write(`wrote ${SCHEMA_FILE} and ${PYTHON_SDK_DIRECTORY}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`sdk: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
