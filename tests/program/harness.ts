/**
 * Runs the real program (index.ts) under Pulumi's mocks and records every resource it
 * declares: type, name, inputs, parent and explicit dependencies. Each run loads a fresh
 * copy of the Pulumi SDK and of the program, so runs do not share state.
 *
 * The default resource double answers the way the docker and command providers would,
 * with ids and outputs derived from the inputs (so a changed input visibly flows on to
 * dependants, as in a real preview).
 */
import * as crypto from "crypto";
import * as path from "path";
import type * as PulumiModule from "@pulumi/pulumi";
import type * as LandscapeStackModule from "../../components/landscapeStack";

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
const PROGRAM = path.join(PROJECT_ROOT, "index.ts");
/** Exports the function index.ts runs; calling it again runs the program again without reloading it. */
const PROGRAM_FUNCTION = path.join(PROJECT_ROOT, "components", "landscapeStack.ts");
/** What `npm run up` runs: the inline program of the Automation API entry point. */
const STACK_COMMAND = path.join(PROJECT_ROOT, "tools", "stack-command.ts");
const NAMESPACE = "flamenco-landscape";

export interface RecordedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** Top-level input keys that hold a Pulumi secret (their values above are unwrapped). */
  secretInputs: string[];
  /** Name of the parent resource, when there is one. */
  parent?: string;
  /** Names of the resources listed in `dependsOn`. */
  dependsOn: string[];
  /** Options the program set on the resource. */
  deleteBeforeReplace?: boolean;
  providerName?: string;
  /** The URN the Pulumi engine gives it: stack, project, the type chain of its parents, its name. */
  urn: string;
  /** URNs its `aliases` option names: the URNs an existing stack may know it under. */
  aliasUrns: string[];
  /** The provider reference the engine resolved (`<urn>::<id>`), also when inherited from a parent. */
  providerReference?: string;
}

export interface MockedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  provider?: string;
}

export type ResourceDouble = (resource: MockedResource) => Promise<{ id: string; state: Record<string, unknown> }>;

export interface RunOptions {
  /** Config keys without namespace; non-string values are passed as JSON, as Pulumi does. */
  config?: Record<string, unknown>;
  /** Keys (without namespace) stored as secrets. */
  secretKeys?: string[];
  stack?: string;
  preview?: boolean;
  newResource?: ResourceDouble;
  /** Load and run index.ts itself (with the Pulumi SDK shared across runs) instead of calling the program's function. */
  throughIndex?: boolean;
  /** Run the inline program of tools/stack-command.ts, as `npm run up` does. */
  throughStackCommand?: boolean;
}

export interface ProgramRun {
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
  ofType(type: string): RecordedResource[];
  /** The provider resource (not a component) of that name. */
  named(name: string): RecordedResource;
}

const SECRET_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

function isSecretEnvelope(value: unknown): value is { value: unknown } {
  return (
    !!value &&
    typeof value === "object" &&
    (value as Record<string, unknown>)[SECRET_SIGNATURE_KEY] === SECRET_SIGNATURE
  );
}

/** Replaces Pulumi's serialized secret envelopes by their values; reports whether any was found. */
export function unwrapSecrets(value: unknown): { value: unknown; hadSecret: boolean } {
  if (isSecretEnvelope(value)) return { value: unwrapSecrets(value.value).value, hadSecret: true };
  if (Array.isArray(value)) {
    const items = value.map(unwrapSecrets);
    return { value: items.map((item) => item.value), hadSecret: items.some((item) => item.hadSecret) };
  }
  if (value && typeof value === "object") {
    const entries = Object.entries(value).map(([key, inner]) => [key, unwrapSecrets(inner)] as const);
    return {
      value: Object.fromEntries(entries.map(([key, inner]) => [key, inner.value])),
      hadSecret: entries.some(([, inner]) => inner.hadSecret),
    };
  }
  return { value, hadSecret: false };
}

export function sha256(text: string): string {
  return crypto.createHash("sha256").update(text).digest("hex");
}

