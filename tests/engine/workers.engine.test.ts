/**
 * The render farm of the two-host example stack (examples/two-host-farm/Pulumi.farm.yaml),
 * applied by the real program to real Docker engines through the engine double:
 *   - the machine's engine runs the manager and the workers of the manager's host;
 *   - a second engine, started here on its own socket, data root and exec root, stands in
 *     for the render node. Its workers use host networking and reach the manager through
 *     its published port on 127.0.0.1 (the stack's managerUrl).
 * The workers are the stand-in `flamenco-worker` of the fixture release: it fetches
 * `<manager>/api/v3/version`, writes the answer to $FLAMENCO_HOME/manager-version.json and
 * keeps $FLAMENCO_HOME/flamenco-worker-credentials.yaml. Every assertion looks from outside.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { PROJECT_ROOT, ProgramRun, runProgram } from "../program/harness";
import { dockerCli, EngineDouble } from "./engineDouble";
import { startSecondEngine, SecondEngine } from "./secondEngine";
import {
  freePort,
  httpGet,
  removeLeftovers,
  requireEngine,
  serveFixtureRelease,
  ServedRelease,
  TEST_LANDSCAPE_PREFIX,
} from "./support";

const LANDSCAPE = `${TEST_LANDSCAPE_PREFIX}-farm`;
const NAMESPACE = "flamenco-landscape";
const CONTAINER = "docker:index/container:Container";
const LANDSCAPE_LABEL = "org.openstudiolandscapes.landscape";
const SHARED_IN_CONTAINER = "/app/flamenco-manager-storage-shared";
const BASE_IMAGE = "debian:bookworm-slim";

interface HostConfig {
  name: string;
  count: number;
  dockerHost?: string;
  [key: string]: unknown;
}

/** The example stack's config, keys without namespace. */
function exampleConfig(): Record<string, unknown> {
  const file = path.join(PROJECT_ROOT, "examples", "two-host-farm", "Pulumi.farm.yaml");
  const stack = parse(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> };
  return Object.fromEntries(
    Object.entries(stack.config).map(([key, value]) => [key.replace(`${NAMESPACE}:`, ""), value]),
  );
}

const EXAMPLE = exampleConfig();
const EXAMPLE_HOSTS = EXAMPLE.workers as HostConfig[];
const LOCAL_HOST = EXAMPLE_HOSTS.find((host) => host.dockerHost === undefined)!;
const RENDER_HOST = EXAMPLE_HOSTS.find((host) => host.dockerHost !== undefined)!;
const MANAGER_NAME = (EXAMPLE.manager as { managerName: string }).managerName;

let fixture: ServedRelease;
let second: SecondEngine;
let double: EngineDouble;
let landscapesRoot: string;
let port: number;
let run: ProgramRun;
const events: string[] = [];
const timings: string[] = [];

const paths = {
  /** The studio's shared storage, as the manager's host sees it. */
  shared: () => path.join(landscapesRoot, "studio-shared"),
  /** The same storage as the render node sees it: another path (a symlink here). */
  renderView: () => path.join(landscapesRoot, "render-01-view-of-shared"),
  renderWorkers: () => path.join(landscapesRoot, "render-01-workers"),
  localWorkers: () => path.join(landscapesRoot, LANDSCAPE, "OpenStudioLandscapes-Flamenco", "workers"),
};

/**
 * The example stack with only the machine-specific values replaced: landscape, ports and
 * paths of the test, the fixture release, the second engine as the render node's endpoint,
 * and no GPU request (this machine has no GPU). Host names, counts and networking stay.
 */
function farmConfig(renderCount: number = RENDER_HOST.count): Record<string, unknown> {
  const workers = EXAMPLE_HOSTS.map((host) =>
    host.dockerHost === undefined
      ? host
      : {
          ...Object.fromEntries(Object.entries(host).filter(([key]) => key !== "gpus")),
          dockerHost: second.host,
          sharedStorage: paths.renderView(),
          workersRoot: paths.renderWorkers(),
          count: renderCount,
        },
  );
  return {
    ...EXAMPLE,
    landscape: LANDSCAPE,
    landscapesRoot,
    flamencoRelease: { url: fixture.archiveUrl, sha256: fixture.release.sha256 },
    managerPortHost: port,
    managerBindAddress: "127.0.0.1",
    sharedStorage: paths.shared(),
    managerUrl: `http://127.0.0.1:${port}`,
    workers,
  };
}

