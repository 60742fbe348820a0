/**
 * STAND-IN for the official `command` provider plugin 1.2.1 (pulumi/pulumi-command), which
 * cannot be installed here. The engine tests install it under that name and version into their
 * own PULUMI_HOME; it implements `command:local:Command` with the inputs this program uses and
 * runs the commands for real, rule by rule as the official provider does:
 *
 *   - create runs `create` under `/bin/sh -c`, in `dir` or the working directory, with this
 *     process's environment plus `environment`, `stdin` on its standard input; stdout and
 *     stderr become outputs without their last newline; no `create`, nothing runs
 *     (provider/pkg/provider/local/commandController.go, Create; commandOutputs.go, run);
 *   - update runs `update`, else `create` again, with the new inputs and the previous
 *     stdout/stderr as PULUMI_COMMAND_STDOUT/PULUMI_COMMAND_STDERR (commandController.go, Update);
 *   - delete runs the `delete` stored in the state, with the environment stored with it
 *     (commandController.go, Delete);
 *   - a change of `triggers` replaces the command, any other change updates it
 *     (provider/pkg/provider/common/inputs.go: `provider:"replaceOnChanges"` on Triggers; see
 *     commandDiff for which side decides which change);
 *   - a failed command fails the step with `<exit status>: running "<command>":\n<output>`
 *     (commandOutputs.go, run), and its output lines go to the engine's log as it runs;
 *   - read (refresh) gives the state back unchanged: the provider cannot see a command.
 * Any other input is refused loudly, so the stand-in cannot drift from the program unnoticed.
 */
import { spawn } from "child_process";
import { randomBytes } from "crypto";
import type { DiffAnswer, DiffKind, Properties, ResourceType, StandInProvider, Target } from "./pluginServer";
import { serve, UNKNOWN } from "./pluginServer";
import { changedPaths } from "./propertyDiff";

const IMPLEMENTED_INPUTS = ["create", "update", "delete", "triggers", "environment", "stdin", "dir"] as const;
/** The inputs whose change replaces the command (common/inputs.go). */
const REPLACE_ON_CHANGES = ["triggers"];

/** The inputs, without the outputs the state also holds. */
function inputsOf(properties: Properties): Properties {
  return Object.fromEntries(
    Object.entries(properties).filter(([key]) => (IMPLEMENTED_INPUTS as readonly string[]).includes(key)),
  );
}

/**
 * The provider's Diff (pulumi-go-provider infer/resource.go, derivedResourceController.Diff):
 * each changed path, a replace only where the path is the whole `triggers` (replaceOnChanges
 * matches the exact key). A changed trigger element (`triggers[0]`) is an update here; the
 * engine makes it a replace through the `replaceOnChanges: ["triggers[*]"]` @pulumi/command adds.
 */
