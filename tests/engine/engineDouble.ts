/**
 * STAND-IN for the Pulumi docker and command providers, which cannot be installed here.
 *
 * Used as the `newResource` of Pulumi's mocks, it applies each resource the real program
 * declares to a real Docker engine and returns real ids and outputs, so dependent inputs
 * carry real values. It honours only the input fields listed in HONOURED_FIELDS and fails
 * on any other field the program sets, so it cannot silently drift from the program.
 *
 * Like the Pulumi engine between two `pulumi up`s, it remembers what it applied: an
 * unchanged resource is left alone, a changed command runs again (an update keeps its id),
 * a changed image is rebuilt and a changed container is replaced (old one removed first).
 * A run wrapped in `update()` also removes, at its end, what the program no longer declares
 * (scaling down). `destroy()` removes what it created, in reverse creation order (dependants
 * first), and runs the `delete` step of commands that have one; host directories stay.
 *
 * A command whose `triggers` change is replaced the way the Pulumi engine replaces a
 * deleteBeforeReplace resource (the program marks its only triggered command so; a program
 * test asserts it): first the docker resources whose inputs hold the command's id are
 * removed (the engine's dependent replacements: a property dependency whose change replaces
 * them), then the old command's `delete` runs with its old inputs, then the new command is
 * created; the removed dependants are created again when the program declares them.
 *
 * Explicit docker providers (`pulumi:providers:docker`) are honoured for `unix://` hosts:
 * images, networks and containers whose `provider` points at one are applied to that engine.
 */
import { execFile, spawn } from "child_process";
import { createHash } from "crypto";
import Docker from "dockerode";
import { PROJECT_ROOT, stableJson } from "../program/harness";
import type { MockedResource } from "../program/harness";

export const DOCKER_CLI = "/usr/bin/docker";

/** Every input field the double implements, per resource type ("a.b" for nested, "a[]" for list items). */
export const HONOURED_FIELDS: Record<string, readonly string[]> = {
  "command:local:Command": ["create", "delete", "triggers", "environment", "stdin", "dir"],
  "pulumi:providers:docker": ["host"],
  "docker:index/image:Image": [
    "imageName",
    "skipPush",
    "buildOnPreview",
    "build",
    "build.context",
    "build.dockerfile",
    "build.args",
    "build.platform",
    "build.network",
  ],
  "docker:index/network:Network": ["name", "labels", "labels[].label", "labels[].value"],
  "docker:index/container:Container": [
    "name",
    "image",
    "hostname",
    "domainname",
    "restart",
    "command",
    "envs",
    "ports",
    "ports[].internal",
    "ports[].external",
    "ports[].ip",
    "volumes",
    "volumes[].hostPath",
    "volumes[].containerPath",
    "volumes[].readOnly",
    "networksAdvanced",
    "networksAdvanced[].name",
    "networksAdvanced[].aliases",
    "healthcheck",
    "healthcheck.tests",
    "healthcheck.interval",
    "healthcheck.timeout",
    "healthcheck.startPeriod",
    "healthcheck.retries",
    "labels",
    "labels[].label",
    "labels[].value",
    "wait",
    "waitTimeout",
    "user",
    "networkMode",
  ],
};

/** Field paths present in `inputs` (objects descend, lists of objects descend as `[]`). */
export function fieldPaths(inputs: Record<string, unknown>, prefix = ""): string[] {
  const paths: string[] = [];
  for (const [key, value] of Object.entries(inputs)) {
    if (value === undefined) continue;
    const here = `${prefix}${key}`;
    paths.push(here);
    if (Array.isArray(value)) {
      for (const item of value) {
        if (item && typeof item === "object" && !Array.isArray(item))
          paths.push(...fieldPaths(item as Record<string, unknown>, `${here}[].`));
      }
    } else if (value && typeof value === "object" && !(key === "args" || key === "environment")) {
      paths.push(...fieldPaths(value as Record<string, unknown>, `${here}.`));
    }
  }
  return [...new Set(paths)];
}

export function assertHonoured(type: string, name: string, inputs: Record<string, unknown>): void {
  const honoured = HONOURED_FIELDS[type];
  if (!honoured) throw new Error(`engine double: resource type ${type} (${name}) is not implemented`);
  const unknown = fieldPaths(inputs).filter((field) => !honoured.includes(field));
  if (unknown.length > 0)
    throw new Error(
      `engine double: ${type} ${name} sets input fields the double does not implement: ${unknown.join(", ")}`,
    );
}

