import * as fs from "fs";
import * as path from "path";
import type { ConfigProblem } from "../../components/config/errors";
import { FEATURE_DIRECTORY } from "../../components/config/placeholders";
import { PROJECT } from "../../components/config/settings";
import { describeValue } from "../../components/config/values";
import { ImportError } from "./errors";
import { mapSeedConfig, SeedMapping, SeedProblem } from "./mapping";
import { renderReport, StackFileOutcome } from "./report";
import { parseSeedConfig } from "./seedFile";
import {
  loadStackDocument,
  mergeEntries,
  namespacedConfig,
  renderStackDocument,
  STACK_NAME,
  stackFileName,
} from "./stackFile";
import { resolveStore, seedConfigCandidates, STORE_ENVIRONMENT_VARIABLE, StoreLocation } from "./store";
import { validateStackConfig } from "./validate";
import { nodeWriteOps, WriteOps } from "../../scripts/atomic-write";
import { replaceStackFile } from "./write";

export interface ImportOptions {
  /** Store root (`--store`); else $OPENSTUDIOLANDSCAPES__CONFIGSTORE_ROOT, else the default location. */
  store?: string;
  /** Stack name (`--stack`); else env.LANDSCAPE of the store file. */
  stack?: string;
  dryRun: boolean;
  /** Where Pulumi.<stack>.yaml lives: the project directory. */
  projectDir: string;
  env: Readonly<Record<string, string | undefined>>;
  homeDirectory: string;
  cwd: string;
  ops?: WriteOps;
}

export interface ImportResult {
  exitCode: number;
  report: string;
  stackFile: string;
  /** The stack file as written (or, with --dry-run, as it would be written). */
  stackText: string;
  written: boolean;
  backup?: string;
  pendingSha256: boolean;
}

function readText(file: string, what: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new ImportError(`${file}: cannot read the ${what}: ${(error as Error).message}. Nothing was written.`);
  }
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The feature's config.yml in the store, or one clear error saying what is missing. */
function findSeedConfig(location: StoreLocation): string {
  const candidates = seedConfigCandidates(location.root);
  const found = candidates.find(isFile);
  if (found) return found;
  const how = `pass --store <dir>, or set $${STORE_ENVIRONMENT_VARIABLE}`;
  let entries: string[];
  try {
    entries = fs.readdirSync(location.root);
  } catch {
    throw new ImportError(
      `No config store at ${location.root} (the ${location.source}). ` +
        `OpenStudioLandscapes keeps it at ~/.config/OpenStudioLandscapes/config-store/ unless $${STORE_ENVIRONMENT_VARIABLE} says otherwise: ${how}. Nothing was written.`,
    );
  }
  const folders = entries.filter((entry) => !entry.startsWith(".")).sort();
  throw new ImportError(
    `${candidates[0]} does not exist: the config store at ${location.root} (the ${location.source}) has no ${FEATURE_DIRECTORY} feature config` +
      (folders.length > 0 ? ` (it holds: ${folders.join(", ")})` : " (it is empty)") +
      `. Check the store, or ${how}. Nothing was written.`,
  );
}

/** Which seed key a stack key came from, for error messages that name the store's key. */
function seedKeyOf(stackKey: string, mapping: SeedMapping): string | undefined {
  const entry = mapping.entries.find((candidate) => {
    const key = candidate.path.join(".");
    return stackKey === key || stackKey.startsWith(`${key}.`) || key.startsWith(`${stackKey}.`);
  });
  return entry?.seedKey;
}

function problemLines(
  seedProblems: readonly SeedProblem[],
  configProblems: readonly ConfigProblem[],
  mapping: SeedMapping,
  context: { seedFile: string; stackFile: string; stackSource: string },
): string[] {
  const lines = seedProblems.map(
    (problem) =>
      `  - ${context.seedFile}: ${problem.seedKey}: got ${describeValue(problem.got)}; expected ${problem.expected}`,
  );
  for (const problem of configProblems) {
    const stackKey = problem.key.startsWith(`${PROJECT}:`) ? problem.key.slice(PROJECT.length + 1) : problem.key;
    const seedKey = seedKeyOf(stackKey, mapping);
    if (seedKey !== undefined) {
      lines.push(
        `  - ${context.seedFile}: ${seedKey} (imported as ${problem.key}): got ${describeValue(problem.got)}; expected ${problem.expected}`,
      );
    } else if (stackKey === "landscape") {
      lines.push(
        `  - the stack name (from ${context.stackSource}) is used as the landscape: got ${describeValue(problem.got)}; expected ${problem.expected}`,
      );
    } else {
      lines.push(
        `  - ${context.stackFile}: ${problem.key} (already in the stack file, not from the store): got ${describeValue(problem.got)}; expected ${problem.expected}`,
      );
    }
  }
  return lines;
}

function stackHeader(seedFile: string): string {
  return [
    " A Flamenco landscape stack, imported from the OpenStudioLandscapes config store",
    ` (${seedFile}) by "npm run import-config".`,
    " Every key is optional; see docs/configuration.md for the full reference.",
  ].join("\n");
}

/**
 * The whole import: find and read the store file, map it, merge it into the stack file,
 * validate the result with the program's schema, then (unless dry run) write it atomically
 * with a backup of the previous file. Throws ImportError, before writing, on any problem.
 */
