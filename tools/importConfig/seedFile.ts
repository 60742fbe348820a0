import { isMap, isScalar, LineCounter, parseDocument } from "yaml";
import { ImportError } from "./errors";

/** The store file, parsed: top-level keys in file order, with their values. */
export interface SeedConfig {
  file: string;
  values: Record<string, unknown>;
  /** Source text of plain scalars (`3.10` stays "3.10", not 3.1), by top-level key. */
  sources: Record<string, string>;
}

/**
 * Parses a config store file. The seed read it with a YAML 1.1 loader (PyYAML / pydantic),
 * so 1.1 rules apply: `enabled: yes` is true, as it was for the seed.
 * Throws one ImportError naming the file and the line (or key) of the first problem.
 */
export function parseSeedConfig(text: string, file: string): SeedConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { version: "1.1", lineCounter, prettyErrors: false, uniqueKeys: true });
  const error = document.errors[0];
  if (error) {
    const position = lineCounter.linePos(error.pos[0]);
    const where = `line ${position.line}, column ${position.col}`;
    const count = document.errors.length;
    const key = error.code === "DUPLICATE_KEY" ? /^\s*([^:#\n]+?)\s*:/.exec(text.slice(error.pos[0]))?.[1] : undefined;
    throw new ImportError(
      `${file}: not valid YAML at ${where}: ${error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}${key ? ` (key ${key})` : ""}` +
        (count > 1 ? ` (and ${count - 1} more YAML error${count > 2 ? "s" : ""})` : "") +
        ". Nothing was written.",
    );
  }
  const contents = document.contents;
  if (contents === null || (isScalar(contents) && (contents.value === null || contents.value === ""))) {
    return { file, values: {}, sources: {} };
  }
  if (!isMap(contents)) {
    throw new ImportError(
      `${file}: expected a mapping of config keys at the top level (like "enabled: true"), found ${describeNode(contents)}. Nothing was written.`,
    );
  }
  const plain = document.toJS({ maxAliasCount: 1000 }) as Record<string, unknown>;
  const values: Record<string, unknown> = {};
  const sources: Record<string, string> = {};
  for (const pair of contents.items) {
    const key = isScalar(pair.key) ? pair.key.value : pair.key;
    if (typeof key !== "string") {
      const line =
        isScalar(pair.key) && pair.key.range ? ` at line ${lineCounter.linePos(pair.key.range[0]).line}` : "";
      throw new ImportError(
        `${file}: key ${JSON.stringify(key)}${line} is not a name; config keys are names such as "flamenco_version". Nothing was written.`,
      );
    }
    values[key] = plain[key] ?? null;
    if (isScalar(pair.value) && pair.value.type === "PLAIN" && typeof pair.value.source === "string") {
      sources[key] = pair.value.source;
    }
  }
  return { file, values, sources };
}

function describeNode(node: unknown): string {
  if (isScalar(node)) return `the value ${JSON.stringify(node.value)}`;
  return "a list";
}