/** Go duration ("5s", "1m30s", "500ms") in nanoseconds, as the Engine API wants. */
export function durationNanoseconds(value: string): number {
  const units: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let total = 0;
  for (const match of value.matchAll(/(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)/g)) total += Number(match[1]) * units[match[2]];
  return Math.round(total);
}

/** True when every build step after FROM came from BuildKit's cache (plain progress output). */
export function buildWasFullyCached(log: string): boolean {
  const stepIds = [...log.matchAll(/^#(\d+) \[[^\]]*\d+\/\d+\] (?!FROM)/gm)].map((match) => match[1]);
  const cached = new Set([...log.matchAll(/^#(\d+) CACHED$/gm)].map((match) => match[1]));
  return stepIds.length > 0 && stepIds.every((id) => cached.has(id));
}

/** The provider's healthcheck input in the Engine API's form (durations in nanoseconds). */
export function engineHealthcheck(healthcheck: {
  tests: string[];
  interval?: string;
  timeout?: string;
  startPeriod?: string;
  retries?: number;
}) {
  return {
    Test: healthcheck.tests,
    Interval: healthcheck.interval ? durationNanoseconds(healthcheck.interval) : undefined,
    Timeout: healthcheck.timeout ? durationNanoseconds(healthcheck.timeout) : undefined,
    StartPeriod: healthcheck.startPeriod ? durationNanoseconds(healthcheck.startPeriod) : undefined,
    Retries: healthcheck.retries,
  };
}

interface Applied {
  type: string;
  name: string;
  inputsJson: string;
  id: string;
  state: Record<string, unknown>;
  /** The engine it was applied to (its provider's, or the default one). */
  docker: Docker;
  /** That engine's endpoint for the docker CLI, when it is not the default one. */
  host?: string;
}

export interface CommandRun {
  name: string;
  /** Which of the command's steps ran. */
  step: "create" | "delete";
  stdout: string;
  stderr: string;
}

export interface ImageBuild {
  name: string;
  imageName: string;
  log: string;
  /** True when every build step came from the build cache. */
  fullyCached: boolean;
}

function run(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; stdin?: string } = {},
): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ stdout, stderr, code: code ?? 1 }));
    child.stdin.end(options.stdin ?? "");
  });
}

