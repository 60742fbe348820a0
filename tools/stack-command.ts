/**
 * npm run up|preview|destroy|refresh -- [stack] [flags]
 *
 * Runs one landscape's stack through Pulumi's Automation API: the program is landscapeStack(),
 * the same function index.ts exports, run in this process; the pulumi CLI does the rest and its
 * own progress is streamed as it comes. The state is a file backend in .pulumi-state/ (unless
 * PULUMI_BACKEND_URL names another); a missing stack is created. Works with just the pulumi CLI
 * on PATH: no language host is needed.
 */
import * as fs from "fs";
import * as path from "path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { landscapeStack } from "../components/landscapeStack";
import { parseStackCommand, StackCommand, USAGE, UsageError } from "./stackCommand/arguments";
import { askPassphrase, PASSPHRASE_HINT, passphraseFromEnvironment } from "./stackCommand/passphrase";
import { missingPrerequisites, pingDocker, pulumiVersion } from "./stackCommand/prerequisites";

/** The project directory: Pulumi.yaml and the Pulumi.<stack>.yaml files. */
export const PROJECT_DIRECTORY = path.resolve(__dirname, "..");

/** The program the stack runs: index.ts's, through the same function. */
export const program = async () => landscapeStack();

/** Pulumi.yaml's name; the Automation API reads the rest of Pulumi.yaml itself. */
const PROJECT_NAME = "flamenco-landscape";

const PREFIX = "stack-command";

async function environment(command: StackCommand): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  if (process.env.PULUMI_BACKEND_URL === undefined || process.env.PULUMI_BACKEND_URL === "") {
    const state = path.join(PROJECT_DIRECTORY, ".pulumi-state");
    fs.mkdirSync(state, { recursive: true });
    env.PULUMI_BACKEND_URL = `file://${state}`;
  }
  if (!passphraseFromEnvironment(process.env)) {
    if (!process.stdin.isTTY) throw new Error(`the stack's secrets need a passphrase: ${PASSPHRASE_HINT}`);
    env.PULUMI_CONFIG_PASSPHRASE = await askPassphrase(command.stack);
  }
  return env;
}

async function run(command: StackCommand, stack: Stack): Promise<void> {
  const onOutput = (text: string) => process.stdout.write(text);
  // Ctrl-C reaches the CLI from the terminal too: it finishes the steps under way, records them
  // and stops (a second Ctrl-C stops it at once). This process waits for it instead of leaving it
  // orphaned; npm also passes the signal on to it.
  process.on("SIGINT", () => undefined);
  const color: "always" | "never" = process.stdout.isTTY ? "always" : "never";
  const events = command.eventLog === undefined ? undefined : fs.openSync(command.eventLog, "w");
  const onEvent =
    events === undefined ? undefined : (event: EngineEvent) => fs.writeSync(events, `${JSON.stringify(event)}\n`);
  const common = { onOutput, onEvent, color, target: [...command.targets] };
  try {
    await runAction(command, stack, common);
  } finally {
    if (events !== undefined) fs.closeSync(events);
  }
}

type CommonOptions = {
  onOutput: (text: string) => void;
  onEvent?: (event: EngineEvent) => void;
  color: "always" | "never";
  target: string[];
};

async function runAction(command: StackCommand, stack: Stack, common: CommonOptions): Promise<void> {
  switch (command.action) {
    case "up":
      await stack.up({
        ...common,
        diff: command.diff,
        refresh: command.refresh,
        expectNoChanges: command.expectNoChanges,
      });
      return;
    case "preview":
      await stack.preview({
        ...common,
        diff: true,
        refresh: command.refresh,
        expectNoChanges: command.expectNoChanges,
      });
      return;
    case "destroy":
      await stack.destroy({ ...common, refresh: command.refresh });
      return;
    case "refresh":
      await stack.refresh({ ...common, expectNoChanges: command.expectNoChanges });
      return;
  }
}

/** The CLI's own error lines, without the command line and stdout the Automation API adds. */
function cliError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const stderr = /\n stderr: ([\s\S]*)$/.exec(message);
  return (stderr ? stderr[1] : message).trim();
}

export async function main(argv: readonly string[]): Promise<number> {
  let command: StackCommand;
  try {
    command = parseStackCommand(argv[0] ?? "", argv.slice(1));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${PREFIX}: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  const problems = await missingPrerequisites(process.env, {
    pulumiVersion: () => pulumiVersion(process.env),
    pingDocker: (endpoint) => pingDocker(endpoint),
  });
  if (problems.length > 0) {
    process.stderr.write(problems.map((problem) => `${PREFIX}: ${problem}\n`).join(""));
    return 1;
  }
  try {
    const envVars = await environment(command);
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: command.stack, projectName: PROJECT_NAME, program },
      { workDir: PROJECT_DIRECTORY, envVars },
    );
    await run(command, stack);
    return 0;
  } catch (error) {
    process.stderr.write(`${PREFIX}: ${command.action} of stack ${command.stack} failed:\n${cliError(error)}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${PREFIX}: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}
