/**
 * The validation rules declared in the config schema, found by walking the zod schema: for
 * every key path (list items and map entries as `*`), the messages its type and checks give.
 * Rules written as code (superRefine) carry no message of their own here; they use HINTS.
 */
import type { z } from "zod";

export interface SchemaRule {
  /** Key path without the namespace, list indices and map keys as `*`, e.g. `workers.*.name`. */
  path: string;
  message: string;
}

interface ZodInternals {
  _zod: {
    def: {
      type: string;
      error?: (issue: unknown) => unknown;
      checks?: ZodInternals[];
      innerType?: ZodInternals;
      in?: ZodInternals;
      shape?: Record<string, ZodInternals>;
      element?: ZodInternals;
      keyType?: ZodInternals;
      valueType?: ZodInternals;
      options?: ZodInternals[];
    };
  };
}

function messageOf(node: ZodInternals): string | undefined {
  const message = node._zod.def.error?.({});
  return typeof message === "string" ? message : undefined;
}

function walk(node: ZodInternals, path: string[], rules: SchemaRule[], schemaPaths: Set<string>): void {
  const def = node._zod.def;
  const here = path.join(".");
  schemaPaths.add(here);
  for (const source of [node, ...(def.checks ?? [])]) {
    const message = messageOf(source);
    if (message !== undefined && !rules.some((rule) => rule.path === here && rule.message === message))
      rules.push({ path: here, message });
  }
  if (def.innerType) walk(def.innerType, path, rules, schemaPaths);
  if (def.type === "pipe" && def.in) walk(def.in, path, rules, schemaPaths);
  for (const option of def.options ?? []) walk(option, path, rules, schemaPaths);
  if (def.type === "object" && def.shape) {
    for (const [key, inner] of Object.entries(def.shape)) walk(inner, [...path, key], rules, schemaPaths);
  }
  if (def.type === "array" && def.element) walk(def.element, [...path, "*"], rules, schemaPaths);
  if (def.type === "record") {
    if (def.keyType) walk(def.keyType, [...path, "*"], rules, schemaPaths);
    if (def.valueType) walk(def.valueType, [...path, "*"], rules, schemaPaths);
  }
}

/** Every rule with a message of its own, and every key path, of `schema`. */
export function schemaRules(schema: z.ZodType): { rules: SchemaRule[]; paths: string[] } {
  const rules: SchemaRule[] = [];
  const paths = new Set<string>();
  walk(schema as unknown as ZodInternals, [], rules, paths);
  paths.delete("");
  return { rules, paths: [...paths] };
}

/** `key` (dotted, without namespace) with list indices and map keys replaced by `*`, as in `schemaRules`. */
export function rulePath(key: string, schemaPaths: readonly string[]): string {
  const segments = key.split(".");
  const result: string[] = [];
  for (const segment of segments) {
    const named = [...result, segment].join(".");
    result.push(schemaPaths.includes(named) ? segment : "*");
  }
  return result.join(".");
}

/** Whether `schema` (under its defaults, optionals and transforms) takes a string or a string enum. */
export function takesText(schema: z.ZodType): boolean {
  let node = schema as unknown as ZodInternals;
  for (;;) {
    const def = node._zod.def;
    if (def.innerType) node = def.innerType;
    else if (def.type === "pipe" && def.in) node = def.in;
    else return def.type === "string" || def.type === "enum";
  }
}