export function dockerCli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(DOCKER_CLI, args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`docker ${args.join(" ")} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

export interface EngineDoubleOptions {
  /** Docker Engine API client; defaults to the local socket. */
  docker?: Docker;
  /** Extra environment for commands (never secrets of the tests). */
  log?: (line: string) => void;
}

/** The resource id in a provider reference `<urn>::<id>`, as the mocks pass it. */
export function providerIdOf(reference: string): string {
  return reference.slice(reference.lastIndexOf("::") + 2);
}

/** Socket path of a `unix://` Docker endpoint; other endpoints are not implemented. */
export function unixSocketOf(host: string): string {
  if (!host.startsWith("unix:///"))
    throw new Error(`engine double: docker provider host ${host} is not implemented (only unix:// endpoints)`);
  return host.slice("unix://".length);
}

/**
 * A container the provider created and started but that did not become healthy within
 * `waitTimeout`. The message is the provider's own (errContainerFailedToBeInHealthyState);
 * it names neither the container nor its health output: Pulumi adds the resource's name.
 */
class UnhealthyContainer extends Error {
  constructor(readonly result: { id: string; state: Record<string, unknown> }) {
    super("container failed to be in healthy state");
  }
}

export class EngineDouble {
  readonly docker: Docker;
  readonly commandRuns: CommandRun[] = [];
  readonly imageBuilds: ImageBuild[] = [];
  private readonly applied = new Map<string, Applied>();
  private readonly creationOrder: string[] = [];
  private readonly log: (line: string) => void;
  /** Engines of the explicit docker providers, by provider id. */
  private readonly providers = new Map<string, { docker: Docker; host: string }>();
  /** Makes command ids unique per creation, as the command provider's are. */
  private commandSequence = 0;
  /** Resources declared by the run in progress, when it runs inside `update()`. */
  private declared: Set<string> | undefined;

  constructor(options: EngineDoubleOptions = {}) {
    this.docker = options.docker ?? new Docker({ socketPath: "/var/run/docker.sock" });
    this.log = options.log ?? (() => undefined);
  }

  /** The `newResource` to give Pulumi's mocks. */
  readonly newResource = async (resource: MockedResource): Promise<{ id: string; state: Record<string, unknown> }> => {
    if (resource.type === "pulumi:pulumi:Stack" || resource.type.startsWith("openstudiolandscapes:")) {
      return { id: resource.name, state: {} };
    }
    assertHonoured(resource.type, resource.name, resource.inputs);
    const key = `${resource.type}::${resource.name}`;
    this.declared?.add(key);
    const inputsJson = stableJson({ inputs: resource.inputs, provider: resource.provider ?? "" });
    const previous = this.applied.get(key);
    if (previous && previous.inputsJson === inputsJson) return { id: previous.id, state: previous.state };

    const { docker, host } = this.engineFor(resource);
    let result: { id: string; state: Record<string, unknown> };
    switch (resource.type) {
      case "pulumi:providers:docker":
        result = this.registerProvider(resource);
        break;
      case "command:local:Command":
        result = await this.applyCommand(resource, previous);
        break;
      case "docker:index/image:Image":
        result = await this.buildImage(resource, host);
        break;
      case "docker:index/network:Network":
        if (previous) await this.removeNetwork(previous.docker, previous.id);
        result = await this.createNetwork(docker, resource);
        break;
      case "docker:index/container:Container":
        // The program marks its containers deleteBeforeReplace: their names and ports are fixed.
        if (previous) await this.removeContainer(previous.docker, previous.id, previous.name);
        try {
          result = await this.createContainer(docker, resource);
        } catch (error) {
          if (!(error instanceof UnhealthyContainer)) throw error;
          // As with the provider, the container stays and is kept in the state; the update fails.
          if (!previous) this.creationOrder.push(key);
          this.applied.set(key, { type: resource.type, name: resource.name, inputsJson, docker, ...error.result });
          throw new Error(`${resource.type} (${resource.name}):\n    error: ${error.message}`);
        }
        break;
      default:
        throw new Error(`engine double: resource type ${resource.type} is not implemented`);
    }
    // A dependant removed for a replacement keeps its place: it is created again where it was.
    if (!this.creationOrder.includes(key)) this.creationOrder.push(key);
    this.applied.set(key, { type: resource.type, name: resource.name, inputsJson, docker, host, ...result });
    return result;
  };

  /**
   * Runs one `pulumi up` (a `runProgram` with this double) and, when it succeeds, removes
   * what the program no longer declares, dependants first, as the Pulumi engine does.
   */
  async update<T>(up: () => Promise<T>): Promise<T> {
    this.declared = new Set();
    try {
      const result = await up();
      const gone = [...this.creationOrder].reverse().filter((key) => !this.declared?.has(key));
      for (const key of gone) await this.remove(key);
      return result;
    } finally {
      this.declared = undefined;
    }
  }

  /** The engine a resource is applied to: its explicit provider's, or the default one. */
  private engineFor(resource: MockedResource): { docker: Docker; host?: string } {
    if (!resource.provider || resource.type === "pulumi:providers:docker") return { docker: this.docker };
    const engine = this.providers.get(providerIdOf(resource.provider));
    if (!engine)
      throw new Error(
        `engine double: ${resource.type} ${resource.name} names a provider the double has not seen: ${resource.provider}`,
      );
    return engine;
  }

  private registerProvider({ name, inputs }: MockedResource) {
    const host = String(inputs.host);
    const id = `${name}-${createHash("sha256").update(host).digest("hex").slice(0, 12)}`;
    this.providers.set(id, { docker: new Docker({ socketPath: unixSocketOf(host) }), host });
    this.log(`provider ${name}: ${host}`);
    return { id, state: { ...inputs } };
  }

  /** Id of what the double applied for that resource, if anything. */
  appliedId(type: string, name: string): string | undefined {
    return this.applied.get(`${type}::${name}`)?.id;
  }

  /** Create, update (same id) or delete-first replacement of a command, as described above. */
  private async applyCommand(resource: MockedResource, previous: Applied | undefined) {
    if (previous && stableJson(previous.state.triggers ?? null) !== stableJson(resource.inputs.triggers ?? null)) {
      await this.removeDependantsOf(previous);
      await this.runCommandStep(previous.name, "delete", previous.state);
      return this.runCommand(resource, this.newCommandId(resource.name));
    }
    return this.runCommand(resource, previous?.id ?? this.newCommandId(resource.name));
  }

  private newCommandId(name: string): string {
    this.commandSequence += 1;
    return `${name}-${this.commandSequence.toString(16).padStart(8, "0")}`;
  }

  private async runCommand({ name, inputs }: MockedResource, id: string) {
    const result = await this.runCommandStep(name, "create", inputs);
    return {
      id,
      state: { ...inputs, stdout: result.stdout.replace(/\n$/, ""), stderr: result.stderr.replace(/\n$/, "") },
    };
  }

  /** Runs a command's create or delete step with the given inputs (a delete: those stored at its creation). */
  private async runCommandStep(name: string, step: "create" | "delete", inputs: Record<string, unknown>) {
    const text = inputs[step];
    if (typeof text !== "string") return { stdout: "", stderr: "" };
    const environment = (inputs.environment ?? {}) as Record<string, string>;
    const cwd = typeof inputs.dir === "string" ? inputs.dir : PROJECT_ROOT;
    this.log(`command ${name}: ${step} ${text}`);
    const result = await run("/bin/sh", ["-c", text], {
      cwd,
      env: { ...process.env, ...environment },
      stdin: step === "create" && typeof inputs.stdin === "string" ? inputs.stdin : undefined,
    });
    this.commandRuns.push({ name, step, stdout: result.stdout, stderr: result.stderr });
    if (result.code !== 0) {
      throw new Error(`command ${name} (${step}) failed with exit code ${result.code}: ${result.stderr.trim()}`);
    }
    return result;
  }

  /** Removes the docker resources whose inputs hold `entry`'s id, dependants first; they keep their place in the creation order. */
  private async removeDependantsOf(entry: Applied): Promise<void> {
    const reference = JSON.stringify(entry.id);
    const dependants = [...this.creationOrder].reverse().filter((key) => {
      const candidate = this.applied.get(key);
      return (
        candidate !== undefined && candidate.type.startsWith("docker:") && candidate.inputsJson.includes(reference)
      );
    });
    for (const key of dependants) await this.removeApplied(key);
  }

  private async buildImage({ name, inputs }: MockedResource, host: string | undefined) {
    const build = inputs.build as {
      context: string;
      dockerfile?: string;
      args?: Record<string, string>;
      platform?: string;
      network?: string;
    };
    const imageName = String(inputs.imageName);
    const engine = host === undefined ? [] : ["--host", host];
    const args = [...engine, "build", "--progress=plain", "-t", imageName];
    if (build.dockerfile) args.push("-f", build.dockerfile);
    if (build.platform) args.push("--platform", build.platform);
    if (build.network) args.push("--network", build.network);
    for (const [key, value] of Object.entries(build.args ?? {})) args.push("--build-arg", `${key}=${value}`);
    args.push(build.context);
    this.log(`image ${name}: docker ${args.join(" ")}`);
    const result = await run(DOCKER_CLI, args, { env: { ...process.env, DOCKER_BUILDKIT: "1" } });
    if (result.code !== 0) throw new Error(`image ${name}: docker build failed:\n${result.stderr.slice(-4000)}`);
    const log = result.stderr + result.stdout;
    const fullyCached = buildWasFullyCached(log);
    this.imageBuilds.push({ name, imageName, log, fullyCached });
    const id = (await dockerCli([...engine, "image", "inspect", "--format", "{{.Id}}", imageName])).trim();
    return { id: imageName, state: { ...inputs, repoDigest: id, imageName, platform: build.platform } };
  }

  private async createNetwork(docker: Docker, { inputs }: MockedResource) {
    const labels = Object.fromEntries(
      ((inputs.labels ?? []) as { label: string; value: string }[]).map((entry) => [entry.label, entry.value]),
    );
    const network = await docker.createNetwork({ Name: String(inputs.name), Labels: labels, CheckDuplicate: true });
    return { id: network.id, state: { ...inputs } };
  }

  private async createContainer(docker: Docker, { name, inputs }: MockedResource) {
    const ports = (inputs.ports ?? []) as { internal: number; external?: number; ip?: string }[];
    const volumes = (inputs.volumes ?? []) as { hostPath: string; containerPath: string; readOnly?: boolean }[];
    const networks = (inputs.networksAdvanced ?? []) as { name: string; aliases?: string[] }[];
    const healthcheck = inputs.healthcheck as
      { tests: string[]; interval?: string; timeout?: string; startPeriod?: string; retries?: number } | undefined;
    const labels = Object.fromEntries(
      ((inputs.labels ?? []) as { label: string; value: string }[]).map((entry) => [entry.label, entry.value]),
    );
    const [firstNetwork, ...otherNetworks] = networks;
    if (inputs.networkMode !== undefined && firstNetwork)
      throw new Error(`engine double: container ${name} sets both networkMode and networksAdvanced`);
    const container = await docker.createContainer({
      name: inputs.name as string | undefined,
      Image: String(inputs.image),
      Hostname: inputs.hostname as string | undefined,
      Domainname: inputs.domainname as string | undefined,
      Cmd: inputs.command as string[] | undefined,
      User: inputs.user as string | undefined,
      Env: inputs.envs as string[] | undefined,
      Labels: labels,
      ExposedPorts: Object.fromEntries(ports.map((port) => [`${port.internal}/tcp`, {}])),
      Healthcheck: healthcheck && engineHealthcheck(healthcheck),
      HostConfig: {
        Binds: volumes.map((volume) => `${volume.hostPath}:${volume.containerPath}:${volume.readOnly ? "ro" : "rw"}`),
        PortBindings: Object.fromEntries(
          ports.map((port) => [
            `${port.internal}/tcp`,
            [{ HostIp: port.ip ?? "", HostPort: String(port.external ?? "") }],
          ]),
        ),
        RestartPolicy: inputs.restart ? { Name: String(inputs.restart) } : undefined,
        NetworkMode: (inputs.networkMode as string | undefined) ?? firstNetwork?.name,
      },
      NetworkingConfig: firstNetwork
        ? { EndpointsConfig: { [firstNetwork.name]: { Aliases: firstNetwork.aliases } } }
        : undefined,
    });
    for (const network of otherNetworks) {
      await docker
        .getNetwork(network.name)
        .connect({ Container: container.id, EndpointConfig: { Aliases: network.aliases } });
    }
    await container.start();
    this.log(`container ${name}: started`);
    const inspected = await container.inspect();
    const result = { id: container.id, state: { ...inputs, name: inspected.Name.replace(/^\//, "") } };
    if (inputs.wait === true) {
      if (!(await this.becomesHealthy(container, Number(inputs.waitTimeout ?? 60))))
        throw new UnhealthyContainer(result);
      this.log(`container ${name}: healthy`);
    }
    return result;
  }

  /**
   * Like the provider's `wait` (resource_docker_container_funcs.go): polls until the container
   * is healthy, for `waitTimeout` seconds whatever its state ("unhealthy" or stopped included).
   */
  private async becomesHealthy(container: Docker.Container, timeoutSeconds: number): Promise<boolean> {
    const deadline = Date.now() + timeoutSeconds * 1000;
    for (;;) {
      const state = (await container.inspect()).State;
      if (state.Health === undefined)
        throw new Error("you have supplied a 'wait' argument, but the container does not have a healthcheck defined");
      if (state.Health.Status === "healthy") return true;
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  private async removeContainer(docker: Docker, id: string, name: string): Promise<void> {
    await docker
      .getContainer(id)
      .remove({ force: true, v: false })
      .catch((error: { statusCode?: number }) => {
        if (error.statusCode !== 404) throw error;
      });
    this.log(`container ${name}: removed`);
  }

  private async removeNetwork(docker: Docker, id: string): Promise<void> {
    await docker
      .getNetwork(id)
      .remove()
      .catch((error: { statusCode?: number }) => {
        if (error.statusCode !== 404) throw error;
      });
  }

  /**
   * Deletes what one applied resource made: containers and networks go; commands run their
   * delete step. Images stay, as with the provider, whose Image delete does nothing.
   */
  private async removeApplied(key: string): Promise<void> {
    const entry = this.applied.get(key);
    if (!entry) return;
    if (entry.type === "docker:index/container:Container")
      await this.removeContainer(entry.docker, entry.id, entry.name);
    if (entry.type === "docker:index/network:Network") await this.removeNetwork(entry.docker, entry.id);
    if (entry.type === "command:local:Command") await this.runCommandStep(entry.name, "delete", entry.state);
    if (entry.type === "pulumi:providers:docker") this.providers.delete(entry.id);
    this.applied.delete(key);
  }

  /** Deletes one applied resource and forgets it. */
  private async remove(key: string): Promise<void> {
    await this.removeApplied(key);
    const position = this.creationOrder.indexOf(key);
    if (position >= 0) this.creationOrder.splice(position, 1);
  }

  /** `pulumi destroy`: removes the containers and networks it created, dependants first; commands run their delete step; images stay. */
  async destroy(): Promise<void> {
    for (const key of [...this.creationOrder].reverse()) await this.remove(key);
  }
}
