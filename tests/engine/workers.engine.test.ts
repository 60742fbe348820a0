/**
 * The render farm of the two-host example stack (examples/two-host-farm/Pulumi.farm.yaml),
 * deployed with `npm run up` under the real Pulumi engine, with the provider stand-ins, onto
 * real Docker engines:
 *   - the machine's engine runs the manager and the workers of the manager's host;
 *   - a second engine, started here on its own socket, data root and exec root, stands in
 *     for the render node. Its workers use host networking and reach the manager through
 *     its published port on 127.0.0.1 (the stack's managerUrl).
 * The manager and workers are the stand-ins of the fixture release (fixture/flamenco-standin),
 * which register, sign on and run tasks as Flamenco 3.7 does. Every assertion looks from outside.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { changedSteps, CommandResult, nameOf, ProjectCopy } from "./project";
import { startSecondEngine, SecondEngine } from "./secondEngine";
import {
  dockerCli,
  freePort,
  httpGet,
  removeLeftovers,
  requireEngine,
  serveFixtureRelease,
  ServedRelease,
  TEST_LANDSCAPE_PREFIX,
  listedWorkers,
  untilAwake,
} from "./support";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
const LANDSCAPE = `${TEST_LANDSCAPE_PREFIX}-farm`;
/** The stack of docs/farm.md's commands; its landscape is this test's (the `landscape` key). */
const STACK = "farm";
const NAMESPACE = "flamenco-landscape";
const LANDSCAPE_LABEL = "org.openstudiolandscapes.landscape";
const CONTAINER = "docker:index/container:Container";
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

let project: ProjectCopy;
let fixture: ServedRelease;
let second: SecondEngine;
let landscapesRoot: string;
let port: number;
/** The first up: the manager and the workers of its host, created together. */
let firstUp: CommandResult;

const paths = {
  /** The studio's shared storage, as the manager's host sees it. */
  shared: () => path.join(landscapesRoot, "studio-shared"),
  /** The same storage as the render node sees it: another path (a symlink here). */
  renderView: () => path.join(landscapesRoot, "render-01-view-of-shared"),
  renderWorkers: () => path.join(landscapesRoot, "render-01-workers"),
  localWorkers: () => path.join(landscapesRoot, LANDSCAPE, "OpenStudioLandscapes-Flamenco", "workers"),
  storage: () => path.join(landscapesRoot, LANDSCAPE, "OpenStudioLandscapes-Flamenco", "storage"),
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

async function up(renderCount?: number, flags: string[] = []): Promise<CommandResult> {
  project.writeStackConfig(STACK, farmConfig(renderCount));
  const result = await project.npmRun("up", STACK, flags);
  if (result.code !== 0) throw new Error(`npm run up failed:\n${result.stdout}\n${result.stderr}`);
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

/** The container ids on both engines, by container name. */
async function containerIds(): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const engine of [dockerCli, second.cli]) {
    const listed = await engine([
      "ps",
      "-a",
      "--format",
      "{{.Names}} {{.ID}}",
      "--filter",
      `label=${LANDSCAPE_LABEL}=${LANDSCAPE}`,
    ]);
    for (const line of listed.split("\n").filter(Boolean)) {
      const [name, id] = line.split(" ");
      ids[name] = id;
    }
  }
  return ids;
}

function credentials(home: string): string {
  return fs.readFileSync(path.join(home, "flamenco-worker-credentials.yaml"), "utf8");
}

function workerIdIn(home: string): string {
  return (parse(credentials(home)) as { worker_id: string }).worker_id;
}

/** What the deregister commands of a run reported, by worker name (their output lines in the engine's log). */
function deregistrations(result: CommandResult): Record<string, string[]> {
  const reports: Record<string, string[]> = {};
  for (const event of result.events) {
    const message = event.diagnosticEvent?.message.trim() ?? "";
    if (!message.startsWith('{"worker"')) continue;
    const report = JSON.parse(message) as { worker: string; deregistered: string[] };
    reports[report.worker] = report.deregistered;
  }
  return reports;
}

