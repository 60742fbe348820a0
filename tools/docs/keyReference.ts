/**
 * What the configuration reference says of each key, read from a zod object schema: the
 * description and derived default from the keys' `.meta()`, the type, default, required-ness
 * and rule (the messages of the key's checks) from the schema itself. Pure: the renderers of
 * docs/configuration.md and Pulumi.yaml's config block take its result.
 */
import { stringify } from "yaml";
import { z } from "zod";

/** A type Pulumi.yaml can declare for a key (its project-file `config` types). */
export type PulumiConfigType = { type: "string" | "integer" | "boolean" } | { type: "array"; items: PulumiConfigType };

export interface KeyReference {
  /** Dotted path as the schema has it, list items and map entries as `*` (`workers.*.name`). */
  path: string;
  /** As the reference shows it: `workers[].name`, `manager.variables.<name>.isTwoway`. */
  display: string;
  /** The type in words: `string`, `integer`, `list of string`, `map of object`, `"all" or integer`. */
  type: string;
  /** The default as Markdown: a value in backticks, `none`, `required`, `see its keys`, or a derived default. */
  defaultText: string;
  /** The schema's own default, when it has one. */
  schemaDefault?: { value: unknown };
  /** What the key accepts: the messages of its checks, in order, each once. */
  accepts: string[];
  /** From the key's `.meta({ description })`; undefined when it has none. */
  description?: string;
  /** How Pulumi.yaml can declare the key; undefined for objects, maps, unions and other numbers. */
  pulumiType?: PulumiConfigType;
}

/** The parts of zod's internal definition this module reads (zod 4). */
interface ZodNode {
  _zod: {
    def: {
      type: string;
      error?: (issue: unknown) => unknown;
      checks?: ZodNode[];
      innerType?: ZodNode;
      in?: ZodNode;
      defaultValue?: unknown;
      shape?: Record<string, ZodNode>;
      element?: ZodNode;
      keyType?: ZodNode;
      valueType?: ZodNode;
      options?: ZodNode[];
      values?: unknown[];
      format?: string;
    };
  };
}

/** A key's node with its wrappers (optional, default, prefault, pipe) taken off. */
interface Unwrapped {
  core: ZodNode;
  optional: boolean;
  schemaDefault?: { value: unknown };
  messages: string[];
  integer: boolean;
}

function metaOf(node: ZodNode) {
  return z.globalRegistry.get(node as unknown as z.ZodType);
}

function messagesOf(node: ZodNode): string[] {
  return [node, ...(node._zod.def.checks ?? [])].flatMap((source) => {
    const message = source._zod.def.error?.({});
    return typeof message === "string" ? [message] : [];
  });
}

function unwrap(node: ZodNode): Unwrapped {
  const result: Unwrapped = { core: node, optional: false, messages: [], integer: false };
  for (let current: ZodNode | undefined = node; current !== undefined;) {
    const def: ZodNode["_zod"]["def"] = current._zod.def;
    result.core = current;
    result.messages.push(...messagesOf(current));
    if (metaOf(current)?.type === "integer" || (def.type === "number" && /int/.test(def.format ?? "")))
      result.integer = true;
    if (def.type === "optional") result.optional = true;
    if ((def.type === "default" || def.type === "prefault") && result.schemaDefault === undefined)
      result.schemaDefault = { value: def.defaultValue };
    current = def.innerType ?? (def.type === "pipe" ? def.in : undefined);
  }
  return result;
}

/** `a`, `a or b`, `a, b or c`. */
function alternatives(words: string[]): string {
  const unique = [...new Set(words)];
  return unique.length <= 1 ? unique.join("") : `${unique.slice(0, -1).join(", ")} or ${unique[unique.length - 1]}`;
}

function typeOf(node: ZodNode): string {
  const { core, integer } = unwrap(node);
  const def = core._zod.def;
  switch (def.type) {
    case "number":
      return integer ? "integer" : "number";
    case "enum":
      return "string";
    case "literal":
      return alternatives((def.values ?? []).map((value) => JSON.stringify(value)));
    case "union":
      return alternatives((def.options ?? []).map(typeOf));
    case "array":
      return `list of ${typeOf(def.element!)}`;
    case "record":
      return `map of ${typeOf(def.valueType!)}`;
    default:
      return def.type;
  }
}

