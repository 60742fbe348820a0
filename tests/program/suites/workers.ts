/**
 * The render farm under Pulumi mocks: which worker resources the program declares per render
 * host, with which inputs, and what a change of the farm touches (the `pulumi preview` diff).
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import {
  diff,
  PROJECT_ROOT,
  ProgramRun,
  RecordedResource,
  runProgram,
  runRefused,
  sha256,
  stableJson,
} from "../harness";

const ROOT = "/srv/landscapes";
const FEATURE = `${ROOT}/farm/OpenStudioLandscapes-Flamenco`;
const CONTAINER = "docker:index/container:Container";
const COMMAND = "command:local:Command";
const PROVIDER = "pulumi:providers:docker";
const IMAGE = "docker:index/image:Image";
const SHARED_IN_CONTAINER = "/app/flamenco-manager-storage-shared";
const HOME_IN_CONTAINER = "/var/lib/flamenco-worker";

type Inputs = Record<string, unknown>;
interface HostConfig {
  name: string;
  count: number;
  [key: string]: unknown;
}

const LOCAL: HostConfig = { name: "manager-host", count: 2 };
const RENDER_01: HostConfig = {
  name: "render-01",
  dockerHost: "ssh://render@render-01.studio.lan",
  count: 3,
  gpus: "all",
  sharedStorage: "/mnt/projects",
};
const RENDER_02: HostConfig = {
  name: "render-02",
  dockerHost: "tcp://render-02.studio.lan:2376",
  count: 1,
  sharedStorage: "/Volumes/projects",
  network: "host",
};

function farm(workers: HostConfig[], extra: Inputs = {}): Promise<ProgramRun> {
  return runProgram({ config: { landscape: "farm", landscapesRoot: ROOT, workers, ...extra }, stack: "farm" });
}

/** The image id the mocks' provider double gives an image: a digest of its inputs. */
function imageIdOf(run: ProgramRun, name: string): string {
  return `sha256:${sha256(stableJson(run.named(name).inputs))}`;
}

/** A worker container's command: the worker, pointed at that manager URL. */
function workerCommand(managerUrl: string): string[] {
  return ["flamenco-worker", "-manager", managerUrl];
}

function workerContainers(run: ProgramRun): RecordedResource[] {
  return run.ofType(CONTAINER).filter((resource) => resource.name.startsWith("farm-workers-"));
}