beforeAll(async () => {
  await requireEngine();
  await removeLeftovers([LANDSCAPE]);
  project = await ProjectCopy.create("farm");
  fixture = await serveFixtureRelease();
  landscapesRoot = fs.mkdtempSync(path.join(os.tmpdir(), "flamenco-farm-landscapes-"));
  second = await startSecondEngine();
  port = await freePort();
  // The render node's engine needs the base image, as a studio node pulls it from its
  // registry; nothing else is copied onto it.
  await second.loadImage(BASE_IMAGE);
  // First the farm with the render node idle (a safe order for a new node): the manager's
  // host builds the manager image, and the render node builds the same image on its engine.
  firstUp = await up(0);
  fs.symlinkSync(paths.shared(), paths.renderView());
  // Then the render node's workers, with docs/farm.md's commands as written.
  project.writeStackConfig(STACK, farmConfig());
  const documented = await project.runDocumented("docs/farm.md", "npm run preview -- farm");
  if (documented.code !== 0)
    throw new Error(`docs/farm.md's commands exited ${documented.code}:\n${documented.stdout}\n${documented.stderr}`);
});

afterAll(async () => {
  if (project && fs.existsSync(project.stackFile(STACK))) await project.npmRun("destroy", STACK);
  await second?.stop();
  await fixture?.served.close();
  project?.remove();
});

describe("npm run up of the two-host farm", () => {
  test("the stack reports per host the worker names and the URL they use", () => {
    expect(project.outputs(STACK).workers).toEqual({
      [LOCAL_HOST.name]: { names: names(LOCAL_HOST), managerUrl: "http://flamenco-manager:8080" },
      [RENDER_HOST.name]: { names: names(RENDER_HOST), managerUrl: `http://127.0.0.1:${port}` },
    });
  });

  test("every worker registered at the manager, awake, with its identity under its FLAMENCO_HOME on its host", async () => {
    const all = [...names(LOCAL_HOST), ...names(RENDER_HOST)];
    expect(await untilAwake(port, all)).toEqual([...all].sort());
    const listed = await listedWorkers(port);
    for (const host of [LOCAL_HOST, RENDER_HOST]) {
      for (const name of names(host)) {
        const home = path.join(workersRootOf(host), name);
        expect(workerIdIn(home)).toBe(listed.find((worker) => worker.name === name)?.id);
        // Owned by the user the worker runs as, though Docker would have created it for root.
        expect(fs.statSync(home).uid).toBe(1000);
      }
    }
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
    expect(local.Config.Cmd).toEqual(["flamenco-worker", "-manager", "http://flamenco-manager:8080"]);
    expect(local.Config.User).toBe("1000:1000");
    const networks = JSON.parse(
      await dockerCli(["inspect", "--format", "{{json .NetworkSettings.Networks}}", names(LOCAL_HOST)[0]]),
    ) as Record<string, unknown>;
    expect(Object.keys(networks)).toEqual([`openstudiolandscapes-${LANDSCAPE}`]);
    const [remote] = JSON.parse(await second.cli(["inspect", names(RENDER_HOST)[0]])) as (typeof local)[];
    expect(remote.HostConfig.NetworkMode).toBe("host");
    expect(remote.Config.Cmd).toEqual(["flamenco-worker", "-manager", `http://127.0.0.1:${port}`]);
  });

  test("the render node built the worker image on its own engine, and its workers run it by id", async () => {
    const imageName = String(project.outputs(STACK).imageName);
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

  test("no worker was created before the manager was healthy", () => {
    // The provider's create of the manager returns once the container is healthy (wait), so the
    // engine's order of steps is the order of events on the engine.
    const containers = firstUp.events.flatMap((event) => {
      const done = event.resOutputsEvent?.metadata;
      const start = event.resourcePreEvent?.metadata;
      if (done?.type === CONTAINER) return [`done ${done.op} ${nameOf(done.urn)}`];
      if (start?.type === CONTAINER) return [`start ${start.op} ${nameOf(start.urn)}`];
      return [];
    });
    const managerHealthy = containers.indexOf(`done create ${LANDSCAPE}-manager`);
    expect(managerHealthy).toBeGreaterThanOrEqual(0);
    for (const name of names(LOCAL_HOST)) {
      expect(containers.indexOf(`start create ${resourceName(name)}`)).toBeGreaterThan(managerHealthy);
    }
  });

  test("workers of both hosts see the studio's shared storage at the manager's path", async () => {
    fs.writeFileSync(path.join(paths.shared(), "farm-probe.txt"), "written on the manager's host\n");
    const local = await dockerCli(["exec", names(LOCAL_HOST)[0], "cat", `${SHARED_IN_CONTAINER}/farm-probe.txt`]);
    const remote = await second.cli(["exec", names(RENDER_HOST)[0], "cat", `${SHARED_IN_CONTAINER}/farm-probe.txt`]);
    expect(local).toBe("written on the manager's host\n");
    expect(remote).toBe("written on the manager's host\n");
  });

  test("an up right after changes nothing", async () => {
    const before = await containerIds();
    const again = await up(undefined, ["--expect-no-changes"]);
    expect(changedSteps(again.events)).toEqual([]);
    expect(await containerIds()).toEqual(before);
  });
});

describe("the farm runs jobs", () => {
  test("an echo-sleep-test job completes, and its task logs land in the landscape's storage on the host", async () => {
    const submitted = await fetch(`http://127.0.0.1:${port}/api/v3/jobs`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        name: "engine-test-echo",
        type: "echo-sleep-test",
        priority: 50,
        submitter_platform: "linux",
        settings: { message: "hello farm", sleep_duration_seconds: 1, sleep_repeats: 4 },
      }),
    });
    expect(submitted.status).toBe(200);
    const job = (await submitted.json()) as { id: string };
    const deadline = Date.now() + 60_000;
    let status = "";
    while (Date.now() < deadline) {
      status = (
        JSON.parse((await httpGet(`http://127.0.0.1:${port}/api/v3/jobs/${job.id}`)).body) as { status: string }
      ).status;
      if (status === "completed" || status === "failed") break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(status).toBe("completed");
    const tasks = (
      JSON.parse((await httpGet(`http://127.0.0.1:${port}/api/v3/jobs/${job.id}/tasks`)).body) as {
        tasks: { id: string }[];
      }
    ).tasks;
    expect(tasks).toHaveLength(5);
    // Flamenco's layout under its local storage: job-<first 4 of the job id>/<job id>/task-<task id>.txt.
    const jobDirectory = path.join(paths.storage(), `job-${job.id.slice(0, 4)}`, job.id);
    expect(fs.readdirSync(jobDirectory).sort()).toEqual(tasks.map((task) => `task-${task.id}.txt`).sort());
    const logs = tasks.map((task) => fs.readFileSync(path.join(jobDirectory, `task-${task.id}.txt`), "utf8")).join("");
    expect(logs).toContain('echo: "hello farm"');
    expect(logs.match(/slept 1s/g)).toHaveLength(4);
  });
});