function pulumiTypeOf(node: ZodNode): PulumiConfigType | undefined {
  const { core, integer } = unwrap(node);
  const def = core._zod.def;
  switch (def.type) {
    case "string":
    case "enum":
      return { type: "string" };
    case "boolean":
      return { type: "boolean" };
    case "number":
      return integer ? { type: "integer" } : undefined;
    case "array": {
      const items = pulumiTypeOf(def.element!);
      return items === undefined ? undefined : { type: "array", items };
    }
    default:
      return undefined;
  }
}

/** A value as a stack file writes it: YAML, in flow style on one line. */
export function yamlValue(value: unknown): string {
  return stringify(value, { version: "1.1", collectionStyle: "flow", lineWidth: 0 }).trimEnd();
}

function defaultTextOf(unwrapped: Unwrapped, derivedDefault: string | undefined): string {
  if (derivedDefault !== undefined) return derivedDefault;
  if (unwrapped.core._zod.def.type === "object" && unwrapped.schemaDefault !== undefined) return "see its keys";
  if (unwrapped.schemaDefault !== undefined) return `\`${yamlValue(unwrapped.schemaDefault.value)}\``;
  return unwrapped.optional ? "none" : "required";
}

interface Place {
  path: string[];
  display: string;
}

function child(place: Place, segment: string, display: string): Place {
  return { path: [...place.path, segment], display: place.display === "" ? display : `${place.display}${display}` };
}

/** The keys of an object's entries, parents before their children, in the schema's order. */
function describeShape(shape: Record<string, ZodNode>, place: Place, keys: KeyReference[]): void {
  for (const [name, node] of Object.entries(shape)) {
    describeKey(node, child(place, name, place.display === "" ? name : `.${name}`), keys);
  }
}

function describeKey(node: ZodNode, place: Place, keys: KeyReference[]): void {
  const unwrapped = unwrap(node);
  const meta = metaOf(node);
  const accepts = [...unwrapped.messages];
  const def = unwrapped.core._zod.def;
  const nested: Array<() => void> = [];
  /** The rule of a list's items or a map's names or values, unless the key's own messages say it already. */
  const each = (what: string, messages: string[]) => {
    const own = [...new Set(messages)].filter((message) => !accepts.includes(message));
    if (own.length > 0) accepts.push(`each ${what}: ${own.join(", ")}`);
  };
  if (def.type === "object") {
    nested.push(() => describeShape(def.shape!, place, keys));
  } else if (def.type === "array") {
    const element = unwrap(def.element!);
    each("item", element.messages);
    if (element.core._zod.def.type === "object")
      nested.push(() => describeShape(element.core._zod.def.shape!, child(place, "*", "[]"), keys));
  } else if (def.type === "record") {
    each("name", unwrap(def.keyType!).messages);
    const value = unwrap(def.valueType!);
    each("value", value.messages);
    if (value.core._zod.def.type === "object")
      nested.push(() => describeShape(value.core._zod.def.shape!, child(place, "*", ".<name>"), keys));
  }
  const pulumiType = pulumiTypeOf(node);
  keys.push({
    path: place.path.join("."),
    display: place.display,
    type: typeOf(node),
    defaultText: defaultTextOf(unwrapped, meta?.derivedDefault),
    ...(unwrapped.schemaDefault === undefined ? {} : { schemaDefault: unwrapped.schemaDefault }),
    accepts: [...new Set(accepts)],
    ...(meta?.description === undefined ? {} : { description: meta.description }),
    ...(pulumiType === undefined ? {} : { pulumiType }),
  });
  for (const describe of nested) describe();
}

/** Every key of `schema` (an object schema), parents before their children, in the schema's order. */
export function describeSchema(schema: z.ZodObject): KeyReference[] {
  const keys: KeyReference[] = [];
  describeShape(schema.shape as unknown as Record<string, ZodNode>, { path: [], display: "" }, keys);
  return keys;
}
