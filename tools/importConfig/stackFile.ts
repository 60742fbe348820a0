import { Document, isCollection, isMap, isNode, isScalar, LineCounter, parseDocument } from "yaml";
import { PROJECT } from "../../components/config/settings";
import { describeValue, isRecord } from "../../components/config/values";
import { ImportError } from "./errors";
import type { ReleaseChoice, StackEntry } from "./mapping";

/** What the import did to one stack key (dotted, without namespace). */
export interface StackChange {
  key: string;
  status: "added" | "changed" | "unchanged" | "removed";
  previous?: unknown;
  value?: unknown;
  /** Why, when it is not obvious (a kept sha256, a removed override). */
  note?: string;
}

export function stackFileName(stack: string): string {
  return `Pulumi.${stack}.yaml`;
}

/** Pulumi stack names: letters, digits, '-', '_', '.' (at most 100 characters). */
export const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

function plain(value: unknown): unknown {
  return isNode(value) ? value.toJSON() : value;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The stack file as a YAML document, comments and all: a new one with a header when
 * there is none. An unreadable file stops the import before anything is written.
 */
export function loadStackDocument(text: string | undefined, file: string, header: string): Document {
  if (text === undefined) {
    const document = new Document({ config: {} });
    document.commentBefore = header;
    return document;
  }
  const lineCounter = new LineCounter();
  const parsed = parseDocument(text, { lineCounter, prettyErrors: false });
  const document: Document = parsed;
  const error = parsed.errors[0];
  if (error) {
    const position = lineCounter.linePos(error.pos[0]);
    throw new ImportError(
      `${file}: the existing stack file is not valid YAML at line ${position.line}, column ${position.col}: ${error.message.split("\n")[0]}. ` +
        "Fix it (or move it away) and run the import again. Nothing was written.",
    );
  }
  if (document.contents === null || (isScalar(document.contents) && document.contents.value === null)) {
    document.contents = document.createNode({ config: {} });
  }
  if (!isMap(document.contents)) {
    throw new ImportError(
      `${file}: the existing stack file is not a mapping with a "config:" key. Fix it (or move it away) and run again. Nothing was written.`,
    );
  }
  const config = document.get("config", true);
  if (config === undefined || (isScalar(config) && config.value === null)) {
    document.set("config", document.createNode({}));
  } else if (!isMap(config)) {
    throw new ImportError(
      `${file}: "config:" of the existing stack file is not a mapping of keys. Fix it (or move it away) and run again. Nothing was written.`,
    );
  }
  return document;
}

function fullPath(path: readonly string[]): string[] {
  return ["config", `${PROJECT}:${path[0]}`, ...path.slice(1)];
}

function jsonObject(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== "string") return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Makes sure every parent of `path` is a mapping, replacing a scalar in the way (reported). */
function ensureParents(document: Document, path: readonly string[], changes: StackChange[]): void {
  for (let depth = 1; depth < path.length; depth += 1) {
    const parentPath = path.slice(0, depth);
    const parent = document.getIn(fullPath(parentPath), true);
    if (parent === undefined || isMap(parent)) continue;
    const parsed = jsonObject(plain(parent));
    if (parsed !== undefined) {
      // `pulumi config set manager '{"...": ...}'` stores an object as a JSON string: keep its content.
      document.setIn(fullPath(parentPath), document.createNode(parsed));
      changes.push({
        key: parentPath.join("."),
        status: "changed",
        previous: plain(parent),
        value: parsed,
        note: "a JSON string; rewritten as YAML so the imported keys merge into it",
      });
      continue;
    }
    changes.push({
      key: parentPath.join("."),
      status: "changed",
      previous: plain(parent),
      value: {},
      note: "was not an object; replaced so the imported keys fit",
    });
    document.setIn(fullPath(parentPath), document.createNode({}));
  }
}

function setValue(document: Document, path: readonly string[], value: unknown): void {
  document.setIn(fullPath(path), isRecord(value) || Array.isArray(value) ? document.createNode(value) : value);
}

/**
 * Writes the entries into the document. Keys the import does not write stay as they are,
 * with their comments; nested keys (manager.shaman.enabled) are merged, not replaced.
 * flamencoRelease: an official version removes an old override; an unknown url keeps the
 * sha256 already recorded for that same url.
 */
export function mergeEntries(
  document: Document,
  entries: readonly StackEntry[],
  release?: ReleaseChoice,
): StackChange[] {
  const changes: StackChange[] = [];
  for (const entry of entries) {
    const key = entry.path.join(".");
    const previous = plain(document.getIn(fullPath(entry.path), true));
    if (
      key === "flamencoRelease" &&
      isRecord(previous) &&
      isRecord(entry.value) &&
      previous.url === entry.value.url &&
      typeof previous.sha256 === "string"
    ) {
      changes.push({
        key,
        status: "unchanged",
        previous,
        value: previous,
        note: "the sha256 already recorded for this url was kept",
      });
      continue;
    }
    if (previous !== undefined && sameValue(previous, entry.value)) {
      changes.push({ key, status: "unchanged", previous, value: entry.value });
      continue;
    }
    ensureParents(document, entry.path, changes);
    setValue(document, entry.path, entry.value);
    changes.push({ key, status: previous === undefined ? "added" : "changed", previous, value: entry.value });
  }
  if (release?.kind === "official") {
    const override = fullPath(["flamencoRelease"]);
    if (document.hasIn(override)) {
      const previous = plain(document.getIn(override, true));
      document.deleteIn(override);
      changes.push({
        key: "flamencoRelease",
        status: "removed",
        previous,
        note: `the store names the official release ${release.version}, so the old override ${describeValue(previous)} no longer applies`,
      });
    }
  }
  return changes;
}

export interface NamespacedConfig {
  /** `flamenco-landscape:<key>` → the string Pulumi hands the program (objects as JSON). */
  values: Record<string, string>;
  /** Keys (without namespace) stored encrypted (`secure:`); their values cannot be checked. */
  secretKeys: string[];
}

/** The stack file's keys in the project's namespace, as Pulumi passes them to the program. */
export function namespacedConfig(document: Document): NamespacedConfig {
  const config = document.get("config", true);
  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  if (!isMap(config)) return { values, secretKeys };
  const prefix = `${PROJECT}:`;
  for (const pair of config.items) {
    const fullKey = String(plain(pair.key));
    if (!fullKey.startsWith(prefix)) continue;
    const value = plain(pair.value);
    if (isRecord(value) && Object.keys(value).length === 1 && typeof value.secure === "string") {
      secretKeys.push(fullKey.slice(prefix.length));
      values[fullKey] = "[secret]";
    } else if (typeof value === "string") {
      values[fullKey] = value;
    } else if (value === null || value === undefined) {
      values[fullKey] = "";
    } else if (isCollection(pair.value)) {
      values[fullKey] = JSON.stringify(value);
    } else {
      values[fullKey] = String(value);
    }
  }
  return { values, secretKeys };
}

export function renderStackDocument(document: Document): string {
  return document.toString({ lineWidth: 0 });
}