async function up(renderCount?: number): Promise<ProgramRun> {
  const started = Date.now();
  const result = await double.update(() =>
    runProgram({ config: farmConfig(renderCount), stack: LANDSCAPE, newResource: double.newResource }),
  );
  timings.push(
    `up (render-01 count ${renderCount ?? RENDER_HOST.count}): ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
  return result;
}

function names(host: HostConfig, count: number = host.count): string[] {
  return Array.from({ length: count }, (_unused, index) => `${LANDSCAPE}-${host.name}-${index + 1}`);
}

function resourceName(workerName: string): string {
  return workerName.replace(`${LANDSCAPE}-`, `${LANDSCAPE}-workers-`);
}

function workersRootOf(host: HostConfig): string {
  return host.dockerHost === undefined ? paths.localWorkers() : paths.renderWorkers();
}

/** Names of this landscape's containers on an engine (the docker CLI's arguments are passed on). */
async function containersOn(engine: (args: string[]) => Promise<string>): Promise<string[]> {
  const listed = await engine([
    "ps",
    "-a",
    "--format",
    "{{.Names}}",
    "--filter",
    `label=${LANDSCAPE_LABEL}=${LANDSCAPE}`,
  ]);
  return listed.split("\n").filter(Boolean).sort();
}

/** Waits until a worker has recorded the manager's answer; returns it. */
async function recordedAnswer(home: string, timeoutSeconds = 30): Promise<{ name: string; version: string }> {
  const file = path.join(home, "manager-version.json");
  const deadline = Date.now() + timeoutSeconds * 1000;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`no ${file} after ${timeoutSeconds}s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return JSON.parse(fs.readFileSync(file, "utf8")) as { name: string; version: string };
}

/** Names of the workers the manager lists (the stand-in's worker management API). */
async function registeredWorkers(): Promise<string[]> {
  const listed = JSON.parse((await httpGet(`http://127.0.0.1:${port}/api/v3/worker-mgt/workers`)).body) as {
    workers: { name: string }[];
  };
  return listed.workers.map((worker) => worker.name).sort();
}

/** Waits until the manager lists exactly these workers. */
async function untilRegistered(expected: string[], timeoutSeconds = 30): Promise<string[]> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let listed = await registeredWorkers();
  while (JSON.stringify(listed) !== JSON.stringify([...expected].sort()) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    listed = await registeredWorkers();
  }
  return listed;
}

/** Ids of the containers the double applied: the manager and every worker of the full farm. */
function workerIds(): Record<string, string | undefined> {
  const ids: Record<string, string | undefined> = { manager: double.appliedId(CONTAINER, `${LANDSCAPE}-manager`) };
  for (const name of [...names(LOCAL_HOST), ...names(RENDER_HOST)])
    ids[name] = double.appliedId(CONTAINER, resourceName(name));
  return ids;
}

beforeAll(async () => {
  const started = Date.now();
  await requireEngine();
  await removeLeftovers([LANDSCAPE]);
  const leftovers = (await dockerCli(["ps", "-aq", "--filter", `label=${LANDSCAPE_LABEL}=${LANDSCAPE}`]))
    .split("\n")
    .filter(Boolean);
  if (leftovers.length > 0) await dockerCli(["rm", "-f", ...leftovers]);
  fixture = await serveFixtureRelease();
  landscapesRoot = fs.mkdtempSync(path.join(os.tmpdir(), "flamenco-farm-landscapes-"));
  second = await startSecondEngine();
  timings.push(`second engine answering after ${((Date.now() - started) / 1000).toFixed(1)}s`);
  port = await freePort();
  double = new EngineDouble({ log: (line) => events.push(line) });

  // The render node's engine needs the base image, as a studio node pulls it from its
  // registry; nothing else is copied onto it.
  await second.loadImage(BASE_IMAGE);
  // First the farm with the render node idle (a safe order for a new node): the manager's
  // host builds the manager image, and the render node builds the same image on its engine.
  await up(0);
  fs.symlinkSync(paths.shared(), paths.renderView());
  run = await up();
});

afterAll(async () => {
  await double?.destroy();
  await second?.stop();
  await fixture?.served.close();
  if (timings.length > 0) process.stdout.write(`workers engine test timings:\n  ${timings.join("\n  ")}\n`);
});

