/**
 * Pulumi.yaml, whose config block `npm run docs` renders from the schema (docsReference.test.ts
 * keeps it rendered): checked here against the schema on its own terms, as Pulumi reads it.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { z } from "zod";
import { rawStackConfig } from "../../components/config/decode";
import { DEFAULTS, stackConfigSchema } from "../../components/config/schema";
import { parseSettings, PROJECT } from "../../components/config/settings";
import { takesText } from "./schemaRules";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

interface DeclaredKey {
  type?: string;
  items?: { type?: string };
  default?: unknown;
  description?: string;
}

const project = parse(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as {
  name: string;
  config?: Record<string, DeclaredKey>;
};
const declared = Object.entries(project.config ?? {});
const defaults: Record<string, unknown> = DEFAULTS;
const schemaKeys = Object.keys(stackConfigSchema.shape);
/** Every top-level key's default, as the schema applies it. */
const applied = stackConfigSchema.parse({ landscape: "any" }) as Record<string, unknown>;

/** The item schema of a top-level key that takes a list, else undefined. */
function listItems(key: string): z.ZodType | undefined {
  let node = (stackConfigSchema.shape as Record<string, z.ZodType>)[key];
  while (node instanceof z.ZodDefault || node instanceof z.ZodOptional || node instanceof z.ZodPrefault)
    node = node.unwrap() as z.ZodType;
  return node instanceof z.ZodArray ? (node.element as z.ZodType) : undefined;
}

/** Whether Pulumi.yaml can type a value of this schema: a string, a number or a boolean. */
function isPlain(schema: z.ZodType): boolean {
  return takesText(schema) || schema instanceof z.ZodNumber || schema instanceof z.ZodBoolean;
}

/** How Pulumi hands a config value to the program: strings as they are, anything else as JSON. */
function asPulumiConfigValue(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

describe("Pulumi.yaml", () => {
  it("is the project whose name is the config namespace the program reads", () => {
    expect(project.name).toBe(PROJECT);
  });

  it("declares config keys", () => {
    expect(declared.length).toBeGreaterThan(0);
  });

  it.each(declared)("%s is a key of the program's schema", (key) => {
    expect(schemaKeys).toContain(key);
  });

  it.each(declared)("%s has the schema's default", (key, declaration) => {
    expect(declaration.default).toEqual(applied[key]);
    if (key in defaults) expect(declaration.default).toEqual(defaults[key]);
  });

  it.each(declared)("%s declares the type of its default", (key, declaration) => {
    const value = applied[key];
    switch (declaration.type) {
      case "array":
        expect(Array.isArray(value)).toBe(true);
        expect(listItems(key)).toBeDefined();
        expect(["string", "integer", "boolean"]).toContain(declaration.items?.type);
        break;
      case "integer":
        expect(Number.isInteger(value)).toBe(true);
        break;
      case "boolean":
        expect(typeof value).toBe("boolean");
        break;
      case "string":
        expect(typeof value).toBe("string");
        break;
      default:
        throw new Error(`${key}: unexpected type ${String(declaration.type)}`);
    }
  });

  it.each(declared)("%s has a description", (_key, declaration) => {
    expect(typeof declaration.description).toBe("string");
    expect(declaration.description!.length).toBeGreaterThan(0);
  });

  it("declares exactly the top-level keys whose schema default is a plain value or a list of them, with that default", () => {
    const plainDefaults = Object.entries(applied).filter(([key, value]) => {
      if (key === "landscape") return false;
      if (Array.isArray(value)) return isPlain(listItems(key)!);
      return ["string", "number", "boolean"].includes(typeof value);
    });
    expect(Object.fromEntries(declared.map(([key, declaration]) => [key, declaration.default]))).toEqual(
      Object.fromEntries(plainDefaults),
    );
  });

  it("gives the same settings as no config at all when Pulumi passes the declared defaults", () => {
    const context = { stack: "dev", homeDirectory: "/home/artist" };
    const allConfig = Object.fromEntries(
      declared.map(([key, declaration]) => [`${PROJECT}:${key}`, asPulumiConfigValue(declaration.default)]),
    );
    expect(parseSettings(rawStackConfig(allConfig), context)).toEqual(parseSettings({}, context));
  });
});

describe("Pulumi.dev.yaml", () => {
  it("is a valid stack config for the dev stack", () => {
    const stack = parse(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.dev.yaml"), "utf8")) as {
      config?: Record<string, unknown>;
    };
    const allConfig = Object.fromEntries(
      Object.entries(stack.config ?? {}).map(([key, value]) => [key, asPulumiConfigValue(value)]),
    );
    const settings = parseSettings(rawStackConfig(allConfig), { stack: "dev", homeDirectory: "/home/artist" });
    expect(settings.landscape).toBe("dev");
  });
});
