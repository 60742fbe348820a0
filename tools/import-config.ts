/**
 * npm run import-config -- [--store <dir>] [--stack <name>] [--dry-run] [--project-dir <dir>]
 *
 * Imports the OpenStudioLandscapes-Flamenco feature config from an OpenStudioLandscapes
 * config store into Pulumi.<stack>.yaml. The work is done in tools/importConfig/; this file
 * only reads the arguments, calls it and prints.
 */
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { ImportError } from "./importConfig/errors";
import { runImport } from "./importConfig/importer";
import { FEATURE_DIRECTORY } from "../components/config/placeholders";
import { DEFAULT_STORE, STORE_ENVIRONMENT_VARIABLE } from "./importConfig/store";

const USAGE = `Usage: npm run import-config -- [--store <dir>] [--stack <name>] [--dry-run] [--project-dir <dir>]

Imports the Flamenco feature's settings from an OpenStudioLandscapes config store
(<store>/${FEATURE_DIRECTORY}/config.yml) into the stack file Pulumi.<stack>.yaml.

  --store <dir>        the config store; default: $${STORE_ENVIRONMENT_VARIABLE},
                       else ${DEFAULT_STORE}
  --stack <name>       the stack (one per landscape); default: the store's env.LANDSCAPE,
                       else required
  --dry-run            print the report and the resulting stack file; write nothing
  --project-dir <dir>  where Pulumi.<stack>.yaml lives; default: the current directory
  -h, --help           this text

An existing stack file is merged (keys the import does not set, and comments, are kept),
checked with the program's schema before anything is written, written atomically, and the
previous version is kept as Pulumi.<stack>.yaml.bak. Exit codes: 0 imported (also when only a
sha256 is left to add, see the report), 1 store or stack file problem, 2 usage error.
`;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  homeDirectory: string;
}

export function main(argv: readonly string[], io: CliIo): number {
  let values: { store?: string; stack?: string; "dry-run"?: boolean; "project-dir"?: string; help?: boolean };
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        store: { type: "string" },
        stack: { type: "string" },
        "dry-run": { type: "boolean" },
        "project-dir": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    io.err(`import-config: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  try {
    const result = runImport({
      store: values.store,
      stack: values.stack,
      dryRun: values["dry-run"] === true,
      projectDir: path.resolve(io.cwd, values["project-dir"] ?? "."),
      env: io.env,
      homeDirectory: io.homeDirectory,
      cwd: io.cwd,
    });
    io.out(result.report);
    if (values["dry-run"]) {
      io.out(`\n----- ${result.stackFile} (dry run, not written) -----\n${result.stackText}`);
    }
    return result.exitCode;
  } catch (error) {
    if (error instanceof ImportError) {
      io.err(`import-config: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    homeDirectory: os.homedir(),
  });
}