describe("a farm of the manager's host and two other Docker hosts", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await farm([LOCAL, RENDER_01, RENDER_02]);
  });

  test("declares per host a render host component, per remote host one provider and an image built there, per worker an identity command, a deregister command and a container", () => {
    const declared = run.resources
      .filter(
        (resource) =>
          resource.type.endsWith(":Workers") ||
          resource.type.endsWith(":RenderHost") ||
          resource.name.startsWith("farm-workers-") ||
          resource.type === PROVIDER,
      )
      .map((resource) => `${resource.type} ${resource.name} < ${resource.parent}`);
    expect(declared).toEqual([
      "openstudiolandscapes:flamenco:Workers farm-workers < farm",
      "openstudiolandscapes:flamenco:RenderHost farm-workers-manager-host < farm-workers",
      `${COMMAND} farm-workers-manager-host-1-home < farm-workers-manager-host`,
      `${COMMAND} farm-workers-manager-host-1-deregister < farm-workers-manager-host`,
      `${CONTAINER} farm-workers-manager-host-1 < farm-workers-manager-host`,
      `${COMMAND} farm-workers-manager-host-2-home < farm-workers-manager-host`,
      `${COMMAND} farm-workers-manager-host-2-deregister < farm-workers-manager-host`,
      `${CONTAINER} farm-workers-manager-host-2 < farm-workers-manager-host`,
      "openstudiolandscapes:flamenco:RenderHost farm-workers-render-01 < farm-workers",
      `${PROVIDER} farm-workers-render-01-docker < farm-workers-render-01`,
      "openstudiolandscapes:flamenco:ManagerImage farm-workers-render-01-image < farm-workers-render-01",
      `${IMAGE} farm-workers-render-01-image < farm-workers-render-01-image`,
      `${COMMAND} farm-workers-render-01-1-home < farm-workers-render-01`,
      `${COMMAND} farm-workers-render-01-1-deregister < farm-workers-render-01`,
      `${CONTAINER} farm-workers-render-01-1 < farm-workers-render-01`,
      `${COMMAND} farm-workers-render-01-2-home < farm-workers-render-01`,
      `${COMMAND} farm-workers-render-01-2-deregister < farm-workers-render-01`,
      `${CONTAINER} farm-workers-render-01-2 < farm-workers-render-01`,
      `${COMMAND} farm-workers-render-01-3-home < farm-workers-render-01`,
      `${COMMAND} farm-workers-render-01-3-deregister < farm-workers-render-01`,
      `${CONTAINER} farm-workers-render-01-3 < farm-workers-render-01`,
      "openstudiolandscapes:flamenco:RenderHost farm-workers-render-02 < farm-workers",
      `${PROVIDER} farm-workers-render-02-docker < farm-workers-render-02`,
      "openstudiolandscapes:flamenco:ManagerImage farm-workers-render-02-image < farm-workers-render-02",
      `${IMAGE} farm-workers-render-02-image < farm-workers-render-02-image`,
      `${COMMAND} farm-workers-render-02-1-home < farm-workers-render-02`,
      `${COMMAND} farm-workers-render-02-1-deregister < farm-workers-render-02`,
      `${CONTAINER} farm-workers-render-02-1 < farm-workers-render-02`,
    ]);
  });

  test("one explicit docker provider per remote host, on its endpoint; the manager's host uses the default provider", () => {
    expect(run.named("farm-workers-render-01-docker").inputs).toEqual({ host: "ssh://render@render-01.studio.lan" });
    expect(run.named("farm-workers-render-02-docker").inputs).toEqual({ host: "tcp://render-02.studio.lan:2376" });
    const providers = Object.fromEntries(workerContainers(run).map((worker) => [worker.name, worker.providerName]));
    expect(providers).toEqual({
      "farm-workers-manager-host-1": undefined,
      "farm-workers-manager-host-2": undefined,
      "farm-workers-render-01-1": "farm-workers-render-01-docker",
      "farm-workers-render-01-2": "farm-workers-render-01-docker",
      "farm-workers-render-01-3": "farm-workers-render-01-docker",
      "farm-workers-render-02-1": "farm-workers-render-02-docker",
    });
    expect(run.named("farm-manager").providerName).toBeUndefined();
  });

  test("names: container and FLAMENCO_WORKER_NAME are <landscape>-<host>-<n>", () => {
    for (const worker of workerContainers(run)) {
      const name = worker.name.replace(/^farm-workers-/, "farm-");
      expect(worker.inputs.name).toBe(name);
      expect(worker.inputs.envs).toContain(`FLAMENCO_WORKER_NAME=${name}`);
      expect(worker.inputs.envs).toContain(`FLAMENCO_HOME=${HOME_IN_CONTAINER}`);
    }
  });

  test("workers on the manager's host run the built image by id on the landscape network and use the alias URL", () => {
    const worker = run.named("farm-workers-manager-host-1").inputs;
    expect(worker).toMatchObject({
      image: run.outputs.imageId,
      command: workerCommand("http://flamenco-manager:8080"),
      networksAdvanced: [{ name: "openstudiolandscapes-farm" }],
      user: "1000:1000",
      restart: "always",
    });
    expect(worker.networkMode).toBeUndefined();
    expect(worker.gpus).toBeUndefined();
  });

  test("workers on other hosts run the image built on their host, by id, and use managerUrl: default bridge or host networking", () => {
    const bridge = run.named("farm-workers-render-01-2").inputs;
    expect(bridge).toMatchObject({
      image: imageIdOf(run, "farm-workers-render-01-image"),
      command: workerCommand("http://flamenco-manager.openstudiolandscapes.lan:8484"),
      gpus: "all",
    });
    // The default bridge is left implicit: networkMode "bridge" shows a diff on every preview.
    expect(bridge.networkMode).toBeUndefined();
    expect(bridge.networksAdvanced).toBeUndefined();
    const host = run.named("farm-workers-render-02-1").inputs;
    expect(host).toMatchObject({ networkMode: "host", image: imageIdOf(run, "farm-workers-render-02-image") });
    expect(host.networksAdvanced).toBeUndefined();
    expect(host.gpus).toBeUndefined();
  });

  test("every worker mounts its host's shared storage at the manager's shared-storage path", () => {
    const manager = run.named("farm-manager").inputs.volumes as { hostPath: string; containerPath: string }[];
    expect(manager.find((volume) => volume.hostPath === `${FEATURE}/shared_storage`)?.containerPath).toBe(
      SHARED_IN_CONTAINER,
    );
    const shared = Object.fromEntries(
      workerContainers(run).map((worker) => [
        worker.name,
        (worker.inputs.volumes as { hostPath: string; containerPath: string; readOnly: boolean }[]).find(
          (volume) => volume.containerPath === SHARED_IN_CONTAINER,
        ),
      ]),
    );
    expect(shared["farm-workers-manager-host-1"]).toEqual({
      hostPath: `${FEATURE}/shared_storage`,
      containerPath: SHARED_IN_CONTAINER,
      readOnly: false,
    });
    expect(shared["farm-workers-render-01-3"]).toEqual({
      hostPath: "/mnt/projects",
      containerPath: SHARED_IN_CONTAINER,
      readOnly: false,
    });
    expect(shared["farm-workers-render-02-1"]).toEqual({
      hostPath: "/Volumes/projects",
      containerPath: SHARED_IN_CONTAINER,
      readOnly: false,
    });
  });

  test("each worker has its own identity directory, created by its own command before it starts", () => {
    const homes = workerContainers(run).map((worker) => {
      const volumes = worker.inputs.volumes as { hostPath: string; containerPath: string }[];
      const home = volumes.find((volume) => volume.containerPath === HOME_IN_CONTAINER)!.hostPath;
      const command = run.named(`${worker.name}-home`);
      expect(command.inputs.create).toBe("node scripts/ensure-worker-home.js");
      expect((command.inputs.environment as Inputs).FLAMENCO_WORKER_HOME).toBe(home);
      expect(command.inputs.delete).toBeUndefined();
      expect(worker.dependsOn).toContain(`${worker.name}-home`);
      return home;
    });
    expect(new Set(homes).size).toBe(homes.length);
    expect(homes).toContain(`${FEATURE}/workers/farm-manager-host-1`);
    expect(homes).toContain(`${FEATURE}/workers/farm-render-01-3`);
    expect(run.named("farm-workers-render-01-1-home").inputs.environment).toEqual({
      FLAMENCO_WORKER_HOME: `${FEATURE}/workers/farm-render-01-1`,
      FLAMENCO_WORKER_HOME_OWNER: "1000:1000",
      FLAMENCO_DOCKER_HOST: "ssh://render@render-01.studio.lan",
      FLAMENCO_WORKER_IMAGE: "openstudiolandscapes/flamenco-manager:farm-3.7",
    });
    expect(run.named("farm-workers-manager-host-1-home").inputs.environment).toEqual({
      FLAMENCO_WORKER_HOME: `${FEATURE}/workers/farm-manager-host-1`,
      FLAMENCO_WORKER_HOME_OWNER: "1000:1000",
    });
  });

  test("no worker starts before the manager container, which `up` waits on until healthy; replaced delete-first", () => {
    expect(run.named("farm-manager").inputs.wait).toBe(true);
    for (const worker of workerContainers(run)) {
      expect(worker.dependsOn).toContain("farm-manager");
      expect(worker.deleteBeforeReplace).toBe(true);
    }
    expect(run.named("farm-workers-manager-host-1").dependsOn).toEqual([
      "farm-manager",
      "farm-network",
      "farm-workers-manager-host-1-home",
      "farm-workers-manager-host-1-deregister",
    ]);
    expect(run.named("farm-workers-render-01-1").dependsOn).toEqual([
      "farm-manager",
      "farm-workers-render-01-1-home",
      "farm-workers-render-01-1-deregister",
    ]);
  });

  test("stack outputs: per host the worker names and the URL they use", () => {
    expect(run.outputs.workers).toEqual({
      "manager-host": {
        names: ["farm-manager-host-1", "farm-manager-host-2"],
        managerUrl: "http://flamenco-manager:8080",
      },
      "render-01": {
        names: ["farm-render-01-1", "farm-render-01-2", "farm-render-01-3"],
        managerUrl: "http://flamenco-manager.openstudiolandscapes.lan:8484",
      },
      "render-02": { names: ["farm-render-02-1"], managerUrl: "http://flamenco-manager.openstudiolandscapes.lan:8484" },
    });
  });

  test("the same farm twice gives byte-identical inputs", async () => {
    const again = await farm([LOCAL, RENDER_01, RENDER_02]);
    expect(diff(run, again)).toEqual({ added: [], removed: [], changed: [] });
  });
});