describe("pulumi up of the two-host farm", () => {
  test("the stack reports per host the worker names and the URL they use", () => {
    expect(run.outputs.workers).toEqual({
      [LOCAL_HOST.name]: { names: names(LOCAL_HOST), managerUrl: "http://flamenco-manager:8080" },
      [RENDER_HOST.name]: { names: names(RENDER_HOST), managerUrl: `http://127.0.0.1:${port}` },
    });
  });

  test("every worker reached the manager and recorded its answer under its FLAMENCO_HOME on its host", async () => {
    const homes: string[] = [];
    for (const host of [LOCAL_HOST, RENDER_HOST]) {
      for (const name of names(host)) {
        const home = path.join(workersRootOf(host), name);
        expect(await recordedAnswer(home)).toMatchObject({ name: MANAGER_NAME, version: "3.7" });
        expect(fs.readFileSync(path.join(home, "flamenco-worker-credentials.yaml"), "utf8")).toContain(
          `worker_id: ${name}\n`,
        );
        // Owned by the user the worker runs as, though Docker would have created it for root.
        expect(fs.statSync(home).uid).toBe(1000);
        homes.push(home);
      }
    }
    expect(homes).toHaveLength(LOCAL_HOST.count + RENDER_HOST.count);
    expect(await untilRegistered([...names(LOCAL_HOST), ...names(RENDER_HOST)])).toEqual(
      [...names(LOCAL_HOST), ...names(RENDER_HOST)].sort(),
    );
    expect(JSON.parse((await httpGet(`http://127.0.0.1:${port}/api/v3/version`)).body)).toMatchObject({
      name: MANAGER_NAME,
    });
  });

  test("each host's workers run on that host's engine", async () => {
    expect(await containersOn(dockerCli)).toEqual([`flamenco-manager--${LANDSCAPE}`, ...names(LOCAL_HOST)].sort());
    expect(await containersOn(second.cli)).toEqual(names(RENDER_HOST).sort());
  });

  test("on the manager's host workers use the landscape network and its alias; on the render node host networking and managerUrl", async () => {
    const [local] = JSON.parse(await dockerCli(["inspect", names(LOCAL_HOST)[0]])) as {
      HostConfig: { NetworkMode: string };
      Config: { Cmd: string[]; User: string };
    }[];
    expect(local.HostConfig.NetworkMode).toBe(`openstudiolandscapes-${LANDSCAPE}`);
    expect(local.Config.Cmd).toEqual(["flamenco-worker", "-manager", "http://flamenco-manager:8080"]);
    expect(local.Config.User).toBe("1000:1000");
    const [remote] = JSON.parse(await second.cli(["inspect", names(RENDER_HOST)[0]])) as (typeof local)[];
    expect(remote.HostConfig.NetworkMode).toBe("host");
    expect(remote.Config.Cmd).toEqual(["flamenco-worker", "-manager", `http://127.0.0.1:${port}`]);
  });

  test("the render node built the worker image on its own engine from the staged context, and its workers run it by id", async () => {
    const imageName = String(run.outputs.imageName);
    const built = events.find((line) =>
      line.startsWith(`image ${LANDSCAPE}-workers-${RENDER_HOST.name}-image: docker --host ${second.host} build `),
    );
    expect(built).toBeDefined();
    expect(built).toContain("--network none");
    const onNode = (await second.cli(["image", "inspect", "--format", "{{.Id}}", imageName])).trim();
    expect(onNode).toMatch(/^sha256:[0-9a-f]{64}$/);
    for (const name of names(RENDER_HOST)) {
      const [container] = JSON.parse(await second.cli(["inspect", name])) as {
        Image: string;
        Config: { Image: string };
      }[];
      expect(container.Image).toBe(onNode);
      // By id, not by name: the engine never resolves it against a registry.
      expect(container.Config.Image).toBe(onNode);
    }
    // The node has only its base image and what it built: the worker image was not copied onto it.
    expect(
      (await second.cli(["image", "ls", "--format", "{{.Repository}}:{{.Tag}}"])).split("\n").filter(Boolean).sort(),
    ).toEqual([BASE_IMAGE, imageName].sort());
  });

  test("no worker started before the manager was healthy", () => {
    const healthy = events.indexOf(`container ${LANDSCAPE}-manager: healthy`);
    expect(healthy).toBeGreaterThanOrEqual(0);
    const workerStarts = events.filter(
      (line) => line.startsWith(`container ${LANDSCAPE}-workers-`) && line.endsWith(": started"),
    );
    expect(workerStarts).toHaveLength(LOCAL_HOST.count + RENDER_HOST.count);
    for (const line of workerStarts) expect(events.indexOf(line)).toBeGreaterThan(healthy);
  });

  test("workers of both hosts see the studio's shared storage at the manager's path", async () => {
    fs.writeFileSync(path.join(paths.shared(), "farm-probe.txt"), "written on the manager's host\n");
    const local = await dockerCli(["exec", names(LOCAL_HOST)[0], "cat", `${SHARED_IN_CONTAINER}/farm-probe.txt`]);
    const remote = await second.cli(["exec", names(RENDER_HOST)[0], "cat", `${SHARED_IN_CONTAINER}/farm-probe.txt`]);
    expect(local).toBe("written on the manager's host\n");
    expect(remote).toBe("written on the manager's host\n");
  });

  test("a second up with the same config changes nothing", async () => {
    const before = workerIds();
    const commandsBefore = double.commandRuns.length;
    run = await up();
    expect(workerIds()).toEqual(before);
    expect(double.commandRuns.length).toBe(commandsBefore);
  });
});

