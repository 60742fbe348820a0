import * as path from "path";

/** The project directory, which holds scripts/ (this file is components/scriptCommand.ts). */
const PROJECT_DIRECTORY = path.resolve(__dirname, "..");

/** The steps of a command that runs the project's scripts (`node scripts/<name>.js ...`). */
export interface ScriptSteps {
  readonly create?: string;
  readonly delete?: string;
}

/**
 * The `create`/`delete` and `dir` inputs of a `command.local.Command` that runs the project's
 * scripts (a path relative to the project directory). A string is a create step alone.
 *
 * Pulumi runs the program, and the command provider, in the project directory, so there the
 * script path alone finds the script and the inputs hold no path of this machine: moving the
 * checkout leaves `pulumi preview` without changes. When the program runs from another
 * working directory (a test runner, a wrapper script), `dir` names the project directory, so
 * the script is still found; that absolute path only appears in such runs.
 */
export function scriptCommand(
  steps: string | ScriptSteps,
  workingDirectory: string = process.cwd(),
): ScriptSteps & { dir?: string } {
  const commands = typeof steps === "string" ? { create: steps } : steps;
  return path.resolve(workingDirectory) === PROJECT_DIRECTORY
    ? { ...commands }
    : { ...commands, dir: PROJECT_DIRECTORY };
}