describe("what a change of the farm touches (the preview diff)", () => {
  let base: ProgramRun;
  beforeAll(async () => {
    base = await farm([LOCAL, RENDER_01]);
  });

  test("scaling a host from 3 to 2 removes exactly worker 3; nothing else changes", async () => {
    const scaled = await farm([LOCAL, { ...RENDER_01, count: 2 }]);
    expect(diff(base, scaled)).toEqual({
      added: [],
      removed: ["farm-workers-render-01-3", "farm-workers-render-01-3-deregister", "farm-workers-render-01-3-home"],
      changed: [],
    });
    expect((scaled.outputs.workers as Record<string, { names: string[] }>)["render-01"].names).toEqual([
      "farm-render-01-1",
      "farm-render-01-2",
    ]);
  });

  test("scaling a host from 2 to 3 adds exactly worker 3; nothing else changes", async () => {
    const two = await farm([LOCAL, { ...RENDER_01, count: 2 }]);
    expect(diff(two, base)).toEqual({
      added: ["farm-workers-render-01-3", "farm-workers-render-01-3-deregister", "farm-workers-render-01-3-home"],
      removed: [],
      changed: [],
    });
  });

  test("scaling the manager's host touches only its workers", async () => {
    const scaled = await farm([{ ...LOCAL, count: 3 }, RENDER_01]);
    expect(diff(base, scaled)).toEqual({
      added: [
        "farm-workers-manager-host-3",
        "farm-workers-manager-host-3-deregister",
        "farm-workers-manager-host-3-home",
      ],
      removed: [],
      changed: [],
    });
  });

  test("count 0 keeps the host and its provider declared, with no workers", async () => {
    const idle = await farm([LOCAL, { ...RENDER_01, count: 0 }]);
    expect(diff(base, idle).removed).toEqual(
      [1, 2, 3]
        .flatMap((n) => [
          `farm-workers-render-01-${n}`,
          `farm-workers-render-01-${n}-deregister`,
          `farm-workers-render-01-${n}-home`,
        ])
        .sort(),
    );
    expect(diff(base, idle).changed).toEqual([]);
    expect(idle.named("farm-workers-render-01-docker").inputs).toEqual({ host: "ssh://render@render-01.studio.lan" });
    expect(idle.ofType("openstudiolandscapes:flamenco:RenderHost").map((host) => host.name)).toContain(
      "farm-workers-render-01",
    );
    expect((idle.outputs.workers as Record<string, unknown>)["render-01"]).toEqual({
      names: [],
      managerUrl: "http://flamenco-manager.openstudiolandscapes.lan:8484",
    });
  });

  test("adding a render node adds its provider, its image and its workers only", async () => {
    const grown = await farm([LOCAL, RENDER_01, RENDER_02]);
    expect(diff(base, grown)).toEqual({
      added: [
        "farm-workers-render-02",
        "farm-workers-render-02-1",
        "farm-workers-render-02-1-deregister",
        "farm-workers-render-02-1-home",
        "farm-workers-render-02-docker",
        "farm-workers-render-02-image",
        "farm-workers-render-02-image",
      ],
      removed: [],
      changed: [],
    });
  });

  test("a host's GPU request changes only that host's worker containers", async () => {
    const changed = await farm([LOCAL, { ...RENDER_01, gpus: 1 }]);
    expect(diff(base, changed)).toEqual({
      added: [],
      removed: [],
      changed: ["farm-workers-render-01-1", "farm-workers-render-01-2", "farm-workers-render-01-3"],
    });
    expect(changed.named("farm-workers-render-01-1").inputs.gpus).toBe("1");
  });

  const LOCAL_WORKERS = ["farm-workers-manager-host-1", "farm-workers-manager-host-2"];
  const REMOTE_WORKERS = ["farm-workers-render-01-1", "farm-workers-render-01-2", "farm-workers-render-01-3"];
  const DEREGISTRATIONS = [...LOCAL_WORKERS, ...REMOTE_WORKERS].map((worker) => `${worker}-deregister`);
  // A manager container that is replaced is backed up first: the backup command is replaced with it.

  test("a new host port replaces the manager and the remote workers, whose manager URL holds the host port", async () => {
    const changed = await farm([LOCAL, RENDER_01], { managerPortHost: 9484 });
    // The deregistration commands reach the manager through the published port: their environment follows it.
    expect(diff(base, changed)).toEqual({
      added: [],
      removed: [],
      changed: ["farm-manager", "farm-manager-backup", ...DEREGISTRATIONS, ...REMOTE_WORKERS].sort(),
    });
    expect(changed.named("farm-workers-render-01-1").inputs.command).toEqual(
      workerCommand("http://flamenco-manager.openstudiolandscapes.lan:9484"),
    );
    expect(changed.named("farm-workers-manager-host-1").inputs.command).toEqual(
      workerCommand("http://flamenco-manager:8080"),
    );
  });

  test("a new network alias replaces the manager and the local workers, and the remote ones through the default managerUrl", async () => {
    const changed = await farm([LOCAL, RENDER_01], { network: { alias: "farm-manager" } });
    expect(diff(base, changed)).toEqual({
      added: [],
      removed: [],
      changed: ["farm-manager", "farm-manager-backup", ...LOCAL_WORKERS, ...REMOTE_WORKERS],
    });
    expect(changed.named("farm-workers-manager-host-1").inputs.command).toEqual(
      workerCommand("http://farm-manager:8080"),
    );
    expect(changed.named("farm-workers-render-01-1").inputs.command).toEqual(
      workerCommand("http://farm-manager.openstudiolandscapes.lan:8484"),
    );
  });

  test("with managerUrl set, a new network alias replaces only the manager and the local workers", async () => {
    const managerUrl = "http://10.0.0.5:8484";
    const before = await farm([LOCAL, RENDER_01], { managerUrl });
    const changed = await farm([LOCAL, RENDER_01], { managerUrl, network: { alias: "farm-manager" } });
    expect(diff(before, changed)).toEqual({
      added: [],
      removed: [],
      changed: ["farm-manager", "farm-manager-backup", ...LOCAL_WORKERS],
    });
  });

  test("a new manager environment variable replaces only the manager (and its backup command)", async () => {
    const changed = await farm([LOCAL, RENDER_01], { environment: { STUDIO: "north" } });
    expect(diff(base, changed)).toEqual({ added: [], removed: [], changed: ["farm-manager", "farm-manager-backup"] });
  });

  test("managerUrl changes only the remote workers", async () => {
    const changed = await farm([LOCAL, RENDER_01], { managerUrl: "http://10.0.0.5:8484" });
    expect(diff(base, changed).changed).toEqual([
      "farm-workers-render-01-1",
      "farm-workers-render-01-2",
      "farm-workers-render-01-3",
    ]);
    expect(changed.named("farm-workers-render-01-1").inputs.command).toEqual(workerCommand("http://10.0.0.5:8484"));
  });

  test("workerImage: every worker runs it by name, and remote identity directories are created with it", async () => {
    const image = "registry.studio.lan/flamenco-worker:3.7-blender4.2";
    const changed = await farm([LOCAL, RENDER_01], { workerImage: image });
    for (const worker of workerContainers(changed)) expect(worker.inputs.image).toBe(image);
    expect((changed.named("farm-workers-render-01-1-home").inputs.environment as Inputs).FLAMENCO_WORKER_IMAGE).toBe(
      image,
    );
    expect(diff(base, changed).changed).not.toContain("farm-manager");
  });

  test("a new Flamenco version rebuilds the image on every host and replaces every worker", async () => {
    const changed = await farm([LOCAL, RENDER_01], { flamencoVersion: "3.6" });
    const workers = workerContainers(base).map((worker) => worker.name);
    expect(diff(base, changed).changed).toEqual(
      expect.arrayContaining([...workers, "farm-image", "farm-workers-render-01-image"]),
    );
    expect(changed.named("farm-workers-render-01-image").inputs.imageName).toBe(
      "openstudiolandscapes/flamenco-manager:farm-3.6",
    );
    expect(changed.named("farm-workers-render-01-1").inputs.image).toBe(
      imageIdOf(changed, "farm-workers-render-01-image"),
    );
  });
});