/** JSON with object keys sorted, so equal inputs give equal text. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === "object" && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}

/** Provider double: outputs follow from inputs, like a provider that really ran them. */
export const inputDerivedDouble: ResourceDouble = async ({ type, name, inputs }) => {
  const digest = sha256(stableJson(inputs));
  switch (type) {
    case "command:local:Command": {
      const environment = (inputs.environment ?? {}) as Record<string, string>;
      const stdout = environment.FLAMENCO_BACKUPS_KEEP
        ? JSON.stringify({ backup: null, newest: null, removed: [] })
        : environment.FLAMENCO_RELEASE_URL
          ? JSON.stringify({
              archive: `${environment.FLAMENCO_RELEASE_CACHE_ENTRY}/${environment.FLAMENCO_RELEASE_ARCHIVE}`,
              sha256: environment.FLAMENCO_RELEASE_SHA256 ?? sha256(environment.FLAMENCO_RELEASE_URL),
              context: environment.FLAMENCO_IMAGE_CONTEXT,
              downloaded: true,
              ...(environment.BLENDER_RELEASE_URL
                ? {
                    blender: {
                      archive: `${environment.BLENDER_RELEASE_CACHE_ENTRY}/${environment.BLENDER_RELEASE_ARCHIVE}`,
                      sha256: environment.BLENDER_RELEASE_SHA256 ?? sha256(environment.BLENDER_RELEASE_URL),
                      downloaded: true,
                    },
                  }
                : {}),
            })
          : JSON.stringify({
              configFile: environment.FLAMENCO_CONFIG_FILE,
              createdDirectories: [],
              configDigest: digest,
            });
      return { id: `${name}-${digest.slice(0, 12)}`, state: { ...inputs, stdout, stderr: "" } };
    }
    case "docker:index/image:Image":
      return { id: `${inputs.imageName}`, state: { ...inputs, repoDigest: `sha256:${digest}` } };
    case "docker:index/network:Network":
      return { id: `network-${digest.slice(0, 12)}`, state: { ...inputs } };
    case "docker:index/container:Container":
      return { id: `container-${digest.slice(0, 12)}`, state: { ...inputs } };
    default:
      return { id: `${name}-${digest.slice(0, 12)}`, state: { ...inputs } };
  }
};

