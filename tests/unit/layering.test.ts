/**
 * Imports flow one way (README, "How it is built"): the pure core (components/config,
 * components/render) never reaches the Pulumi layer or the SDK at run time, the command
 * scripts stand alone, and the import command takes only the core and the atomic write.
 */
import * as fs from "fs";
import { builtinModules } from "module";
import * as path from "path";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

interface Import {
  from: string;
  /** A project file (relative to the root, with extension) or a package name. */
  target: string;
  typeOnly: boolean;
}

const IMPORT = /\bimport\s+(type\s+)?(?:[^"';]*?\sfrom\s*)?"([^"]+)"|\brequire\(\s*"([^"]+)"\s*\)/g;

function sourceFiles(directory: string): string[] {
  return fs
    .readdirSync(path.join(PROJECT_ROOT, directory), { recursive: true })
    .map(String)
    .filter((file) => /\.(ts|js)$/.test(file))
    .map((file) => path.join(directory, file));
}

function resolveProjectFile(from: string, specifier: string): string {
  const base = path.normalize(path.join(path.dirname(from), specifier));
  const candidate = [`${base}.ts`, `${base}.js`, base].find((file) => fs.existsSync(path.join(PROJECT_ROOT, file)));
  if (candidate === undefined) throw new Error(`${from} imports ${specifier}, which is not a file of the project`);
  return candidate;
}

function importsOf(file: string): Import[] {
  const text = fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");
  return [...text.matchAll(IMPORT)].map((match) => {
    const specifier = match[2] ?? match[3];
    return {
      from: file,
      target: specifier.startsWith(".") ? resolveProjectFile(file, specifier) : specifier,
      typeOnly: match[1] !== undefined,
    };
  });
}

const NODE_BUILTINS = new Set(builtinModules);

function isProjectFile(target: string): boolean {
  return /\.(ts|js)$/.test(target);
}

/** Each import of `files` that `allowed` refuses, as "from -> target". */
function violations(files: string[], allowed: (entry: Import) => boolean): string[] {
  return files
    .flatMap(importsOf)
    .filter((entry) => !NODE_BUILTINS.has(entry.target.replace(/^node:/, "")) && !allowed(entry))
    .map((entry) => `${entry.from} -> ${entry.target}`);
}

const under = (directory: string) => (target: string) => target.startsWith(`${directory}/`);
const inConfig = under("components/config");
const inRender = under("components/render");
const inScripts = under("scripts");
/** What runs the program (`npm run up`), serves the package (the component provider plugin) or reads its schema. */
const isStackCommand = (file: string) =>
  ["tools/stack-command.ts", "tools/component-provider.ts", "tools/sdk.ts"].includes(file) ||
  under("tools/stackCommand")(file) ||
  under("tools/sdk")(file);

describe("imports flow one way", () => {
  it("finds the imports it checks", () => {
    expect(importsOf("components/render/containerSpec.ts")).toContainEqual({
      from: "components/render/containerSpec.ts",
      target: "@pulumi/docker",
      typeOnly: true,
    });
    expect(importsOf("scripts/restore-backup.js").map((entry) => entry.target)).toContain("scripts/backup-database.js");
  });

  it("components/config imports only itself, and only read.ts the Pulumi SDK", () => {
    const allowed = ({ from, target }: Import) =>
      inConfig(target) ||
      ["zod", "yaml"].includes(target) ||
      (from === "components/config/read.ts" && target === "@pulumi/pulumi");
    expect(violations(sourceFiles("components/config"), allowed)).toEqual([]);
  });

  it("components/render imports config, itself and the scripts' shared names, and Pulumi's packages for types only", () => {
    const allowed = ({ target, typeOnly }: Import) =>
      inConfig(target) ||
      inRender(target) ||
      target === "scripts/shared-names.js" ||
      target === "yaml" ||
      (target.startsWith("@pulumi/") && typeOnly);
    expect(violations(sourceFiles("components/render"), allowed)).toEqual([]);
  });

  it("the command scripts import only each other (the restore, run by an admin, also reads the stack's YAML)", () => {
    const allowed = ({ from, target }: Import) =>
      inScripts(target) || (from === "scripts/restore-backup.js" && target === "yaml");
    expect(violations(sourceFiles("scripts"), allowed)).toEqual([]);
  });

  it("the components import the core, each other and the label names, never index.ts or the tools", () => {
    const components = sourceFiles("components").filter((file) => !inConfig(file) && !inRender(file));
    const allowed = ({ target }: Import) =>
      under("components")(target) || target === "scripts/shared-names.js" || !isProjectFile(target);
    expect(violations(components, allowed)).toEqual([]);
  });

  it("tools/run-scripts.js, which runs the checks, imports only Node's modules: it depends on none of the code it checks", () => {
    expect(violations(["tools/run-scripts.js"], () => false)).toEqual([]);
  });

  it("the stack command, the component provider and the SDK generation take the SDK, landscapeStack and component.ts", () => {
    const files = sourceFiles("tools").filter(isStackCommand);
    const allowed = ({ target }: Import) =>
      isStackCommand(target) ||
      target === "components/landscapeStack.ts" ||
      target === "component.ts" ||
      !isProjectFile(target);
    expect(violations(files, allowed)).toEqual([]);
  });

  it("the import command takes the core and the atomic write, nothing of the Pulumi layer", () => {
    const files = sourceFiles("tools").filter((file) => file !== "tools/run-scripts.js" && !isStackCommand(file));
    const allowed = ({ target }: Import) =>
      under("tools")(target) ||
      (inConfig(target) && target !== "components/config/read.ts") ||
      inRender(target) ||
      target === "scripts/atomic-write.js" ||
      (!isProjectFile(target) && !target.startsWith("@pulumi/"));
    expect(violations(files, allowed)).toEqual([]);
  });
});