describe("what a change replaces in the farm, as the engine's preview shows it", () => {
  async function previewWith(change: (config: Record<string, unknown>) => Record<string, unknown>): Promise<string[]> {
    project.writeStackConfig(STACK, change(farmConfig()));
    const preview = await project.npmRun("preview", STACK);
    project.writeStackConfig(STACK, farmConfig());
    if (preview.code !== 0) throw new Error(`preview failed:\n${preview.stdout}\n${preview.stderr}`);
    return changedSteps(preview.events);
  }
  const replaced = (steps: string[]) =>
    [
      ...new Set(steps.filter((entry) => entry.startsWith("replace ")).map((entry) => entry.slice("replace ".length))),
    ].sort();
  const updated = (steps: string[]) =>
    steps
      .filter((entry) => entry.startsWith("update "))
      .map((entry) => entry.slice("update ".length))
      .sort();
  const all = () => [...names(LOCAL_HOST), ...names(RENDER_HOST)];

  test("a changed host port (and managerUrl with it) replaces the manager, its backup command and the workers on other hosts", async () => {
    const newPort = await freePort();
    const steps = await previewWith((config) => ({
      ...config,
      managerPortHost: newPort,
      managerUrl: `http://127.0.0.1:${newPort}`,
    }));
    expect(replaced(steps)).toEqual(
      [`${LANDSCAPE}-manager`, `${LANDSCAPE}-manager-backup`, ...names(RENDER_HOST).map(resourceName)].sort(),
    );
    // Every worker's deregister command learns the new published port; it runs nothing then.
    expect(updated(steps)).toEqual(
      all()
        .map((name) => `${resourceName(name)}-deregister`)
        .sort(),
    );
  });

  test("a changed network alias replaces the manager and the workers on its host, which reach it by the alias", async () => {
    const steps = await previewWith((config) => ({ ...config, network: { alias: "farm-manager" } }));
    expect(replaced(steps)).toEqual(
      [`${LANDSCAPE}-manager`, `${LANDSCAPE}-manager-backup`, ...names(LOCAL_HOST).map(resourceName)].sort(),
    );
  });

  test("a changed flamencoVersion fetches the release again, rebuilds the images and replaces the manager and every worker", async () => {
    const release38 = await serveFixtureRelease("3.8");
    try {
      const steps = await previewWith((config) => ({
        ...config,
        flamencoVersion: "3.8",
        flamencoRelease: { url: release38.archiveUrl, sha256: release38.release.sha256 },
      }));
      expect(replaced(steps)).toEqual(
        [`${LANDSCAPE}-manager`, `${LANDSCAPE}-manager-backup`, ...all().map(resourceName)].sort(),
      );
      expect(updated(steps)).toEqual(
        expect.arrayContaining([
          `${LANDSCAPE}-release-fetch`,
          `${LANDSCAPE}-image`,
          `${LANDSCAPE}-workers-${RENDER_HOST.name}-image`,
        ]),
      );
    } finally {
      await release38.served.close();
    }
  });
});

