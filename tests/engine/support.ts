/** Shared set-up of the engine tests: the engine check, the fixture release, free ports. */
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { execFile } from "child_process";
import { buildFixtureRelease, FixtureRelease, ServedDirectory, serveDirectory } from "./fixture/release";

export const DOCKER_CLI = "/usr/bin/docker";

/** The docker CLI on the local engine; rejects with its stderr. */
export function dockerCli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(DOCKER_CLI, args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`docker ${args.join(" ")} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

export const FIXTURE_VERSION = "3.7";
/**
 * Label every test resource carries, so leftovers of an aborted run can be found.
 * ENGINE_TEST_PREFIX gives parallel runs on the same engine landscapes of their own.
 */
export const TEST_LANDSCAPE_PREFIX = process.env.ENGINE_TEST_PREFIX ?? "enginetest";

/** Fails loudly when no engine answers: engine tests must never skip silently. */
export async function requireEngine(): Promise<void> {
  try {
    await dockerCli(["info", "--format", "{{.ServerVersion}}"]);
  } catch (error) {
    throw new Error(`No Docker engine answers; run "npm run engine:setup" first.\n${String(error)}`);
  }
  const images = await dockerCli(["image", "ls", "--format", "{{.Repository}}:{{.Tag}}"]);
  if (!images.split("\n").includes("debian:bookworm-slim")) {
    throw new Error('The base image debian:bookworm-slim is missing; run "npm run engine:setup" first.');
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
    server.on("error", reject);
  });
}

export interface ServedRelease {
  release: FixtureRelease;
  served: ServedDirectory;
  directory: string;
  /** URL of the archive (http://127.0.0.1), named like an official one; the config pins its sha256. */
  archiveUrl: string;
  archiveRequests(): number;
  checksumRequests(): number;
}

/**
 * The keys of a test landscape on this machine: its name, its own landscapes root, the served
 * fixture release (pinned by its sha256) and a free port on 127.0.0.1; `extra` adds or replaces keys.
 */
export function localLandscapeConfig(
  landscape: { name: string; landscapesRoot: string; release: ServedRelease; port: number },
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    landscape: landscape.name,
    landscapesRoot: landscape.landscapesRoot,
    flamencoRelease: { url: landscape.release.archiveUrl, sha256: landscape.release.release.sha256 },
    managerPortHost: landscape.port,
    managerBindAddress: "127.0.0.1",
    ...extra,
  };
}

export async function serveFixtureRelease(version: string = FIXTURE_VERSION): Promise<ServedRelease> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "flamenco-fixture-release-"));
  const release = await buildFixtureRelease(directory, version);
  const served = await serveDirectory(directory);
  const archiveName = path.basename(release.tarballPath);
  return {
    release,
    served,
    directory,
    archiveUrl: `${served.url}/${archiveName}`,
    archiveRequests: () => served.requests.filter((request) => request.endsWith(archiveName)).length,
    checksumRequests: () => served.requests.filter((request) => request.endsWith(".sha256")).length,
  };
}

/** GET over loopback; returns status and body. */
export async function httpGet(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
}

/**
 * Removes the containers (the manager by its name, workers by the landscape label) and the
 * networks of these landscapes left by an aborted earlier run on this machine's engine.
 */
export async function removeLeftovers(landscapes: string[]): Promise<void> {
  for (const landscape of landscapes) {
    const byName = await dockerCli(["ps", "-aq", "--filter", `name=^flamenco-manager--${landscape}$`]);
    const byLabel = await dockerCli(["ps", "-aq", "--filter", `label=org.openstudiolandscapes.landscape=${landscape}`]);
    const containers = [...new Set(`${byName}\n${byLabel}`.split("\n").filter(Boolean))];
    if (containers.length > 0) await dockerCli(["rm", "-f", ...containers]);
    const networks = (await dockerCli(["network", "ls", "-q", "--filter", `name=^openstudiolandscapes-${landscape}$`]))
      .split("\n")
      .filter(Boolean);
    for (const network of networks) await dockerCli(["network", "rm", network]).catch(() => undefined);
  }
}

/** A worker as the manager's worker-management API lists it. */
export interface ListedWorker {
  id: string;
  name: string;
  status: string;
}

/** The workers the manager published on this port lists. */
export async function listedWorkers(port: number): Promise<ListedWorker[]> {
  const body = (await httpGet(`http://127.0.0.1:${port}/api/v3/worker-mgt/workers`)).body;
  return (JSON.parse(body) as { workers: ListedWorker[] }).workers;
}

/** Waits until the manager lists exactly these workers as awake (sorted names), or the time is up. */
export async function untilAwake(port: number, expected: string[], timeoutSeconds = 60): Promise<string[]> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  const awake = async () =>
    (await listedWorkers(port).catch(() => []))
      .filter((worker) => worker.status === "awake")
      .map((worker) => worker.name)
      .sort();
  let listed = await awake();
  while (JSON.stringify(listed) !== JSON.stringify([...expected].sort()) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    listed = await awake();
  }
  return listed;
}

/** A container event as `docker events --format '{{json .}}'` prints it. */
export interface ContainerEvent {
  /** create, start, kill, die, stop, destroy, ... */
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  /** Nanoseconds since the epoch, on the engine's clock (this machine's). */
  timeNano: number;
}

/**
 * Records the engine's events of the containers named `name` from now until `stop()` is awaited:
 * what really happened to them, in order, whatever the provider or the engine reported.
 */
export async function recordContainerEvents(name: string): Promise<{ stop: () => Promise<ContainerEvent[]> }> {
  const since = `${Math.floor(Date.now() / 1000) - 1}`;
  return {
    stop: async () => {
      const until = `${Math.ceil(Date.now() / 1000) + 1}`;
      // Past events are replayed between since and until, and the command ends on its own.
      const output = await dockerCli([
        "events",
        "--since",
        since,
        "--until",
        until,
        "--filter",
        "type=container",
        "--filter",
        `container=${name}`,
        "--format",
        "{{json .}}",
      ]);
      return output
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as ContainerEvent);
    },
  };
}