export function commandDiff(olds: Properties, news: Properties): DiffAnswer {
  const keys = [...new Set([...Object.keys(inputsOf(olds)), ...Object.keys(inputsOf(news))])].sort();
  const detailedDiff: Record<string, DiffKind> = {};
  for (const key of keys) {
    for (const [changed, kind] of Object.entries(changedPaths(key, olds[key], news[key]))) {
      detailedDiff[changed] = REPLACE_ON_CHANGES.includes(changed) ? (`${kind}-replace` as DiffKind) : kind;
    }
  }
  const head = (changed: string) => changed.split(/[.[]/)[0];
  const diffs = [...new Set(Object.keys(detailedDiff).map(head))];
  const replaces = [
    ...new Set(
      Object.entries(detailedDiff)
        .filter(([, kind]) => kind.endsWith("-replace"))
        .map(([changed]) => head(changed)),
    ),
  ];
  return { changes: diffs.length > 0, diffs, replaces, detailedDiff };
}

interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs one command as commandOutputs.go's run does. */
function run(target: Target, command: string, inputs: Properties, previous: RunResult | undefined): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...((inputs.environment as Record<string, string>) ?? {}) };
  if (previous?.stdout) env.PULUMI_COMMAND_STDOUT = previous.stdout;
  if (previous?.stderr) env.PULUMI_COMMAND_STDERR = previous.stderr;
  return new Promise((resolve, reject) => {
    const child = spawn("/bin/sh", ["-c", command], {
      cwd: typeof inputs.dir === "string" ? inputs.dir : process.cwd(),
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let both = "";
    let pending = "";
    const collect = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
      const text = chunk.toString();
      if (stream === "stdout") stdout += text;
      else stderr += text;
      both += text;
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) target.log(line);
    };
    child.stdout.on("data", collect("stdout"));
    child.stderr.on("data", collect("stderr"));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (pending !== "") target.log(pending);
      if (code === 0) {
        resolve({ stdout: stdout.replace(/\n$/, ""), stderr: stderr.replace(/\n$/, "") });
      } else {
        const status = signal === null ? `exit status ${code}` : `signal: ${signal === "SIGKILL" ? "killed" : signal}`;
        reject(new Error(`${status}: running ${JSON.stringify(command)}:\n${both}`));
      }
    });
    const stdin = typeof inputs.stdin === "string" ? inputs.stdin : "";
    child.stdin.on("error", () => undefined);
    child.stdin.end(stdin);
  });
}

function previousOutput(state: Properties): RunResult {
  return { stdout: String(state.stdout ?? ""), stderr: String(state.stderr ?? "") };
}

const localCommand: ResourceType = {
  async check(_target, _olds, news) {
    const unknown = Object.keys(news).filter(
      (key) => !(IMPLEMENTED_INPUTS as readonly string[]).includes(key) && !key.startsWith("__"),
    );
    return {
      inputs: news,
      failures: unknown.map((property) => ({
        property,
        reason: `the command provider stand-in does not implement ${property} (only ${IMPLEMENTED_INPUTS.join(", ")})`,
      })),
    };
  },

  async diff(_target, _id, oldInputs, olds, news) {
    return commandDiff(Object.keys(oldInputs).length > 0 ? oldInputs : olds, news);
  },

  async create(target, inputs, _timeout, preview) {
    // resource.NewUniqueHex(name, 8, 0): the name and 8 random hexadecimal characters, known in preview too.
    const id = `${target.name}${randomBytes(4).toString("hex")}`;
    // Preview runs nothing; stdout and stderr are unknown (infer/resource.go markComputed).
    if (preview) return { id, properties: { ...inputs, stdout: UNKNOWN, stderr: UNKNOWN } };
    const output = typeof inputs.create === "string" ? await run(target, inputs.create, inputs, undefined) : undefined;
    return { id, properties: { ...inputs, stdout: output?.stdout ?? "", stderr: output?.stderr ?? "" } };
  },

  async read(_target, id, properties, inputs) {
    return { id, properties, inputs };
  },

  async update(target, _id, olds, news, _oldInputs, preview) {
    if (preview) {
      const changed = commandDiff(olds, news).changes;
      return {
        properties: {
          ...news,
          stdout: changed ? UNKNOWN : (olds.stdout ?? ""),
          stderr: changed ? UNKNOWN : (olds.stderr ?? ""),
        },
      };
    }
    const command = typeof news.update === "string" ? news.update : news.create;
    const previous = previousOutput(olds);
    const output = typeof command === "string" ? await run(target, command, news, previous) : previous;
    return { properties: { ...news, stdout: output.stdout, stderr: output.stderr } };
  },

  async delete(target, _id, properties) {
    if (typeof properties.delete === "string") {
      await run(target, properties.delete, properties, previousOutput(properties));
    }
  },
};

export const commandProvider: StandInProvider = {
  name: "command",
  version: "1.2.1",
  supportsPreview: true,
  checkConfig: (_olds, news) => ({ inputs: news }),
  diffConfig: () => ({ changes: false }),
  configure: () => undefined,
  resources: { "command:local:Command": localCommand },
};

if (require.main === module) {
  void serve(commandProvider);
}
