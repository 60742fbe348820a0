/**
 * The README's reference tables, command list and example stack file, kept in step with the
 * schema's defaults, package.json and examples/: a new key, a changed default, a new script
 * or a changed example fails here until the README (or the guide of its feature under docs/,
 * such as docs/blender.md for the Blender keys) says so.
 */
import * as fs from "fs";
import * as path from "path";
import { KEY_KINDS, stackConfigSchema } from "../../components/config/schema";
import { rulePath, schemaRules } from "./schemaRules";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
const README = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
/** Feature guides whose key tables belong to the config reference. */
const GUIDES = ["docs/blender.md"].map((file) => fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8"));

interface KeyRow {
  keys: string[];
  defaults: string;
}

/** Rows of every table whose header starts with "stack key": its keys and its default cell. */
function keyRows(): KeyRow[] {
  const rows: KeyRow[] = [];
  let defaultColumn = -1;
  for (const line of [README, ...GUIDES].join("\n\n").split("\n")) {
    const cells = line
      .split("|")
      .slice(1, -1)
      .map((cell) => cell.trim());
    if (!line.startsWith("|")) {
      defaultColumn = -1;
    } else if (cells[0] === "stack key") {
      defaultColumn = cells.indexOf("default");
    } else if (defaultColumn >= 0 && !cells[0].startsWith("---")) {
      const keys = [...cells[0].matchAll(/`([^`]+)`/g)].map((match) => match[1].replace(/\[\]/g, ".*"));
      rows.push({ keys, defaults: cells[defaultColumn] });
    }
  }
  return rows;
}

/** Every leaf of the parsed defaults as [dotted path, value as the README writes it]. */
function defaultLeaves(value: unknown, prefix: string[] = []): [string, string][] {
  if (Array.isArray(value) && value.length === 0) return [[prefix.join("."), "[]"]];
  if (Array.isArray(value)) return value.flatMap((item, index) => defaultLeaves(item, [...prefix, String(index)]));
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return [[prefix.join("."), "{}"]];
    return entries.flatMap(([key, inner]) => defaultLeaves(inner, [...prefix, key]));
  }
  return [[prefix.join("."), String(value)]];
}

describe("the README's config reference", () => {
  const rows = keyRows();
  const documented = rows.flatMap((row) => row.keys);
  const { paths } = schemaRules(stackConfigSchema);

  it("finds the key tables", () => {
    expect(documented).toEqual(
      expect.arrayContaining(["landscape", "manager.shaman", "workers.*.gpus", "mqttPassword"]),
    );
  });

  it("lists every top-level key and every key of workers[] and network", () => {
    const required = [...Object.keys(KEY_KINDS), ...paths.filter((key) => /^(workers\.\*|network)\.[^.]+$/.test(key))];
    const isDocumented = (key: string) =>
      documented.some((documentedKey) => documentedKey === key || documentedKey.startsWith(`${key}.`));
    expect(required.filter((key) => !isDocumented(key))).toEqual([]);
  });

  it("documents no key the schema does not have", () => {
    expect(documented.filter((key) => !paths.includes(key) && !(key in KEY_KINDS))).toEqual([]);
  });

  it("gives each key the schema's default", () => {
    const defaults = stackConfigSchema.parse({ landscape: "readme" });
    const wrong: string[] = [];
    for (const [leaf, value] of defaultLeaves(defaults)) {
      if (leaf === "landscape") continue;
      const key = rulePath(leaf, paths);
      // The row of the key itself, or of its nearest documented parent (e.g. manager.shaman).
      const row = rows.find((candidate) =>
        candidate.keys.some((documentedKey) => key === documentedKey || key.startsWith(`${documentedKey}.`)),
      );
      if (row === undefined) {
        wrong.push(`${leaf}: no row`);
        continue;
      }
      const position = row.keys.findIndex((documentedKey) => key === documentedKey);
      const cells = row.defaults.split(/,\s*(?![^{(]*[})])/);
      const cell = position >= 0 && cells.length === row.keys.length ? cells[position] : row.defaults;
      if (!cell.includes(value))
        wrong.push(`${leaf}: default ${JSON.stringify(value)}, README says ${JSON.stringify(cell)}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe("the README's commands", () => {
  const scripts = Object.keys(
    (
      JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
        scripts: Record<string, string>;
      }
    ).scripts,
  );
  const mentioned = new Set([...README.matchAll(/npm run ([a-z][a-z:-]*)/g)].map((match) => match[1]));
  if (README.includes("npm test")) mentioned.add("test");

  it("name only scripts package.json has", () => {
    expect([...mentioned].filter((name) => !scripts.includes(name))).toEqual([]);
  });

  it("show every script package.json has", () => {
    expect(scripts.filter((name) => !mentioned.has(name))).toEqual([]);
  });
});

test("the README shows the two-host example stack file the engine tests apply, verbatim", () => {
  const example = fs.readFileSync(path.join(PROJECT_ROOT, "examples", "two-host-farm", "Pulumi.farm.yaml"), "utf8");
  const yamlBlocks = [...README.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]);
  expect(yamlBlocks).toContain(example);
});

test("docs/python.md shows the Dagster asset the Python engine test materializes, verbatim", () => {
  const example = fs.readFileSync(path.join(PROJECT_ROOT, "examples", "python", "flamenco_asset.py"), "utf8");
  const docs = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "python.md"), "utf8");
  const pythonBlocks = [...docs.matchAll(/```python\n([\s\S]*?)```/g)].map((match) => match[1]);
  expect(pythonBlocks).toEqual([example]);
});
