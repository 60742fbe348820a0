/**
 * The project as a user has it, for the real-engine tests: a copy of the checkout (the program,
 * its scripts and tools, Pulumi.yaml, package.json; node_modules linked) in a temporary
 * directory, where the README's own commands run: `npm run up|preview|destroy|refresh -- <stack>`.
 * They run the real pulumi CLI through the Automation API, with the provider stand-ins installed
 * into the tests' own PULUMI_HOME (providers/install.ts). Each copy has its own .pulumi-state/.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { documentedBlock, withParameters } from "../documented";
import { installProviderStandIns } from "./providers/install";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
const PROJECT_FILES = [
  "index.ts",
  "component.ts",
  "Pulumi.yaml",
  "PulumiPlugin.yaml",
  "package.json",
  "tsconfig.json",
  "components",
  "scripts",
  "tools",
];
const NAMESPACE = "flamenco-landscape";

/** The keys of a stack file this project ships (`Pulumi.dev.yaml`), without the project's namespace. */
export function shippedStackKeys(stack: string): Record<string, unknown> {
  const { config } = parse(fs.readFileSync(path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`), "utf8")) as {
    config: Record<string, unknown>;
  };
  return Object.fromEntries(Object.entries(config).map(([key, value]) => [key.slice(`${NAMESPACE}:`.length), value]));
}

/** The tests' PULUMI_HOME, shared by every copy: the stand-in plugins, installed once per run. */
export const TEST_PULUMI_HOME = path.join(os.tmpdir(), "flamenco-engine-tests", "pulumi-home");

let installed: Promise<string> | undefined;

/** Installs the provider stand-ins into TEST_PULUMI_HOME once; gives `pulumi plugin ls` there. */
export function providerStandIns(): Promise<string> {
  installed ??= installProviderStandIns(TEST_PULUMI_HOME);
  return installed;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The engine's events of the run, when it was asked for them. */
  events: EngineEvent[];
}

/** The parts of an engine event (Automation API EngineEvent) the tests read. */
export interface EngineEvent {
  resourcePreEvent?: { metadata: StepMetadata };
  resOutputsEvent?: { metadata: StepMetadata };
  diagnosticEvent?: { message: string; severity: string; urn?: string };
  summaryEvent?: { resourceChanges?: Record<string, number> };
}

export interface StepMetadata {
  op: string;
  urn: string;
  type: string;
  diffs?: string[];
  detailedDiff?: Record<string, { kind: string }>;
}

/** A resource's name in a URN. */
export function nameOf(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** The steps of a run other than "same", as `<op> <resource name>` in the engine's order. */
export function changedSteps(events: EngineEvent[]): string[] {
  return events
    .map((event) => event.resourcePreEvent?.metadata)
    .filter((metadata): metadata is StepMetadata => metadata !== undefined && metadata.op !== "same")
    .map((metadata) => `${metadata.op} ${nameOf(metadata.urn)}`);
}

/** The first step of `op` on the resource named `name`, or undefined. */
export function step(events: EngineEvent[], op: string, name: string): StepMetadata | undefined {
  return events
    .map((event) => event.resourcePreEvent?.metadata)
    .find((metadata) => metadata !== undefined && metadata.op === op && nameOf(metadata.urn) === name);
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Runs the command in a process group of its own, as a terminal's foreground job (its pid is the group's). */
  processGroup?: boolean;
  /** Called once it started, with its pid and a reader of the engine's events so far. */
  onSpawn?: (pid: number, eventsSoFar: () => EngineEvent[]) => void;
}

export class ProjectCopy {
  readonly directory: string;
  private runs = 0;

  private constructor(directory: string) {
    this.directory = directory;
  }

  /** A fresh copy of the project, with the provider stand-ins installed. */
  static async create(label: string): Promise<ProjectCopy> {
    await providerStandIns();
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), `flamenco-project-${label}-`));
    for (const entry of PROJECT_FILES) {
      fs.cpSync(path.join(PROJECT_ROOT, entry), path.join(directory, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(directory, "node_modules"));
    return new ProjectCopy(directory);
  }

  /** Writes Pulumi.<stack>.yaml with these keys (without the project's namespace). */
  writeStackConfig(stack: string, config: Record<string, unknown>): void {
    const namespaced = Object.fromEntries(Object.entries(config).map(([key, value]) => [`${NAMESPACE}:${key}`, value]));
    fs.writeFileSync(this.stackFile(stack), stringify({ config: namespaced }));
  }

  stackFile(stack: string): string {
    return path.join(this.directory, `Pulumi.${stack}.yaml`);
  }

  /** The environment every command gets: the tests' PULUMI_HOME and passphrase, no update check. */
  environment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      PULUMI_HOME: TEST_PULUMI_HOME,
      PULUMI_CONFIG_PASSPHRASE: "engine-tests-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_BACKEND_URL: "",
      ...extra,
    };
  }

  /**
   * `npm run <action> -- <stack> <flags>` in the copy, with the engine's events collected.
   * Resolves with the exit code; never rejects for a failing command.
   */
  npmRun(
    action: "up" | "preview" | "destroy" | "refresh",
    stack: string,
    flags: string[] = [],
    options: RunOptions = {},
  ): Promise<CommandResult> {
    this.runs += 1;
    const eventLog = path.join(this.directory, `.events-${this.runs}.jsonl`);
    return this.spawn("npm", ["run", "--silent", action, "--", stack, "--event-log", eventLog, ...flags], {
      ...options,
      onSpawn: (pid) => options.onSpawn?.(pid, () => readEvents(eventLog)),
    }).then((result) => ({ ...result, events: readEvents(eventLog) }));
  }

  /**
   * Runs a shell block of the docs as written (tests/documented.ts), in the copy, as a user's
   * shell would run it but stopping at the first failing command: bash -e -o pipefail. Only its
   * leading parameter lines may get other values; `stdin` is what the user would type.
   */
  runDocumented(
    file: string,
    firstLine: string,
    options: { parameters?: Record<string, string>; stdin?: string; env?: NodeJS.ProcessEnv } = {},
  ): Promise<Omit<CommandResult, "events">> {
    const script = withParameters(documentedBlock(file, firstLine), options.parameters ?? {});
    return this.spawn("bash", ["-e", "-o", "pipefail", "-c", script], { env: options.env, stdin: options.stdin });
  }

  /** The pulumi CLI itself in the copy (for what the README says to do with it, e.g. `config set --secret`). */
  pulumi(args: string[]): Promise<Omit<CommandResult, "events">> {
    return this.spawn("pulumi", args, {
      env: { PULUMI_BACKEND_URL: `file://${path.join(this.directory, ".pulumi-state")}` },
    });
  }

  private spawn(
    file: string,
    args: string[],
    options: { env?: NodeJS.ProcessEnv; processGroup?: boolean; onSpawn?: (pid: number) => void; stdin?: string },
  ): Promise<Omit<CommandResult, "events">> {
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, {
        cwd: this.directory,
        env: this.environment(options.env),
        stdio: [options.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
        detached: options.processGroup ?? false,
      });
      if (options.stdin !== undefined) child.stdin?.end(options.stdin);
      if (child.pid !== undefined) options.onSpawn?.(child.pid);
      let stdout = "";
      let stderr = "";
      child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });
  }

  /** The stack's checkpoint in the file backend, as text (what a secret must never be in, in clear). */
  stateText(stack: string): string {
    const file = path.join(this.directory, ".pulumi-state", ".pulumi", "stacks", NAMESPACE, `${stack}.json`);
    return fs.readFileSync(file, "utf8");
  }

  /** The resources of the stack's checkpoint. */
  stateResources(stack: string): { urn: string; type: string; id?: string; outputs?: Record<string, unknown> }[] {
    const checkpoint = JSON.parse(this.stateText(stack)) as {
      checkpoint: {
        latest?: { resources?: { urn: string; type: string; id?: string; outputs?: Record<string, unknown> }[] };
      };
    };
    return checkpoint.checkpoint.latest?.resources ?? [];
  }

  /** The stack's outputs, from its checkpoint. */
  outputs(stack: string): Record<string, unknown> {
    return this.stateResources(stack).find((resource) => resource.type === "pulumi:pulumi:Stack")?.outputs ?? {};
  }

  remove(): void {
    fs.rmSync(this.directory, { recursive: true, force: true });
  }
}

function readEvents(file: string): EngineEvent[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as EngineEvent);
}