describe("scaling the render node", () => {
  const third = () => names(RENDER_HOST)[2];

  test("from 3 to 2 removes exactly its worker 3, deregisters it after its container is gone, keeps its identity", async () => {
    const before = await containerIds();
    const home = path.join(paths.renderWorkers(), third());
    const identity = credentials(home);
    const thirdId = workerIdIn(home);
    const result = await up(2);
    expect(await containersOn(second.cli)).toEqual(names(RENDER_HOST, 2).sort());
    const after = await containerIds();
    expect(after[third()]).toBeUndefined();
    expect({ ...after, [third()]: before[third()] }).toEqual(before);
    const steps = changedSteps(result.events);
    expect(steps.indexOf(`delete ${resourceName(third())}`)).toBeGreaterThanOrEqual(0);
    expect(steps.indexOf(`delete ${resourceName(third())}-deregister`)).toBeGreaterThan(
      steps.indexOf(`delete ${resourceName(third())}`),
    );
    expect(deregistrations(result)).toEqual({ [third()]: [thirdId] });
    expect((await listedWorkers(port)).map((worker) => worker.name).sort()).toEqual(
      [...names(LOCAL_HOST), ...names(RENDER_HOST, 2)].sort(),
    );
    expect(credentials(home)).toBe(identity);
    expect((project.outputs(STACK).workers as Record<string, { names: string[] }>)[RENDER_HOST.name].names).toEqual(
      names(RENDER_HOST, 2),
    );
  });

  test("from 2 to 3 adds exactly worker 3 again, under the name it had", async () => {
    const before = await containerIds();
    const result = await up();
    expect(await containersOn(second.cli)).toEqual(names(RENDER_HOST).sort());
    const after = await containerIds();
    expect(after[third()]).toBeDefined();
    expect({ ...after, [third()]: undefined }).toEqual({ ...before, [third()]: undefined });
    expect(changedSteps(result.events)).toEqual(
      expect.arrayContaining([`create ${resourceName(third())}-home`, `create ${resourceName(third())}`]),
    );
    // Its old identity was deregistered, so the manager turned it away and it registered anew.
    expect(await untilAwake(port, [...names(LOCAL_HOST), ...names(RENDER_HOST)])).toEqual(
      [...names(LOCAL_HOST), ...names(RENDER_HOST)].sort(),
    );
    const listed = await listedWorkers(port);
    expect(workerIdIn(path.join(paths.renderWorkers(), third()))).toBe(
      listed.find((worker) => worker.name === third())?.id,
    );
  });
});

describe("teardown", () => {
  test("destroy removes every container on both engines and the network, deregistering each worker; identities and shared storage stay", async () => {
    const listed = await listedWorkers(port);
    const result = await project.npmRun("destroy", STACK);
    expect(result.code).toBe(0);
    const reports = deregistrations(result);
    expect(Object.keys(reports).sort()).toEqual([...names(LOCAL_HOST), ...names(RENDER_HOST)].sort());
    for (const [name, ids] of Object.entries(reports)) {
      expect(ids).toEqual([listed.find((worker) => worker.name === name)?.id]);
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