describe("a landscape without workers", () => {
  test("declares no worker resources and reports no hosts", async () => {
    const run = await runProgram({ config: { landscapesRoot: ROOT } });
    expect(
      run.resources.filter(
        (resource) =>
          resource.type.includes("Workers") || resource.type.includes("RenderHost") || resource.type === PROVIDER,
      ),
    ).toEqual([]);
    expect(run.outputs.workers).toEqual({});
  });
});

describe("bad farm config", () => {
  test("duplicate host names and bad counts are refused in one error before anything is declared", async () => {
    const { message, declared } = await runRefused({
      config: {
        landscapesRoot: ROOT,
        workers: [
          LOCAL,
          { ...RENDER_01, count: 1.5 },
          { ...RENDER_02, name: "manager-host", dockerHost: "render-02:2376" },
        ],
      },
    });
    expect(message).toMatch(/3 problems/);
    expect(message).toContain("flamenco-landscape:workers.1.count: got 1.5; expected a whole number from 0 upwards");
    expect(message).toContain(
      'flamenco-landscape:workers.2.dockerHost: got "render-02:2376"; expected a Docker endpoint',
    );
    expect(message).toContain(
      'flamenco-landscape:workers.2.name: got "manager-host"; expected a render host name used only once (workers.0.name is also "manager-host")',
    );
    expect(declared).toEqual([]);
  });
});

