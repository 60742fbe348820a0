/**
 * STAND-IN for the official `docker` provider plugin 5.2.0 (pulumi/pulumi-docker), which cannot
 * be installed here. The engine tests install it under that name and version into their own
 * PULUMI_HOME. It implements the resources and properties this program uses, refuses any other
 * property loudly, and acts on real Docker engines. Check and Diff follow dockerRules.ts; the
 * operations follow the terraform provider the official one bridges
 * (kreuzwerker/terraform-provider-docker v4.5.0, internal/provider/*_funcs.go) and the native
 * image resource (pulumi-docker provider/image.go), rule by rule:
 *
 *   Container create: create, leave the default bridge, join each networksAdvanced entry with
 *     its aliases, start, and with `wait` poll the health every second until healthy or
 *     `waitTimeout` seconds pass, "unhealthy" included; then the container stays and the engine
 *     keeps it with the error "container failed to be in healthy state"
 *     (resource_docker_container_funcs.go resourceDockerContainerCreate).
 *   Container update: only `restart` reaches the engine (ContainerUpdate); health check, wait
 *     and destroyGraceSeconds change the state alone (resourceDockerContainerUpdate).
 *   Container read: gone → no id, so the engine drops it; stopped → mustRun false, which the
 *     next `up` shows as an update that starts it; health check durations written back as Go
 *     prints them (resourceDockerContainerRead).
 *   Container delete: stop with `destroyGraceSeconds` (else 0: SIGTERM, then SIGKILL at once),
 *     force-remove with anonymous volumes; a container already gone is fine
 *     (resourceDockerContainerDelete).
 *   Network: create with its labels; read gone → no id; delete retries "has active endpoints"
 *     for 30 seconds (resource_docker_network_funcs.go).
 *   Image: built with BuildKit on the provider's engine; id = image name; repoDigest = the
 *     local image id when nothing is pushed; delete does nothing; read changes nothing
 *     (provider.go Create/Update/Delete/Read, image.go dockerBuild).
 *   Provider: `host` (DOCKER_HOST, else the local socket); configure pings unix:// and tcp://
 *     engines and fails when none answers (image.go configureDockerClient). ssh:// hosts are not
 *     implemented by the stand-in and are refused.
 */
import { spawn } from "child_process";
import Docker from "dockerode";
import type { Properties, ResourceType, StandInProvider, Target } from "./pluginServer";
import { isUnknown, ResourceInitFailed, serve, UNKNOWN } from "./pluginServer";
import {
  checkContainer,
  checkImage,
  diffContainer,
  diffImage,
  diffNetwork,
  diffProviderConfig,
  durationNanoseconds,
  goDurationString,
  NETWORK_INPUTS,
  unimplemented,
} from "./dockerRules";

const DOCKER_CLI = "/usr/bin/docker";

let host = process.env.DOCKER_HOST || "unix:///var/run/docker.sock";

function engine(): Docker {
  if (host.startsWith("unix://")) return new Docker({ socketPath: host.slice("unix://".length) });
  if (host.startsWith("tcp://")) {
    const url = new URL(host.replace(/^tcp:/, "http:"));
    return new Docker({ host: url.hostname, port: Number(url.port || 2375) });
  }
  throw new Error(`the docker provider stand-in does not implement the host ${host} (only unix:// and tcp://)`);
}

function statusCode(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}

interface Healthcheck {
  tests: string[];
  interval?: string;
  timeout?: string;
  startPeriod?: string;
  retries?: number;
}

const HEALTHY_STATE_ERROR = "container failed to be in healthy state";

async function waitHealthy(container: Docker.Container, timeoutSeconds: number): Promise<boolean> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const state = (await container.inspect()).State;
    if (state.Health === undefined) {
      throw new Error(
        "you have supplied a 'wait' argument, but the container does not have a healthcheck defined. Please remove the 'wait' argument or add a 'healthcheck' attribute",
      );
    }
    if (state.Health.Status === "healthy") return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

