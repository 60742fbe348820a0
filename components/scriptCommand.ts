import * as path from "path";

/** The project directory, which holds scripts/ (this file is components/scriptCommand.ts). */
const PROJECT_DIRECTORY = path.resolve(__dirname, "..");

/**
 * The `create` and `dir` inputs of a `command.local.Command` that runs one of the project's
 * scripts (`node scripts/<name>.js`, a path relative to the project directory).
 *
 * Pulumi runs the program, and the command provider, in the project directory, so there the
 * script path alone finds the script and the inputs hold no path of this machine: moving the
 * checkout leaves `pulumi preview` without changes. When the program runs from another
 * working directory (a test runner, a wrapper script), `dir` names the project directory, so
 * the script is still found; that absolute path only appears in such runs.
 */
export function scriptCommand(commandLine: string, workingDirectory: string = process.cwd()): { create: string; dir?: string } {
  return path.resolve(workingDirectory) === PROJECT_DIRECTORY ? { create: commandLine } : { create: commandLine, dir: PROJECT_DIRECTORY };
}