function configValue(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The SDK's internal view of a resource: its type and parent (set by the Resource constructor). */
interface ResourceInternals {
  __pulumiType?: string;
  __parentResource?: ResourceInternals;
}

/**
 * A URN as the engine forms it: the parent's type chain (without the root Stack), `$`, the
 * resource's type, then its name. Mocks shorten the chain, so it is computed here.
 */
function engineUrn(stack: string, type: string, name: string, parent: unknown): string {
  return urnOf(stack, [...ancestorTypes(parent).map((types) => types[0]), type], name);
}

function urnOf(stack: string, chain: string[], name: string): string {
  return `urn:pulumi:${stack}::${NAMESPACE}::${chain.join("$")}::${name}`;
}

/** Types a resource was declared with before (`aliases: [{ type }]`), by resource. */
const previousTypes = new WeakMap<object, string[]>();

/** For each ancestor below the Stack, outermost first: its type, then the types it had before. */
function ancestorTypes(parent: unknown): string[][] {
  const chain: string[][] = [];
  for (
    let ancestor = parent as ResourceInternals | undefined;
    ancestor?.__pulumiType !== undefined;
    ancestor = ancestor.__parentResource
  ) {
    if (ancestor.__pulumiType === "pulumi:pulumi:Stack") break;
    chain.unshift([ancestor.__pulumiType, ...(previousTypes.get(ancestor) ?? [])]);
  }
  return chain;
}

function aliasValues(aliases: unknown, field: "name" | "type"): string[] {
  return ([] as unknown[])
    .concat(aliases ?? [])
    .map((alias) => (alias && typeof alias === "object" ? (alias as Record<string, unknown>)[field] : undefined))
    .filter((value): value is string => typeof value === "string");
}

/**
 * The URNs a resource is also known by, as the engine reads its aliases: its own previous names
 * and types, and every previous type of its ancestors, which their children inherit.
 */
function aliasUrns(stack: string, type: string, name: string, parent: unknown, aliases: unknown): string[] {
  let chains: string[][] = [[]];
  for (const types of [...ancestorTypes(parent), [type, ...aliasValues(aliases, "type")]]) {
    chains = chains.flatMap((chain) => types.map((candidate) => [...chain, candidate]));
  }
  const names = [name, ...aliasValues(aliases, "name")];
  const current = engineUrn(stack, type, name, parent);
  const urns = chains.flatMap((chain) => names.map((candidate) => urnOf(stack, chain, candidate)));
  return [...new Set(urns)].filter((urn) => urn !== current);
}

function resourceName(resource: unknown): string | undefined {
  const named = resource as { __name?: string } | undefined;
  return named?.__name;
}

async function settled<T>(output: PulumiModule.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

/**
 * Packages the program loads, including the deep SDK path the provider packages require.
 * Under jest they are loaded once per test file and handed to every later run: `setMocks`
 * resets the SDK's run state, and loading them again would cost most of a run.
 */
const SHARED_PACKAGES = [
  "@pulumi/pulumi",
  "@pulumi/pulumi/runtime",
  "@pulumi/docker",
  "@pulumi/command",
  "zod",
  "yaml",
] as const;
let sharedPackages: Map<string, unknown> | undefined;

/** Makes the next require load the program anew (under jest or plain Node). */
function freshModules(): void {
  if (typeof jest !== "undefined") {
    sharedPackages ??= new Map(SHARED_PACKAGES.map((name) => [name, require(name) as unknown]));
    jest.resetModules();
    for (const [name, loaded] of sharedPackages) jest.doMock(name, () => loaded);
    return;
  }
  for (const loaded of Object.keys(require.cache)) {
    if (
      loaded.startsWith(path.join(PROJECT_ROOT, "node_modules", "@pulumi")) ||
      !loaded.includes(`${path.sep}node_modules${path.sep}`)
    ) {
      delete require.cache[loaded];
    }
  }
}

/** The SDK's own "drain the RPC queue" step (internal, hence looked up defensively). */
async function waitForRpcs(pulumi: typeof PulumiModule): Promise<void> {
  const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
  await runtime.waitForRPCs?.().catch(() => undefined);
}

/**
 * Runs the program once under mocks; rejects with the program's error (e.g. invalid config).
 * It calls the function index.ts exports the result of, so the program's modules load once per
 * test file; `throughIndex` loads index.ts itself anew instead.
 */
export async function runProgram(options: RunOptions = {}): Promise<ProgramRun> {
  // The SDK records a stack trace for every promise it makes (to report leaks); under jest each
  // one is source-mapped, which costs most of a run. The program's errors are asserted by message.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return await runProgramOnce(options);
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

async function runProgramOnce(options: RunOptions): Promise<ProgramRun> {
  if (options.throughIndex) freshModules();
  const pulumi = require("@pulumi/pulumi") as typeof PulumiModule;
  const double = options.newResource ?? inputDerivedDouble;
  const stack = options.stack ?? "dev";
  const recorded = new Map<string, RecordedResource>();
  const ordered: RecordedResource[] = [];

  await pulumi.runtime.setMocks(
    {
      newResource: async (args) => {
        const raw = (args.inputs ?? {}) as Record<string, unknown>;
        const inputs = unwrapSecrets(raw).value as Record<string, unknown>;
        const entry = recorded.get(`${args.type}::${args.name}`);
        if (entry) {
          entry.inputs = inputs;
          entry.secretInputs = Object.keys(raw).filter((key) => unwrapSecrets(raw[key]).hadSecret);
          entry.providerReference = args.provider;
        }
        try {
          const result = await double({ type: args.type, name: args.name, inputs, provider: args.provider });
          return { id: result.id, state: result.state };
        } catch (error) {
          // As in `pulumi up`, the first failing resource stops the run: nothing that depends
          // on it is applied. Its registration is left pending rather than rejected, so the
          // SDK does not echo the failure through every dependant as unhandled rejections.
          resourceError ??= error;
          failRun(error);
          return new Promise<never>(() => undefined);
        }
      },
      call: (args) => args.inputs as Record<string, unknown>,
    },
    NAMESPACE,
    stack,
    options.preview ?? false,
  );
  const config = Object.fromEntries(
    Object.entries(options.config ?? {}).map(([key, value]) => [
      key.includes(":") ? key : `${NAMESPACE}:${key}`,
      configValue(value),
    ]),
  );
  pulumi.runtime.setAllConfig(
    config,
    (options.secretKeys ?? []).map((key) => `${NAMESPACE}:${key}`),
  );

  let exported: Record<string, unknown> = {};
  let programError: unknown;
  let resourceError: unknown;
  let failRun: (error: unknown) => void = () => undefined;
  const failed = new Promise<void>((resolve) => {
    failRun = () => resolve();
  });
  const stackRun = pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      if (args.type === "pulumi:pulumi:Stack") return undefined;
      const types = aliasValues(args.opts.aliases, "type");
      if (types.length > 0) previousTypes.set(args.resource, types);
      const dependsOn = ([] as unknown[]).concat(args.opts.dependsOn ?? []);
      const entry: RecordedResource = {
        type: args.type,
        name: args.name,
        inputs: {},
        secretInputs: [],
        parent: resourceName(args.opts.parent),
        dependsOn: dependsOn.map(resourceName).filter((name): name is string => name !== undefined),
        deleteBeforeReplace: (args.opts as PulumiModule.CustomResourceOptions).deleteBeforeReplace,
        providerName: resourceName((args.opts as PulumiModule.CustomResourceOptions).provider),
        urn: engineUrn(stack, args.type, args.name, args.opts.parent),
        aliasUrns: aliasUrns(stack, args.type, args.name, args.opts.parent, args.opts.aliases),
      };
      recorded.set(`${args.type}::${args.name}`, entry);
      ordered.push(entry);
      return undefined;
    });
    // A program that throws (invalid config) must fail this run, not the Stack's own
    // promises, which would surface as an unhandled rejection.
    try {
      exported = options.throughIndex
        ? (require(PROGRAM) as Record<string, unknown>)
        : options.throughStackCommand
          ? await (require(STACK_COMMAND) as { program: () => Promise<Record<string, unknown>> }).program()
          : (require(PROGRAM_FUNCTION) as typeof LandscapeStackModule).landscapeStack();
    } catch (error) {
      programError = error;
    }
    return exported;
  });
  // A failed resource leaves its dependants waiting forever, as the engine would stop the
  // update there; so the run ends at the first failure or when the stack is done.
  await Promise.race([
    stackRun.catch((error: unknown) => {
      resourceError ??= error;
    }),
    failed,
  ]);
  // Let the registrations of this run finish (or fail) before the next run replaces the
  // mocks: the SDK keeps its state in a process-wide store.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    waitForRpcs(pulumi),
    new Promise((resolve) => (timer = setTimeout(resolve, resourceError === undefined ? 30000 : 1000))),
  ]);
  clearTimeout(timer);
  if (programError !== undefined) throw programError;
  if (resourceError !== undefined) throw resourceError;

  const outputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(exported)) {
    outputs[key] = pulumi.Output.isInstance(value) ? await settled(value) : value;
  }
  return {
    resources: ordered,
    outputs,
    ofType: (type) => ordered.filter((resource) => resource.type === type),
    named: (name) => {
      const found = ordered.find(
        (resource) => resource.name === name && !resource.type.startsWith("openstudiolandscapes:"),
      );
      if (!found) throw new Error(`no resource named ${name}; declared: ${ordered.map((r) => r.name).join(", ")}`);
      return found;
    },
  };
}

