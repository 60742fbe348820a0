/**
 * The arguments of `npm run up|preview|destroy|refresh -- [stack] [flags]`: which stack, and
 * the few pulumi flags the Automation API takes. Pure: tested without Pulumi.
 */

export const ACTIONS = ["up", "preview", "destroy", "refresh"] as const;
export type Action = (typeof ACTIONS)[number];

/** The stack a bare `npm run up` manages: the landscape "dev" of Pulumi.dev.yaml. */
export const DEFAULT_STACK = "dev";

export interface StackCommand {
  readonly action: Action;
  readonly stack: string;
  /** Fail when the run would change anything (`--expect-no-changes`). */
  readonly expectNoChanges: boolean;
  /** Show each property's diff; preview always does. */
  readonly diff: boolean;
  /** Refresh the state from the engines first (`--refresh`). */
  readonly refresh: boolean;
  /** Only these resources (`--target <urn>`, repeatable). */
  readonly targets: readonly string[];
  /** Where to write the engine's events, one JSON object a line (`--event-log <file>`, as pulumi's own flag). */
  readonly eventLog?: string;
}

/** Pulumi stack names: letters, digits, '-', '_', '.'. */
const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

export const USAGE = `Usage: npm run <up|preview|destroy|refresh> -- [stack] [flags]

  stack                  the landscape's stack (default: ${DEFAULT_STACK}); its settings are Pulumi.<stack>.yaml
  --expect-no-changes    fail if anything would change
  --diff                 show the property-level diff (preview always does)
  --refresh              refresh the state from the Docker engines first (up, preview, destroy)
  --target <urn>         act on this resource only; repeatable
  --event-log <file>     write the engine's events to <file>, one JSON object a line
  --yes, -y              accepted for pulumi's sake: these commands never ask

The state lives in .pulumi-state/ (a file backend; set PULUMI_BACKEND_URL for another). Secrets
are encrypted with a passphrase: PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE, or
you are asked for it.`;

export class UsageError extends Error {}

export function parseStackCommand(action: string, argv: readonly string[]): StackCommand {
  if (!(ACTIONS as readonly string[]).includes(action)) {
    throw new UsageError(`unknown action "${action}"; expected one of ${ACTIONS.join(", ")}`);
  }
  let stack: string | undefined;
  let expectNoChanges = false;
  let diff = action === "preview";
  let refresh = false;
  const targets: string[] = [];
  let eventLog: string | undefined;
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    switch (argument) {
      case "--expect-no-changes":
        expectNoChanges = true;
        break;
      case "--diff":
        diff = true;
        break;
      case "--refresh":
        if (action === "refresh") throw new UsageError("--refresh: refresh always refreshes");
        refresh = true;
        break;
      case "--yes":
      case "-y":
      case "--skip-preview":
        break;
      case "--target": {
        const urn = argv[index + 1];
        if (urn === undefined || urn.startsWith("-")) throw new UsageError("--target needs a resource URN");
        targets.push(urn);
        index += 1;
        break;
      }
      case "--event-log": {
        const file = argv[index + 1];
        if (file === undefined || file.startsWith("-")) throw new UsageError("--event-log needs a file");
        eventLog = file;
        index += 1;
        break;
      }
      default:
        if (argument.startsWith("-")) {
          throw new UsageError(`unknown flag "${argument}"`);
        }
        if (stack !== undefined) {
          throw new UsageError(`one stack at a time: got "${stack}" and "${argument}"`);
        }
        if (!STACK_NAME.test(argument)) {
          throw new UsageError(`stack "${argument}": a stack name has only letters, digits, '-', '_' and '.'`);
        }
        stack = argument;
    }
  }
  return {
    action: action as Action,
    stack: stack ?? DEFAULT_STACK,
    expectNoChanges,
    diff,
    refresh,
    targets,
    ...(eventLog === undefined ? {} : { eventLog }),
  };
}
