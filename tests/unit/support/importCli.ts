/**
 * `npm run import-config` run in-process on the fixture stores, into a scratch project
 * directory with its own home directory, made anew for each test.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { main } from "../../../tools/import-config";

export const STORES = path.resolve(__dirname, "..", "..", "fixtures", "config-stores");
export const FEATURE = "OpenStudioLandscapes-Flamenco";

export interface ImportRun {
  code: number;
  out: string;
  err: string;
}

export interface ImportScratch {
  /** The test's scratch directory, holding `project` and `home`. */
  readonly scratch: string;
  readonly home: string;
  /** Runs the command with `--project-dir` set to the scratch project, from the scratch directory. */
  cli(args: string[], env?: Record<string, string>): ImportRun;
  stackFile(stack: string): string;
  /** The `config:` block of the stack file the command wrote. */
  stackConfig(stack: string): Record<string, unknown>;
  projectFiles(): string[];
}

/** A fixture store by name. */
export function store(name: string): string {
  return path.join(STORES, name);
}

/** The Flamenco feature's config.yml in a fixture store. */
export function seedFile(name: string): string {
  return path.join(store(name), FEATURE, "config.yml");
}

/** Registers the scratch directory's set-up and removal around each test of the calling file. */
export function useImportScratch(): ImportScratch {
  let scratch = "";
  const project = () => path.join(scratch, "project");
  const home = () => path.join(scratch, "home");
  beforeEach(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "import-config-"));
    fs.mkdirSync(project());
    fs.mkdirSync(home());
  });
  afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

  const stackFile = (stack: string) => path.join(project(), `Pulumi.${stack}.yaml`);
  return {
    get scratch() {
      return scratch;
    },
    get home() {
      return home();
    },
    cli(args, env = {}) {
      let out = "";
      let err = "";
      const code = main([...args, "--project-dir", project()], {
        out: (text) => (out += text),
        err: (text) => (err += text),
        env,
        cwd: scratch,
        homeDirectory: home(),
      });
      return { code, out, err };
    },
    stackFile,
    stackConfig: (stack) =>
      (parse(fs.readFileSync(stackFile(stack), "utf8")) as { config: Record<string, unknown> }).config,
    projectFiles: () => fs.readdirSync(project()).sort(),
  };
}