describe("scaling the render node", () => {
  const third = () => names(RENDER_HOST)[2];

  test("from 3 to 2 removes exactly its worker 3, on its engine, and keeps that worker's identity directory", async () => {
    const before = workerIds();
    const credentials = fs.readFileSync(
      path.join(paths.renderWorkers(), third(), "flamenco-worker-credentials.yaml"),
      "utf8",
    );
    run = await up(2);
    expect(await containersOn(second.cli)).toEqual(names(RENDER_HOST, 2).sort());
    expect(await containersOn(dockerCli)).toEqual([`flamenco-manager--${LANDSCAPE}`, ...names(LOCAL_HOST)].sort());
    const after = workerIds();
    expect(after[third()]).toBeUndefined();
    expect({ ...after, [third()]: before[third()] }).toEqual(before);
    expect(events).toContain(`container ${resourceName(third())}: removed`);
    // Deregistered from the manager once its container was gone; the others stay registered.
    const deregistered = events.indexOf(
      `command ${resourceName(third())}-deregister: delete node scripts/deregister-worker.js`,
    );
    expect(deregistered).toBeGreaterThan(events.indexOf(`container ${resourceName(third())}: removed`));
    expect(await registeredWorkers()).toEqual([...names(LOCAL_HOST), ...names(RENDER_HOST, 2)].sort());
    expect(fs.readFileSync(path.join(paths.renderWorkers(), third(), "flamenco-worker-credentials.yaml"), "utf8")).toBe(
      credentials,
    );
    expect((run.outputs.workers as Record<string, { names: string[] }>)[RENDER_HOST.name].names).toEqual(
      names(RENDER_HOST, 2),
    );
  });

  test("from 2 to 3 adds exactly worker 3 again, which keeps its identity", async () => {
    const before = workerIds();
    const credentials = fs.readFileSync(
      path.join(paths.renderWorkers(), third(), "flamenco-worker-credentials.yaml"),
      "utf8",
    );
    fs.rmSync(path.join(paths.renderWorkers(), third(), "manager-version.json"));
    run = await up();
    expect(await containersOn(second.cli)).toEqual(names(RENDER_HOST).sort());
    const after = workerIds();
    expect(after[third()]).toBeDefined();
    expect({ ...after, [third()]: undefined }).toEqual(before);
    expect(await recordedAnswer(path.join(paths.renderWorkers(), third()))).toMatchObject({ name: MANAGER_NAME });
    expect(await untilRegistered([...names(LOCAL_HOST), ...names(RENDER_HOST)])).toEqual(
      [...names(LOCAL_HOST), ...names(RENDER_HOST)].sort(),
    );
    expect(fs.readFileSync(path.join(paths.renderWorkers(), third(), "flamenco-worker-credentials.yaml"), "utf8")).toBe(
      credentials,
    );
    const home = double.commandRuns.filter((entry) => entry.name === `${resourceName(third())}-home`).pop();
    expect(JSON.parse(String(home?.stdout))).toEqual({
      home: path.join(paths.renderWorkers(), third()),
      created: false,
    });
  });
});

describe("teardown", () => {
  test("destroy removes every container on both engines and the network, and keeps identities and shared storage", async () => {
    const runsBefore = double.commandRuns.length;
    await double.destroy();
    // Every worker was deregistered while the manager was still there.
    const deregistrations = double.commandRuns.slice(runsBefore).filter((entry) => entry.name.endsWith("-deregister"));
    expect(deregistrations.map((entry) => (JSON.parse(entry.stdout) as { worker: string }).worker).sort()).toEqual(
      [...names(LOCAL_HOST), ...names(RENDER_HOST)].sort(),
    );
    for (const entry of deregistrations) {
      expect(entry.stderr).toBe("");
      expect((JSON.parse(entry.stdout) as { deregistered: string[] }).deregistered).toHaveLength(1);
    }
    expect(await second.cli(["ps", "-aq"])).toBe("");
    expect(await containersOn(dockerCli)).toEqual([]);
    const networks = (await dockerCli(["network", "ls", "--format", "{{.Name}}"])).split("\n");
    expect(networks).not.toContain(`openstudiolandscapes-${LANDSCAPE}`);
    for (const host of [LOCAL_HOST, RENDER_HOST]) {
      for (const name of names(host))
        expect(fs.existsSync(path.join(workersRootOf(host), name, "flamenco-worker-credentials.yaml"))).toBe(true);
    }
    expect(fs.existsSync(path.join(paths.shared(), "farm-probe.txt"))).toBe(true);
  });
});
