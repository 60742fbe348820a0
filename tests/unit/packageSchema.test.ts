/**
 * The component package: its schema, read from the TypeScript declarations, and the Python SDK
 * generated from it are committed (sdk/); these tests fail when either is stale (run
 * `npm run sdk`), and keep the rules the schema analyzer relies on.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { FLAMENCO_LANDSCAPE_TYPE } from "../../components/flamencoLandscape";
import { KEY_KINDS } from "../../components/config/schema";
import { packageSchema, PYTHON_SDK_SCHEMA_DIGEST, SCHEMA_FILE } from "../../tools/sdk/schema";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

interface Schema {
  name: string;
  version: string;
  resources: Record<string, { isComponent?: boolean; inputProperties: Record<string, unknown> }>;
}

let generated: string;
beforeAll(async () => {
  generated = await packageSchema();
});

test("sdk/schema.json is the schema of the component as declared today", () => {
  expect(fs.readFileSync(SCHEMA_FILE, "utf8")).toBe(generated);
});

test("the Python SDK was generated from that schema", () => {
  const digest = createHash("sha256").update(fs.readFileSync(SCHEMA_FILE)).digest("hex");
  expect(fs.readFileSync(PYTHON_SDK_SCHEMA_DIGEST, "utf8").trim()).toBe(digest);
});

test("the component's type token is <package.json name>:index:<class name>, the one it registers under", () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
    name: string;
    version: string;
  };
  const schema = JSON.parse(generated) as Schema;
  expect(FLAMENCO_LANDSCAPE_TYPE).toBe(`${manifest.name}:index:FlamencoLandscape`);
  expect(Object.keys(schema.resources)).toEqual([FLAMENCO_LANDSCAPE_TYPE]);
  expect(schema.resources[FLAMENCO_LANDSCAPE_TYPE].isComponent).toBe(true);
  expect([schema.name, schema.version]).toEqual([manifest.name, manifest.version]);
});

test("every stack config key is an argument, the two-shaped ones as two arguments", () => {
  const schema = JSON.parse(generated) as Schema;
  const inputs = Object.keys(schema.resources[FLAMENCO_LANDSCAPE_TYPE].inputProperties).sort();
  const split: Record<string, string[]> = {
    flamencoRelease: ["flamencoReleaseUrl", "flamencoReleaseSha256"],
    blenderRelease: ["blenderReleaseUrl", "blenderReleaseSha256"],
  };
  const expected = Object.keys(KEY_KINDS).flatMap((key) => split[key] ?? [key]);
  expect(inputs).toEqual(expected.sort());
});
