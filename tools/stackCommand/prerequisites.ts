/**
 * What `npm run up|preview|destroy|refresh` needs before it starts: the pulumi CLI and a
 * Docker engine. Each missing one is named with the way out, before Pulumi runs.
 */
import { execFile } from "child_process";
import * as http from "http";

export const PULUMI_INSTALL_HINT =
  "install it from https://www.pulumi.com/docs/install/, or run `npm run engine:setup` (as root), which builds it";
export const DOCKER_HINT =
  "start your Docker engine (or point DOCKER_HOST at one), or run `npm run engine:setup` (as root), which installs and starts one";

/** Where the docker provider finds its engine: DOCKER_HOST, else the local socket. */
export function dockerEndpoint(env: Readonly<Record<string, string | undefined>>): string {
  return env.DOCKER_HOST && env.DOCKER_HOST !== "" ? env.DOCKER_HOST : "unix:///var/run/docker.sock";
}

/** Answers true when the Docker engine at `endpoint` answers GET /_ping; ssh:// is not probed. */
export function pingDocker(endpoint: string, timeoutMs = 5000): Promise<boolean | "not-probed"> {
  let options: http.RequestOptions;
  if (endpoint.startsWith("unix://")) {
    options = { socketPath: endpoint.slice("unix://".length), path: "/_ping" };
  } else if (endpoint.startsWith("tcp://")) {
    const url = new URL(endpoint.replace(/^tcp:/, "http:"));
    options = { host: url.hostname, port: url.port || 2375, path: "/_ping" };
  } else {
    return Promise.resolve("not-probed");
  }
  return new Promise((resolve) => {
    const request = http.get({ ...options, timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on("timeout", () => request.destroy());
    request.on("error", () => resolve(false));
  });
}

/** The `pulumi version` on PATH, or undefined when there is none. */
export function pulumiVersion(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile("pulumi", ["version"], { env, timeout: 30_000 }, (error, stdout) => {
      resolve(error ? undefined : stdout.trim());
    });
  });
}

export interface Probes {
  pulumiVersion(): Promise<string | undefined>;
  pingDocker(endpoint: string): Promise<boolean | "not-probed">;
}

/** The problems that stop a run, each with its way out; empty when all is there. */
export async function missingPrerequisites(
  env: Readonly<Record<string, string | undefined>>,
  probes: Probes,
): Promise<string[]> {
  const endpoint = dockerEndpoint(env);
  const [version, docker] = await Promise.all([probes.pulumiVersion(), probes.pingDocker(endpoint)]);
  const problems: string[] = [];
  if (version === undefined) problems.push(`No pulumi CLI on PATH: ${PULUMI_INSTALL_HINT}.`);
  if (docker === false) problems.push(`No Docker engine answers at ${endpoint}: ${DOCKER_HINT}.`);
  return problems;
}
