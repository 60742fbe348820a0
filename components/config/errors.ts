import { describeValue } from "./values";

/** One offending config key: which key, what it held, what it accepts. */
export interface ConfigProblem {
  key: string;
  got: unknown;
  expected: string;
}

export function formatProblem(problem: ConfigProblem): string {
  return `${problem.key}: got ${describeValue(problem.got)}; expected ${problem.expected}`;
}

export const STACK_CONFIG_HINT =
  "Nothing was created. Fix these keys in the stack's file, Pulumi.<stack>.yaml, and run again.";

/** Thrown before any resource is declared; lists every offending key at once. */
export class ConfigError extends Error {
  constructor(
    readonly problems: readonly ConfigProblem[],
    context: string,
    hint: string = STACK_CONFIG_HINT,
  ) {
    super(
      [
        `Invalid Flamenco landscape configuration (${context}): ${problems.length} problem${problems.length === 1 ? "" : "s"}`,
        ...problems.map((problem) => `  - ${formatProblem(problem)}`),
        hint,
      ].join("\n"),
    );
    this.name = "ConfigError";
  }
}