describe("the two-host example stack", () => {
  test("examples/two-host-farm/Pulumi.farm.yaml is a valid farm: two hosts, an explicit provider for the render node", async () => {
    const stackFile = parse(
      fs.readFileSync(path.join(PROJECT_ROOT, "examples", "two-host-farm", "Pulumi.farm.yaml"), "utf8"),
    ) as { config: Inputs };
    const run = await runProgram({
      config: { ...stackFile.config, "flamenco-landscape:landscapesRoot": ROOT },
      stack: "farm",
    });
    const hosts = run.outputs.workers as Record<string, { names: string[]; managerUrl: string }>;
    expect(Object.keys(hosts)).toEqual(["manager-host", "render-01"]);
    expect(hosts["manager-host"].managerUrl).toBe("http://flamenco-manager:8080");
    expect(hosts["render-01"].managerUrl).toBe(stackFile.config["flamenco-landscape:managerUrl"]);
    expect(run.ofType(PROVIDER).map((provider) => provider.name)).toEqual(["farm-workers-render-01-docker"]);
    expect(workerContainers(run).length).toBe(hosts["manager-host"].names.length + hosts["render-01"].names.length);
  });
});

describe("the image each render host builds itself, and deregistering removed workers", () => {
  const RENDER_HOST_OF_TWO: HostConfig = {
    name: "render-01",
    dockerHost: "ssh://render@render-01.studio.lan",
    count: 2,
    sharedStorage: "/mnt/projects",
  };

  test("each worker has a deregister command: only a delete step, against the manager's published port, after its container and before the manager", async () => {
    const run = await runProgram({
      config: {
        landscape: "farm",
        landscapesRoot: ROOT,
        managerPortHost: 8485,
        managerBindAddress: "10.0.0.5",
        workers: [{ name: "manager-host", count: 1 }, RENDER_HOST_OF_TWO],
      },
      stack: "farm",
    });
    for (const worker of ["farm-manager-host-1", "farm-render-01-1", "farm-render-01-2"]) {
      const resourceName = worker.replace("farm-", "farm-workers-");
      const deregister = run.named(`${resourceName}-deregister`);
      expect(deregister.inputs).toEqual({
        delete: "node scripts/deregister-worker.js",
        environment: { FLAMENCO_MANAGER_URL: "http://10.0.0.5:8485", FLAMENCO_WORKER_NAME: worker },
      });
      // Deleted before the manager container it depends on, after the worker container that depends on it.
      expect(deregister.dependsOn).toContain("farm-manager");
      expect(run.named(resourceName).dependsOn).toContain(`${resourceName}-deregister`);
    }
  });

  test("with workerImage, remote hosts build nothing and run it by name", async () => {
    const image = "registry.studio.lan/flamenco-worker:3.7-blender4.2";
    const run = await runProgram({
      config: { landscape: "farm", landscapesRoot: ROOT, workerImage: image, workers: [RENDER_HOST_OF_TWO] },
      stack: "farm",
    });
    expect(run.ofType("docker:index/image:Image").map((resource) => resource.name)).toEqual(["farm-image"]);
    expect(run.named("farm-workers-render-01-1").inputs.image).toBe(image);
  });

  test("each other Docker host builds the manager image on its own engine, from the same context, without network", async () => {
    const run = await runProgram({
      config: {
        landscape: "farm",
        landscapesRoot: ROOT,
        workers: [{ name: "manager-host", count: 1 }, RENDER_HOST_OF_TWO],
      },
      stack: "farm",
    });
    const local = run.named("farm-image");
    const remote = run.named("farm-workers-render-01-image");
    expect(remote.inputs).toEqual(local.inputs);
    expect(remote.inputs).toMatchObject({ skipPush: true, build: { network: "none" } });
    expect(remote.providerReference).toContain("farm-workers-render-01-docker");
    expect(local.providerReference ?? "").not.toContain("farm-workers-render-01-docker");
    // Its identity directories are created with that image, so only once it is built.
    expect(run.named("farm-workers-render-01-1-home").dependsOn).toEqual(["farm-workers-render-01-image"]);
  });
});