export function runImport(options: ImportOptions): ImportResult {
  const location = resolveStore({
    store: options.store,
    env: options.env,
    homeDirectory: options.homeDirectory,
    cwd: options.cwd,
  });
  const seedFile = findSeedConfig(location);
  const seed = parseSeedConfig(readText(seedFile, "store file"), seedFile);
  const mapping = mapSeedConfig(seed);

  const stack = options.stack ?? mapping.landscape;
  if (stack === undefined) {
    throw new ImportError(
      `${seedFile} sets no env.LANDSCAPE to name the stack after: pass --stack <name>, the Pulumi stack of this landscape (for example --stack dev). Nothing was written.`,
      2,
    );
  }
  if (!STACK_NAME.test(stack)) {
    throw new ImportError(
      `--stack ${JSON.stringify(stack)} is not a Pulumi stack name (letters, digits, '-', '_', '.'). Nothing was written.`,
      2,
    );
  }
  const stackSource =
    options.stack !== undefined ? "--stack" : `env.LANDSCAPE in ${path.basename(path.dirname(seedFile))}/config.yml`;
  const stackFile = path.join(options.projectDir, stackFileName(stack));
  const existing = isFile(stackFile) ? readText(stackFile, "existing stack file") : undefined;

  const document = loadStackDocument(existing, stackFile, stackHeader(seedFile));
  const changes = mergeEntries(document, mapping.entries, mapping.release);
  const config = namespacedConfig(document);
  const validation = validateStackConfig(config, {
    stack,
    homeDirectory: options.homeDirectory,
    allowMissingSha256: mapping.release?.kind === "url" && mapping.release.needsSha256,
  });

  if (mapping.problems.length > 0 || validation.problems.length > 0 || validation.settings === undefined) {
    const lines = problemLines(mapping.problems, validation.problems, mapping, { seedFile, stackFile, stackSource });
    throw new ImportError(
      [
        `Cannot import ${seedFile}: ${lines.length} problem${lines.length === 1 ? "" : "s"}. Nothing was written.`,
        ...lines,
      ].join("\n"),
    );
  }

  const has = (key: string) => `${PROJECT}:${key}` in config.values;
  const attention = [...mapping.attention];
  const storageNotes: string[] = [];
  const storageFixes: string[] = [];
  if (mapping.dotLandscapesUnknown && !has("landscapesRoot")) {
    storageNotes.push(
      `{DOT_LANDSCAPES} to <your OpenStudioLandscapes checkout>/.landscapes (this stack: ${validation.settings.landscapesRoot}, the program's default)`,
    );
    storageFixes.push("flamenco-landscape:landscapesRoot: <checkout>/.landscapes");
  }
  if (mapping.landscapeUnknown && !has("landscape")) {
    storageNotes.push(
      `{LANDSCAPE} to the landscape's id, such as 2025-12-14-19-18-32-49ccd914b2a94c3480c99baed42570af (this stack: ${validation.settings.landscape}, the stack name)`,
    );
    storageFixes.push("flamenco-landscape:landscape: <landscape id>");
  }
  if (storageNotes.length > 0) {
    attention.push(
      `storage paths: the seed expanded ${storageNotes.join(", and ")}. ` +
        `To keep using the seed's existing storage directories, set in the stack file: ${storageFixes.join("; ")} (or spell the paths out in storage and sharedStorage).`,
    );
  }
  if (mapping.release === undefined && !has("flamencoVersion") && !has("flamencoRelease")) {
    attention.push(
      `flamenco_version is not in the store: the stack deploys Flamenco ${validation.settings.release.version}, the seed's original default. ` +
        "Later seed releases defaulted to 3.8.2 or 3.9.2; if this landscape's manager ran one of those, set flamencoVersion to it, as a manager must not be downgraded over its database.",
    );
  }
  for (const key of validation.unchecked)
    attention.push(
      `${PROJECT}:${key} is encrypted in the stack file, so it was not checked here; pulumi up checks it.`,
    );
  const landscapeChange = changes.find((change) => change.key === "landscape" && change.status === "changed");
  if (landscapeChange) {
    attention.push(
      `landscape: this stack was for landscape ${describeValue(landscapeChange.previous)} and is now for ${describeValue(landscapeChange.value)} (env.LANDSCAPE of the store). ` +
        "pulumi up would replace the stack's network, image and manager container under the new names. If that is not what you want, restore the backup " +
        `and import into the landscape's own stack: --stack ${String(landscapeChange.value)}.`,
    );
  }
  for (const change of changes.filter((candidate) => candidate.status === "removed")) {
    attention.push(`${PROJECT}:${change.key} was removed from the stack file: ${change.note}.`);
  }

  const stackText = renderStackDocument(document);
  const changed = stackText !== existing;
  let outcome: StackFileOutcome;
  let backup: string | undefined;
  if (options.dryRun) {
    outcome = existing === undefined ? "would create" : changed ? "would update" : "would leave unchanged";
  } else if (!changed) {
    outcome = "unchanged";
  } else {
    backup = replaceStackFile(stackFile, stackText, existing, options.ops ?? nodeWriteOps).backup;
    outcome = existing === undefined ? "created" : "updated";
  }

  const report = renderReport({
    seedFile,
    storeSource: location.source,
    stack,
    stackSource,
    stackFile,
    outcome,
    backup,
    rows: mapping.rows,
    changes,
    attention,
    settings: validation.settings,
    pendingSha256: validation.pendingSha256,
  });
  return {
    exitCode: 0,
    report,
    stackFile,
    stackText,
    written: outcome === "created" || outcome === "updated",
    backup,
    pendingSha256: validation.pendingSha256,
  };
}