const container: ResourceType = {
  async check(_target, _olds, news) {
    return checkContainer(news);
  },

  async diff(_target, _id, oldInputs, olds, news) {
    return diffContainer(Object.keys(olds).length > 0 ? olds : oldInputs, news);
  },

  async create(target, inputs, _timeout, preview) {
    // Preview: the planned state, what the engine computes left unknown (the bridge's ProposedState).
    if (preview) return { id: "", properties: { ...inputs, exitCode: UNKNOWN, networkDatas: UNKNOWN } };
    const docker = engine();
    const ports = (inputs.ports ?? []) as { internal: number; external?: number; ip?: string; protocol?: string }[];
    const volumes = (inputs.volumes ?? []) as { hostPath: string; containerPath: string; readOnly?: boolean }[];
    const networks = (inputs.networksAdvanced ?? []) as { name: string; aliases?: string[] }[];
    const healthcheck = inputs.healthcheck as Healthcheck | undefined;
    const labels = Object.fromEntries(
      ((inputs.labels ?? []) as { label: string; value: string }[]).map((entry) => [entry.label, entry.value]),
    );
    const gpus = inputs.gpus as string | undefined;
    const created = await docker.createContainer({
      name: String(inputs.name),
      Image: String(inputs.image),
      Hostname: inputs.hostname as string | undefined,
      Domainname: inputs.domainname as string | undefined,
      Cmd: inputs.command as string[] | undefined,
      User: inputs.user as string | undefined,
      Env: inputs.envs as string[] | undefined,
      Labels: labels,
      ExposedPorts: Object.fromEntries(ports.map((port) => [`${port.internal}/${port.protocol ?? "tcp"}`, {}])),
      Healthcheck: healthcheck && {
        Test: healthcheck.tests,
        Interval: durationNanoseconds(healthcheck.interval ?? "0s"),
        Timeout: durationNanoseconds(healthcheck.timeout ?? "0s"),
        StartPeriod: durationNanoseconds(healthcheck.startPeriod ?? "0s"),
        Retries: healthcheck.retries ?? 0,
      },
      HostConfig: {
        Binds: volumes.map((volume) => `${volume.hostPath}:${volume.containerPath}:${volume.readOnly ? "ro" : "rw"}`),
        PortBindings: Object.fromEntries(
          ports.map((port) => [
            `${port.internal}/${port.protocol ?? "tcp"}`,
            [{ HostIp: port.ip ?? "", HostPort: port.external === undefined ? "" : String(port.external) }],
          ]),
        ),
        RestartPolicy: { Name: String(inputs.restart ?? "no") },
        NetworkMode: String(inputs.networkMode ?? "bridge"),
        ...(gpus === undefined
          ? {}
          : {
              DeviceRequests: [
                { Driver: "", Count: gpus === "all" ? -1 : Number(gpus), Capabilities: [["gpu"]], Options: {} },
              ],
            }),
      },
    });
    target.log(`container ${String(inputs.name)} created`);
    const properties = { ...inputs };
    try {
      if (networks.length > 0) {
        await docker
          .getNetwork("bridge")
          .disconnect({ Container: created.id })
          .catch(() => undefined);
        for (const network of networks) {
          await docker
            .getNetwork(network.name)
            .connect({ Container: created.id, EndpointConfig: { Aliases: network.aliases } })
            .catch((error: Error) => {
              throw new Error(`Unable to connect to network '${network.name}': ${error.message}`);
            });
        }
      }
      await created.start().catch((error: Error) => {
        throw new Error(`Unable to start container: ${error.message}`);
      });
      if (inputs.wait === true && !(await waitHealthy(created, Number(inputs.waitTimeout ?? 60)))) {
        throw new Error(HEALTHY_STATE_ERROR);
      }
    } catch (error) {
      throw new ResourceInitFailed((error as Error).message, created.id, properties, inputs);
    }
    return { id: created.id, properties };
  },

  async read(_target, id, properties, inputs) {
    let inspected: Docker.ContainerInspectInfo;
    try {
      inspected = await engine().getContainer(id).inspect();
    } catch (error) {
      if (statusCode(error) === 404) return { id: "", properties: {} };
      throw error;
    }
    const read: Properties = { ...properties, name: inspected.Name.replace(/^\//, "") };
    if (!inspected.State.Running && properties.mustRun !== false) read.mustRun = false;
    const configured = properties.healthcheck as Healthcheck | undefined;
    if (configured && inspected.Config.Healthcheck) {
      const seconds = (nanoseconds: number | undefined) => goDurationString(`${(nanoseconds ?? 0) / 1e9}s`);
      read.healthcheck = {
        ...configured,
        interval: seconds(inspected.Config.Healthcheck.Interval),
        timeout: seconds(inspected.Config.Healthcheck.Timeout),
        startPeriod: seconds(inspected.Config.Healthcheck.StartPeriod),
      };
    }
    return { id, properties: read, inputs };
  },

  async update(target, id, olds, news, _oldInputs, preview) {
    if (preview) return { properties: { ...news } };
    if (olds.restart !== news.restart) {
      await engine()
        .getContainer(id)
        .update({ RestartPolicy: { Name: String(news.restart) } });
      target.log(`restart policy ${String(news.restart)}`);
    }
    if (olds.mustRun === false && news.mustRun !== false) await engine().getContainer(id).start();
    return { properties: { ...news } };
  },

  async delete(_target, id, properties) {
    const found = engine().getContainer(id);
    const grace = Number(properties.destroyGraceSeconds ?? 0);
    await found.stop({ t: grace > 0 ? grace : 0 }).catch((error) => {
      if (![304, 404].includes(statusCode(error) ?? 0)) throw error;
    });
    await found.remove({ force: true, v: properties.removeVolumes !== false }).catch((error) => {
      if (statusCode(error) !== 404 && statusCode(error) !== 409) throw error;
    });
  },
};

const network: ResourceType = {
  async check(_target, _olds, news) {
    return { inputs: news, failures: unimplemented("Network", news, NETWORK_INPUTS) };
  },

  async diff(_target, _id, oldInputs, olds, news) {
    return diffNetwork(Object.keys(olds).length > 0 ? olds : oldInputs, news);
  },

  async create(_target, inputs, _timeout, preview) {
    if (preview) return { id: "", properties: { ...inputs } };
    const labels = Object.fromEntries(
      ((inputs.labels ?? []) as { label: string; value: string }[]).map((entry) => [entry.label, entry.value]),
    );
    const created = await engine()
      .createNetwork({ Name: String(inputs.name), Labels: labels })
      .catch((error: Error) => {
        throw new Error(`Unable to create network: ${error.message}`);
      });
    return { id: created.id, properties: { ...inputs } };
  },

  async read(_target, id, properties, inputs) {
    try {
      await engine().getNetwork(id).inspect();
      return { id, properties, inputs };
    } catch {
      return { id: "", properties: {} };
    }
  },

  async update() {
    throw new Error("internal: expected diff to not require deletion or replacement");
  },

  async delete(_target, id) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await engine().getNetwork(id).remove();
        return;
      } catch (error) {
        if (statusCode(error) === 404) return;
        if (!/has active endpoints/.test(String((error as Error).message)) || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
  },
};

function runDocker(target: Target, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(DOCKER_CLI, ["--host", host, ...args], {
      env: { ...process.env, DOCKER_BUILDKIT: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(output);
      else {
        target.log(output.slice(-4000));
        reject(new Error(`error building image: ${output.trim().split("\n").slice(-5).join("\n")}`));
      }
    });
  });
}

async function buildImage(target: Target, inputs: Properties): Promise<Properties> {
  const build = inputs.build as {
    context: string;
    dockerfile: string;
    args?: Record<string, string>;
    platform?: string;
    network?: string;
  };
  const imageName = String(inputs.imageName);
  const args = ["build", "--progress=plain", "-t", imageName, "-f", build.dockerfile];
  if (build.platform) args.push("--platform", build.platform);
  if (build.network) args.push("--network", build.network);
  for (const [key, value] of Object.entries(build.args ?? {})) {
    if (!isUnknown(value)) args.push("--build-arg", `${key}=${value}`);
  }
  args.push(build.context);
  target.log(`building ${imageName}`);
  await runDocker(target, args);
  const id = (await engine().getImage(imageName).inspect()).Id;
  return {
    ...inputs,
    baseImageName: imageName,
    context: build.context,
    dockerfile: build.dockerfile,
    platform: build.platform,
    registryServer: "",
    repoDigest: id,
    __inputs: inputs,
  };
}

const image: ResourceType = {
  async check(_target, _olds, news) {
    return checkImage(news);
  },

  async diff(_target, _id, _oldInputs, olds, news) {
    return diffImage((olds.__inputs ?? {}) as Properties, news);
  },

  async create(target, inputs, _timeout, preview) {
    // Preview builds nothing (buildOnPreview false): the id and repoDigest stay unknown.
    if (preview) return { id: "", properties: { ...inputs } };
    return { id: String(inputs.imageName), properties: await buildImage(target, inputs) };
  },

  async read(_target, id, properties, inputs) {
    return { id, properties, inputs };
  },

  async update(target, _id, _olds, news, _oldInputs, preview) {
    if (preview) return { properties: { ...news } };
    return { properties: await buildImage(target, news) };
  },

  async delete() {
    // The provider leaves images in place (provider.go Delete).
  },
};

async function ping(): Promise<void> {
  try {
    await engine().ping();
  } catch {
    throw new Error(
      "docker native provider returned an unexpected error from Configure: failed to connect to any docker daemon",
    );
  }
}

export const dockerProvider: StandInProvider = {
  name: "docker",
  version: "5.2.0",
  supportsPreview: true,
  checkConfig: (_olds, news) => ({
    inputs: news,
    failures: unimplemented("provider", news, ["host", "version"]),
  }),
  diffConfig: diffProviderConfig,
  async configure(config) {
    if (typeof config.host === "string" && config.host !== "") host = config.host;
    await ping();
  },
  resources: {
    "docker:index/container:Container": container,
    "docker:index/network:Network": network,
    "docker:index/image:Image": image,
  },
};

if (require.main === module) {
  void serve(dockerProvider);
}