/**
 * Runs a program that must fail (bad config): returns its error message and the names of
 * the resources it declared before failing, besides the stack itself.
 */
export async function runRefused(options: RunOptions): Promise<{ message: string; declared: string[] }> {
  const declared: string[] = [];
  try {
    await runProgram({
      ...options,
      newResource: async ({ type, name }) => {
        if (type !== "pulumi:pulumi:Stack") declared.push(name);
        return { id: name, state: {} };
      },
    });
  } catch (error) {
    return { message: error instanceof Error ? error.message : String(error), declared };
  }
  throw new Error(`the program ran without error; it declared: ${declared.join(", ")}`);
}

export interface Diff {
  added: string[];
  removed: string[];
  changed: string[];
}

/** What `pulumi preview` would show between two runs: resources added, removed and with changed inputs. */
export function diff(before: ProgramRun, after: ProgramRun): Diff {
  const key = (resource: RecordedResource) => `${resource.type}::${resource.name}`;
  const earlier = new Map(before.resources.map((resource) => [key(resource), stableJson(resource.inputs)]));
  const later = new Map(after.resources.map((resource) => [key(resource), stableJson(resource.inputs)]));
  const nameOf = (id: string) => id.split("::")[1];
  return {
    added: [...later.keys()]
      .filter((id) => !earlier.has(id))
      .map(nameOf)
      .sort(),
    removed: [...earlier.keys()]
      .filter((id) => !later.has(id))
      .map(nameOf)
      .sort(),
    changed: [...later.keys()]
      .filter((id) => earlier.has(id) && earlier.get(id) !== later.get(id))
      .map(nameOf)
      .sort(),
  };
}
