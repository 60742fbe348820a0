import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { withDependencies } from "../../../components/dependencies";
import {
  inputDerivedDouble,
  PROJECT_ROOT,
  ProgramRun,
  RecordedResource,
  runProgram,
  runRefused,
  sha256,
  stableJson,
} from "../harness";

const ROOT = "/srv/landscapes";
const BASE = { landscapesRoot: ROOT };
const CONTAINER = "docker:index/container:Container";
const COMMAND = "command:local:Command";
const IMAGE = "docker:index/image:Image";
const NETWORK = "docker:index/network:Network";

type Inputs = Record<string, unknown>;

let defaultRun: Promise<ProgramRun> | undefined;

/** One run with the default settings, shared by the tests that only read what it declared. */
function runWithDefaults(): Promise<ProgramRun> {
  defaultRun ??= runProgram({ config: BASE });
  return defaultRun;
}

function containerOf(run: ProgramRun): Inputs {
  const containers = run.ofType(CONTAINER);
  expect(containers).toHaveLength(1);
  return containers[0].inputs;
}

/** Names of resources whose inputs differ between two runs: what `pulumi preview` would list. */
function changedResources(before: ProgramRun, after: ProgramRun): string[] {
  const key = (resource: RecordedResource) => `${resource.type}::${resource.name}`;
  const earlier = new Map(before.resources.map((resource) => [key(resource), stableJson(resource.inputs)]));
  const later = new Map(after.resources.map((resource) => [key(resource), stableJson(resource.inputs)]));
  const names = new Set<string>();
  for (const [id, inputs] of later) if (earlier.get(id) !== inputs) names.add(id.split("::")[1]);
  for (const id of earlier.keys()) if (!later.has(id)) names.add(id.split("::")[1]);
  return [...names].sort();
}

describe("the program with default settings", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runWithDefaults();
  });

  test("declares the release, image, network, manager files and manager, under one landscape component", () => {
    const declared = run.resources.map((resource) => `${resource.type} ${resource.name}`);
    expect(declared).toEqual([
      "flamenco-landscape:index:FlamencoLandscape dev",
      "openstudiolandscapes:flamenco:Release dev-release",
      `${COMMAND} dev-release-fetch`,
      "openstudiolandscapes:flamenco:ManagerImage dev-image",
      `${IMAGE} dev-image`,
      `${NETWORK} dev-network`,
      "openstudiolandscapes:flamenco:ManagerFiles dev-manager-files",
      `${COMMAND} dev-manager-files`,
      "openstudiolandscapes:flamenco:ManagerBackup dev-manager-backup",
      `${COMMAND} dev-manager-backup`,
      "openstudiolandscapes:flamenco:Manager dev-manager",
      `${CONTAINER} dev-manager`,
    ]);
    for (const resource of run.resources.slice(1)) expect(resource.parent).toBeDefined();
  });

  test("the release command fetches the official archive, verified against the published checksum list", () => {
    const fetch = run.named("dev-release-fetch").inputs;
    expect(fetch.create).toBe("node scripts/fetch-release.js");
    expect(fetch.environment).toMatchObject({
      FLAMENCO_RELEASE_URL: "https://flamenco.blender.org/downloads/flamenco-3.7-linux-amd64.tar.gz",
      FLAMENCO_RELEASE_CHECKSUMS_URL: "https://flamenco.blender.org/downloads/flamenco-3.7.sha256",
      FLAMENCO_RELEASE_ARCHIVE: "flamenco-3.7-linux-amd64.tar.gz",
      FLAMENCO_IMAGE_CONTEXT: `${ROOT}/dev/OpenStudioLandscapes-Flamenco/image-context`,
    });
    expect(String((fetch.environment as Inputs).FLAMENCO_RELEASE_CACHE_ENTRY)).toMatch(
      new RegExp(`^${ROOT}/\\.cache/flamenco-releases/[0-9a-f]{16}$`),
    );
  });

  test("the image is built locally from the staged context with the verified digest, tagged with landscape and version", () => {
    const image = run.named("dev-image").inputs;
    expect(image).toMatchObject({
      imageName: "openstudiolandscapes/flamenco-manager:dev-3.7",
      skipPush: true,
      build: {
        context: `${ROOT}/dev/OpenStudioLandscapes-Flamenco/image-context`,
        dockerfile: `${ROOT}/dev/OpenStudioLandscapes-Flamenco/image-context/Dockerfile`,
        platform: "linux/amd64",
        network: "none",
        args: {
          FLAMENCO_RELEASE_SHA256: sha256("https://flamenco.blender.org/downloads/flamenco-3.7-linux-amd64.tar.gz"),
        },
      },
    });
  });

  test("one network per landscape", () => {
    expect(run.named("dev-network").inputs).toMatchObject({ name: "openstudiolandscapes-dev" });
  });

  test("the manager files command writes the rendered flamenco-manager.yaml and creates storage", () => {
    const files = run.named("dev-manager-files").inputs;
    expect(files.create).toBe("node scripts/write-manager-files.js");
    expect(files.environment).toEqual({
      FLAMENCO_CONFIG_FILE: `${ROOT}/dev/OpenStudioLandscapes-Flamenco/flamenco-manager.yaml`,
      FLAMENCO_STORAGE_DIRECTORIES: JSON.stringify([
        `${ROOT}/dev/OpenStudioLandscapes-Flamenco/storage`,
        `${ROOT}/dev/OpenStudioLandscapes-Flamenco/shared_storage`,
      ]),
      FLAMENCO_STORAGE_OWNER: "1000:1000",
    });
    const yaml = parse(String(files.stdin)) as Inputs;
    expect(yaml).toMatchObject({
      _meta: { version: 3 },
      listen: ":8080",
      shared_storage_path: "/app/flamenco-manager-storage-shared",
      database: "/app/flamenco-manager-storage/flamenco-manager.sqlite",
    });
    expect(files.delete).toBeUndefined();
  });

  test("the manager container: name, hostname, port, mounts, aliases, env, command, health check, wait", () => {
    const container = containerOf(run);
    expect(container).toMatchObject({
      name: "flamenco-manager--dev",
      hostname: "flamenco-manager.openstudiolandscapes.lan",
      restart: "always",
      command: [
        "/bin/sh",
        "-c",
        "printf '%s\\n' '3.7' > '/app/flamenco-manager-storage/flamenco-manager.sqlite.version.partial' && mv -f '/app/flamenco-manager-storage/flamenco-manager.sqlite.version.partial' '/app/flamenco-manager-storage/flamenco-manager.sqlite.version' && exec \"$@\"",
        "flamenco-manager",
        "/app/flamenco-manager",
      ],
      envs: ["TZ=UTC"],
      ports: [{ internal: 8080, external: 8484, ip: "0.0.0.0" }],
      volumes: [
        {
          hostPath: `${ROOT}/dev/OpenStudioLandscapes-Flamenco/flamenco-manager.yaml`,
          containerPath: "/app/flamenco-manager.yaml",
          readOnly: true,
        },
        {
          hostPath: `${ROOT}/dev/OpenStudioLandscapes-Flamenco/storage`,
          containerPath: "/app/flamenco-manager-storage",
          readOnly: false,
        },
        {
          hostPath: `${ROOT}/dev/OpenStudioLandscapes-Flamenco/shared_storage`,
          containerPath: "/app/flamenco-manager-storage-shared",
          readOnly: false,
        },
      ],
      networksAdvanced: [
        {
          name: "openstudiolandscapes-dev",
          aliases: ["flamenco-manager", "flamenco-manager.openstudiolandscapes.lan"],
        },
      ],
      wait: true,
    });
    const healthcheck = container.healthcheck as { tests: string[] };
    expect(healthcheck.tests.join(" ")).toContain("/api/v3/version");
    expect(healthcheck.tests.join(" ")).not.toMatch(/curl|wget/);
    expect(container.networkMode).toBeUndefined();
    // Already fully qualified: a domainname would be appended to it a second time.
    expect(container.domainname).toBeUndefined();
  });

  test("the container runs the built image by id, is replaced delete-first and waits for network and files", () => {
    const container = run.named("dev-manager");
    expect(container.inputs.image).toBe(run.outputs.imageId);
    expect(String(container.inputs.image)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(container.deleteBeforeReplace).toBe(true);
    expect(container.dependsOn).toEqual(["dev-network", "dev-manager-files"]);
  });

  test("a config change replaces the container: it carries the digest the files command reports for what it wrote", async () => {
    const files = run.named("dev-manager-files");
    const { state } = await inputDerivedDouble({ type: COMMAND, name: files.name, inputs: files.inputs });
    const written = JSON.parse(String(state.stdout)) as { configDigest: string };
    expect(written.configDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(containerOf(run).labels).toContainEqual({
      label: "org.openstudiolandscapes.flamenco.config-sha256",
      value: written.configDigest,
    });
    // Not a plain hash of the yaml, which could be checked against guessed passwords offline.
    const yaml = String(run.named("dev-manager-files").inputs.stdin);
    expect(written.configDigest).not.toBe(sha256(yaml));
  });

  test("stack outputs", () => {
    expect(run.outputs).toMatchObject({
      enabled: true,
      managerUrl: "http://flamenco-manager.openstudiolandscapes.lan:8484",
      managerLocalUrl: "http://127.0.0.1:8484",
      workerManagerUrl: "http://flamenco-manager:8080",
      workerCommand: "flamenco-worker -manager http://flamenco-manager.openstudiolandscapes.lan:8484",
      networkName: "openstudiolandscapes-dev",
      imageName: "openstudiolandscapes/flamenco-manager:dev-3.7",
      managerContainerName: "flamenco-manager--dev",
      configFile: `${ROOT}/dev/OpenStudioLandscapes-Flamenco/flamenco-manager.yaml`,
      storagePath: `${ROOT}/dev/OpenStudioLandscapes-Flamenco/storage`,
      sharedStoragePath: `${ROOT}/dev/OpenStudioLandscapes-Flamenco/shared_storage`,
    });
    expect(String(run.outputs.imageId)).toMatch(/^sha256:/);
  });

  test("managerUrl and workerCommand follow the managerUrl key, for studios without DNS", async () => {
    const custom = await runProgram({ config: { ...BASE, managerUrl: "http://10.0.0.5:8484" } });
    expect(custom.outputs.managerUrl).toBe("http://10.0.0.5:8484");
    expect(custom.outputs.workerCommand).toBe("flamenco-worker -manager http://10.0.0.5:8484");
  });
});

describe("the project's scripts", () => {
  test("run from the project directory, the commands name them by a relative path and no directory", async () => {
    const run = await runProgram({ config: { ...BASE, workers: [{ name: "local", count: 1 }] } });
    const steps = run
      .ofType(COMMAND)
      .flatMap((command) => [command.inputs.create, command.inputs.delete].filter((step) => step !== undefined));
    // fetch, files, backup (create and delete), worker home, worker deregistration (delete)
    expect(steps).toHaveLength(6);
    for (const step of steps) expect(String(step)).toMatch(/^node scripts\/[a-z-]+\.js( [a-z]+)?$/);
    for (const command of run.ofType(COMMAND)) expect(command.inputs.dir).toBeUndefined();
  });

  test("are found when the program runs from another working directory", async () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "flamenco-elsewhere-"));
    const previous = process.cwd();
    let moved: ProgramRun;
    process.chdir(elsewhere);
    try {
      moved = await runProgram({ config: { landscapesRoot: path.join(elsewhere, "landscapes") } });
    } finally {
      process.chdir(previous);
    }
    const files = moved.named("dev-manager-files").inputs;
    const environment = files.environment as Record<string, string>;
    // As the command provider runs it: in `dir` when set, else in its (the program's) working directory.
    const result = spawnSync("/bin/sh", ["-c", String(files.create)], {
      cwd: path.resolve(elsewhere, String(files.dir ?? ".")),
      env: { ...process.env, ...environment },
      input: String(files.stdin),
      encoding: "utf8",
    });
    expect(result.stderr).not.toMatch(/Cannot find module/);
    expect(result.status).toBe(0);
    expect(fs.readFileSync(environment.FLAMENCO_CONFIG_FILE, "utf8")).toBe(files.stdin);
    fs.rmSync(elsewhere, { recursive: true, force: true });
  });
});

describe("destroy deletes no storage", () => {
  const FARM_WITH_HOSTS = {
    ...BASE,
    workers: [
      { name: "manager-host", count: 1 },
      { name: "render-01", dockerHost: "ssh://render@render-01.studio.lan", count: 1, sharedStorage: "/mnt/projects" },
    ],
  };

  test("the only delete steps back up the database and deregister workers, so destroy removes nothing on the host", async () => {
    const run = await runProgram({ config: FARM_WITH_HOSTS });
    const deleteSteps = Object.fromEntries(run.ofType(COMMAND).map((command) => [command.name, command.inputs.delete]));
    // backup-database.js writes under <storage>/backups and removes only backups beyond backupsToKeep;
    // deregister-worker.js makes one HTTP request to the manager (both are tested on their own).
    expect(deleteSteps).toEqual({
      "dev-release-fetch": undefined,
      "dev-manager-files": undefined,
      "dev-manager-backup": "node scripts/backup-database.js backup",
      "dev-workers-manager-host-1-home": undefined,
      "dev-workers-manager-host-1-deregister": "node scripts/deregister-worker.js",
      "dev-workers-render-01-1-home": undefined,
      "dev-workers-render-01-1-deregister": "node scripts/deregister-worker.js",
    });
  });

  test("storage reaches containers only as bind mounts of host paths, which removing a container leaves alone", async () => {
    const run = await runProgram({ config: FARM_WITH_HOSTS });
    for (const container of run.ofType(CONTAINER)) {
      expect(container.inputs.mounts).toBeUndefined();
      const volumes = container.inputs.volumes as { hostPath?: string; volumeName?: string }[];
      for (const volume of volumes) {
        expect(volume.volumeName).toBeUndefined();
        expect(volume.hostPath).toMatch(/^\//);
      }
    }
  });
});

describe("determinism", () => {
  const FARM = {
    ...BASE,
    environment: { STUDIO: "north", ALPHA: "1" },
    workers: [
      { name: "manager-host", count: 2 },
      { name: "render-01", dockerHost: "ssh://render@render-01.studio.lan", count: 1, sharedStorage: "/mnt/projects" },
    ],
  };

  /** Runs the program with another working directory, reversed environment order and another date. */
  async function runInOtherProcessState(config: Record<string, unknown>): Promise<ProgramRun> {
    const cwd = process.cwd();
    const environment = { ...process.env };
    const otherDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "tq-determinism-"));
    jest.useFakeTimers({
      now: new Date("2031-07-04T23:59:58Z"),
      doNotFake: [
        "hrtime",
        "nextTick",
        "performance",
        "queueMicrotask",
        "setImmediate",
        "clearImmediate",
        "setInterval",
        "clearInterval",
        "setTimeout",
        "clearTimeout",
      ],
    });
    try {
      process.chdir(otherDirectory);
      for (const name of Object.keys(environment)) delete process.env[name];
      for (const name of Object.keys(environment).reverse()) process.env[name] = environment[name];
      process.env.TQ_UNRELATED_VARIABLE = "set only for this run";
      expect(new Date().toISOString()).toBe("2031-07-04T23:59:58.000Z");
      return await runProgram({ config });
    } finally {
      jest.useRealTimers();
      delete process.env.TQ_UNRELATED_VARIABLE;
      process.chdir(cwd);
      fs.rmSync(otherDirectory, { recursive: true, force: true });
    }
  }

  const recordedInputs = (run: ProgramRun) =>
    run.resources.map((resource) => `${resource.type} ${resource.name} ${stableJson(resource.inputs)}`);

  test("the same config gives byte-identical inputs and outputs in another working directory, environment order and time", async () => {
    // Both runs start outside the project directory (scriptCommand then names it in `dir`), each from another one.
    const cwd = process.cwd();
    const firstDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "tq-determinism-first-"));
    let first: ProgramRun;
    try {
      process.chdir(firstDirectory);
      first = await runProgram({ config: FARM });
    } finally {
      process.chdir(cwd);
      fs.rmSync(firstDirectory, { recursive: true, force: true });
    }
    const second = await runInOtherProcessState(FARM);
    expect(first.resources.length).toBeGreaterThan(10);
    expect(recordedInputs(second)).toEqual(recordedInputs(first));
    expect(stableJson(second.outputs)).toBe(stableJson(first.outputs));
  });

  test("the order keys are written in does not change any input", async () => {
    const reordered = Object.fromEntries(
      Object.entries({ ...FARM, environment: { ALPHA: "1", STUDIO: "north" } }).reverse(),
    );
    const first = await runProgram({ config: FARM });
    const second = await runProgram({ config: reordered });
    expect(recordedInputs(second)).toEqual(recordedInputs(first));
  });

  test("inputs hold no timestamps and no path of the machine that ran the program", async () => {
    const run = await runWithDefaults();
    const everything = stableJson(run.resources.map((resource) => resource.inputs));
    expect(everything).not.toMatch(/\b20\d\d-\d\d-\d\dT?\b/);
    expect(everything).not.toContain(PROJECT_ROOT);
    expect(everything).not.toContain(process.cwd());
  });
});

describe("what a change of one setting touches (the preview diff)", () => {
  let base: ProgramRun;
  beforeAll(async () => {
    base = await runWithDefaults();
  });

  test("host port: only the manager container", async () => {
    const changed = await runProgram({ config: { ...BASE, managerPortHost: 9484 } });
    expect(changedResources(base, changed)).toEqual(["dev-manager", "dev-manager-backup"]);
    expect(containerOf(changed).ports).toEqual([{ internal: 8080, external: 9484, ip: "0.0.0.0" }]);
  });

  test("Flamenco version: the release, the image and the container", async () => {
    const changed = await runProgram({ config: { ...BASE, flamencoVersion: "3.6" } });
    expect(changedResources(base, changed)).toEqual([
      "dev-image",
      "dev-manager",
      "dev-manager-backup",
      "dev-release-fetch",
    ]);
  });

  test("network alias: only the manager container", async () => {
    const changed = await runProgram({ config: { ...BASE, network: { alias: "farm-manager" } } });
    expect(changedResources(base, changed)).toEqual(["dev-manager", "dev-manager-backup"]);
    expect(containerOf(changed).networksAdvanced).toEqual([
      { name: "openstudiolandscapes-dev", aliases: ["farm-manager", "farm-manager.openstudiolandscapes.lan"] },
    ]);
  });

  test("an extra environment variable: only the container", async () => {
    const changed = await runProgram({ config: { ...BASE, environment: { STUDIO: "north" } } });
    expect(changedResources(base, changed)).toEqual(["dev-manager", "dev-manager-backup"]);
    expect(containerOf(changed).envs).toEqual(["TZ=UTC", "STUDIO=north"]);
  });

  test("a manager setting: the config file and, through its digest, the container", async () => {
    const changed = await runProgram({ config: { ...BASE, manager: { taskTimeout: "30m" } } });
    expect(changedResources(base, changed)).toEqual(["dev-manager", "dev-manager-backup", "dev-manager-files"]);
  });
});

describe("settings that shape the program", () => {
  test("enabled: false declares no Docker resources and says so", async () => {
    const run = await runProgram({ config: { ...BASE, enabled: false } });
    // The landscape component alone, with nothing in it.
    expect(run.resources.map((resource) => `${resource.type} ${resource.name}`)).toEqual([
      "flamenco-landscape:index:FlamencoLandscape dev",
    ]);
    expect(run.outputs.enabled).toBe(false);
    expect(run.outputs.status).toMatch(/disabled/);
    expect(run.outputs.managerUrl).toBeUndefined();
  });

  test("a custom release with its sha256 is fetched from that url and verified against that digest", async () => {
    const digest = "ab".repeat(32);
    const run = await runProgram({
      config: { ...BASE, flamencoRelease: { url: "file:///mnt/mirror/flamenco-custom.tar.gz", sha256: digest } },
    });
    const environment = run.named("dev-release-fetch").inputs.environment as Inputs;
    expect(environment.FLAMENCO_RELEASE_URL).toBe("file:///mnt/mirror/flamenco-custom.tar.gz");
    expect(environment.FLAMENCO_RELEASE_SHA256).toBe(digest);
    expect(environment.FLAMENCO_RELEASE_CHECKSUMS_URL).toBeUndefined();
    expect((run.named("dev-image").inputs.build as Inputs).args).toEqual({ FLAMENCO_RELEASE_SHA256: digest });
  });

  test("the log level becomes the manager's flag", async () => {
    const run = await runProgram({ config: { ...BASE, logLevel: "trace" } });
    expect((containerOf(run).command as string[]).slice(-2)).toEqual(["/app/flamenco-manager", "-trace"]);
  });

  test("the landscape defaults to the stack name", async () => {
    const run = await runProgram({ config: BASE, stack: "show-42" });
    expect(run.named("show-42-manager").inputs.name).toBe("flamenco-manager--show-42");
  });

  test("the MQTT password stays a secret: only in the (secret) yaml, nowhere in clear", async () => {
    const run = await runProgram({
      config: {
        ...BASE,
        manager: { mqtt: { broker: "tcp://mqtt.studio.lan:1883", username: "flamenco" } },
        mqttPassword: "s3cret-pa55",
      },
      secretKeys: ["mqttPassword"],
    });
    const files = run.named("dev-manager-files");
    expect(files.secretInputs).toContain("stdin");
    expect((parse(String(files.inputs.stdin)) as { mqtt: unknown }).mqtt).toEqual({
      client: { broker: "tcp://mqtt.studio.lan:1883", username: "flamenco", password: "s3cret-pa55" },
    });
    for (const resource of run.resources) {
      for (const [key, value] of Object.entries(resource.inputs)) {
        if (JSON.stringify(value).includes("s3cret-pa55")) expect(resource.secretInputs).toContain(key);
      }
    }
    expect(JSON.stringify(run.outputs)).not.toContain("s3cret-pa55");
  });

  test("a new MQTT password rewrites the config file and replaces the container, whose label does not reveal it", async () => {
    const mqtt = { ...BASE, manager: { mqtt: { broker: "tcp://mqtt.studio.lan:1883" } } };
    const first = await runProgram({ config: { ...mqtt, mqttPassword: "first-pa55" }, secretKeys: ["mqttPassword"] });
    const second = await runProgram({ config: { ...mqtt, mqttPassword: "second-pa55" }, secretKeys: ["mqttPassword"] });
    // The container is replaced, so the database is backed up first.
    expect(changedResources(first, second)).toEqual(["dev-manager", "dev-manager-backup", "dev-manager-files"]);
    const label = (one: ProgramRun) =>
      (containerOf(one).labels as Array<{ label: string; value: string }>).find((entry) =>
        entry.label.endsWith("config-sha256"),
      )?.value;
    expect(label(first)).not.toBe(label(second));
    const yaml = String(first.named("dev-manager-files").inputs.stdin);
    expect(yaml).toContain("first-pa55");
    expect(label(first)).not.toBe(sha256(yaml));
  });

  test("an MQTT password stored in plain text is refused before anything is declared", async () => {
    await expect(runProgram({ config: { ...BASE, mqttPassword: "plain" } })).rejects.toThrow(/mqttPassword.*secret/);
  });
});

describe("bad config", () => {
  test("one error lists every offending key, its value and what it accepts; nothing is declared", async () => {
    const { message, declared } = await runRefused({
      config: {
        ...BASE,
        managerPortHost: 70000,
        storage: "{DOT_LANDSCAPES}/{LANDSCAPES}/x",
        network: { domain: "Not A Domain" },
        timezone: "Mars/Olympus",
      },
    });
    expect(message).toMatch(/4 problems/);
    expect(message).toContain("flamenco-landscape:managerPortHost: got 70000; expected an integer from 1 to 65535");
    expect(message).toContain('flamenco-landscape:storage: got "{DOT_LANDSCAPES}/{LANDSCAPES}/x"');
    expect(message).toContain("unknown placeholder {LANDSCAPES}");
    expect(message).toContain('flamenco-landscape:network.domain: got "Not A Domain"');
    expect(message).toContain('flamenco-landscape:timezone: got "Mars/Olympus"');
    expect(declared).toEqual([]);
  });

  test("a release url of another version than flamencoVersion is refused: the image tag would lie", async () => {
    await expect(
      runProgram({
        config: {
          ...BASE,
          flamencoRelease: { url: "https://mirror.studio.lan/flamenco/flamenco-3.6-linux-amd64.tar.gz" },
        },
      }),
    ).rejects.toThrow(
      /flamenco-landscape:flamencoVersion: got "3.7"; expected the version of the archive in flamencoRelease.url \("3.6"\)/,
    );
  });

  test("a typo in a key name is reported, not ignored", async () => {
    await expect(runProgram({ config: { ...BASE, managerPortHots: 9000 } })).rejects.toThrow(
      /flamenco-landscape:managerPortHots: got 9000; expected no such key/,
    );
  });

  test("a stack name that is not a valid landscape asks for the landscape key", async () => {
    await expect(runProgram({ config: BASE, stack: "Show_42" })).rejects.toThrow(
      /landscape: got "Show_42".*stack name is used when landscape is not set/,
    );
  });
});

describe("failures at up", () => {
  test("a failing step fails the run with its message, and the next run is unaffected", async () => {
    const failing = runProgram({
      config: BASE,
      newResource: async (resource) => {
        if (resource.type === COMMAND)
          throw new Error("flamenco release: Download of https://example.invalid failed: HTTP 404 Not Found");
        return { id: resource.name, state: { ...resource.inputs } };
      },
    });
    await expect(failing).rejects.toThrow(/HTTP 404/);
    const next = await runProgram({ config: BASE });
    expect(containerOf(next).name).toBe("flamenco-manager--dev");
  });
});

/** Pulumi.dev.yaml as the project ships it. */
function shippedDevStack(): { config: Record<string, unknown> } {
  return parse(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.dev.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  };
}

describe("the example stack", () => {
  test("Pulumi.dev.yaml is a valid, working dev landscape", async () => {
    const stackFile = shippedDevStack();
    // As `pulumi up` runs it: index.ts itself, loaded anew.
    const run = await runProgram({
      config: { ...stackFile.config, "flamenco-landscape:landscapesRoot": ROOT },
      stack: "dev",
      throughIndex: true,
    });
    expect(run.named("dev-manager").inputs.name).toBe("flamenco-manager--dev");
    expect(run.outputs.managerLocalUrl).toBe("http://127.0.0.1:8484");
  });

  test("Pulumi.dev.yaml deploys a farm that renders: one worker beside the manager, with Debian's Blender", async () => {
    const stackFile = shippedDevStack();
    const run = await runProgram({
      config: { ...stackFile.config, "flamenco-landscape:landscapesRoot": ROOT },
      stack: "dev",
    });
    const workers = run.ofType(CONTAINER).filter((container) => container.name !== "dev-manager");
    expect(workers.map((worker) => worker.inputs.name)).toEqual(["dev-manager-host-1"]);
    expect(workers[0].inputs.image).toBe(`sha256:${sha256(stableJson(run.named("dev-worker-image").inputs))}`);
    expect(
      (run.named("dev-worker-release-fetch").inputs.environment as Record<string, string>).FLAMENCO_DOCKERFILE,
    ).toContain("apt-get install -y --no-install-recommends blender");
    expect(String(run.named("dev-manager-files").inputs.stdin)).toContain(
      "- platform: linux\n        audience: all\n        value: /usr/bin/blender\n",
    );
  });

  test("npm run up runs the same program as index.ts: the same resources, inputs and outputs", async () => {
    const stackFile = shippedDevStack();
    const config = {
      ...stackFile.config,
      "flamenco-landscape:landscapesRoot": ROOT,
      workers: [{ name: "local", count: 1 }],
    };
    const throughIndex = await runProgram({ config, stack: "dev", throughIndex: true });
    const throughStackCommand = await runProgram({ config, stack: "dev", throughStackCommand: true });
    const shape = (run: typeof throughIndex) =>
      run.resources.map((resource) => ({ type: resource.type, name: resource.name, inputs: resource.inputs }));
    expect(throughStackCommand.resources.length).toBeGreaterThan(10);
    expect(shape(throughStackCommand)).toEqual(shape(throughIndex));
    expect(throughStackCommand.outputs).toEqual(throughIndex.outputs);
  });

  test("a copy of Pulumi.dev.yaml for another stack manages another landscape (the README's second landscape)", async () => {
    const stackFile = shippedDevStack();
    expect(Object.keys(stackFile.config)).not.toContain("flamenco-landscape:landscape");
    const run = await runProgram({
      config: { ...stackFile.config, "flamenco-landscape:landscapesRoot": ROOT, managerPortHost: 8485 },
      stack: "show-42",
    });
    expect(run.named("show-42-manager").inputs.name).toBe("flamenco-manager--show-42");
    expect(run.outputs.networkName).toBe("openstudiolandscapes-show-42");
    expect(run.outputs.storagePath).toBe(`${ROOT}/show-42/OpenStudioLandscapes-Flamenco/storage`);
  });
});

/**
 * Config that would fail at `pulumi up`, clobber storage or leak a secret stops the program
 * at preview, in one error, before it declares any resource.
 */
describe("config that must not reach `pulumi up`", () => {
  let refusalsTmp: string;
  beforeAll(() => {
    refusalsTmp = fs.mkdtempSync(path.join(os.tmpdir(), "flamenco-refusals-"));
  });
  afterAll(() => fs.rmSync(refusalsTmp, { recursive: true, force: true }));

  test("every rule of the config reports in the same error, and nothing is declared", async () => {
    const storageFile = path.join(refusalsTmp, "storage-is-a-file");
    fs.writeFileSync(storageFile, "not a directory");
    const { message, declared } = await runRefused({
      config: {
        landscapesRoot: ROOT,
        network: { name: "bridge", domain: `${"d".repeat(60)}.lan` },
        flamencoVersion: `3.7-${"v".repeat(130)}`,
        environment: { PATH: "/opt/bin", NOTE: "a\u0000b" },
        workers: [
          { name: "local", count: 1, environment: { FLAMENCO_HOME: "/w" } },
          { name: "local-b", count: 1, workersRoot: `${ROOT}/.cache` },
        ],
        manager: { taskTimeout: "9999999h" },
        managerUser: "0:0",
        mqttPassword: "orphan-secret-42",
        storage: storageFile,
        sharedStorage: "/mnt/a:b",
        flamencoRelease: {
          url: `http://mirror:hunter2@mirror.studio.lan/flamenco-3.7-v${"v".repeat(129)}-linux-amd64.tar.gz`,
        },
      },
      secretKeys: ["mqttPassword"],
    });
    const expectedLines = [
      'network.name: got "bridge"; expected a network name of this landscape, not host, bridge or none',
      `network.domain: got "${"d".repeat(60)}.lan"; expected a shorter network.alias or network.domain`,
      "flamencoVersion: got",
      'environment.PATH: got "/opt/bin"',
      'environment.NOTE: got "a\\u0000b"',
      'workers.0.environment.FLAMENCO_HOME: got "/w"',
      `workers.1.workersRoot: got "${ROOT}/.cache"; expected a directory apart from every other one the program uses: it contains the release cache`,
      'manager.taskTimeout: got "9999999h"; expected a Go duration',
      'managerUser: got "0:0"; expected a uid other than 0 (root), unless allowRootUser is true',
      'mqttPassword: got "a value (not shown)"; expected manager.mqtt with a broker',
      `storage: got ${JSON.stringify(storageFile)}; expected a directory or a path that does not exist yet`,
      "sharedStorage: got \"/mnt/a:b\"; expected a path without ':' or ','",
      'flamencoRelease.url: got "http://mirror:(not shown)@mirror.studio.lan',
      "flamencoRelease.sha256: got nothing; expected a sha256",
    ];
    for (const line of expectedLines) expect(message).toContain(`flamenco-landscape:${line}`);
    expect(message).toContain(`: ${expectedLines.length} problems`);
    expect(message).not.toContain("hunter2");
    expect(message).not.toContain("orphan-secret-42");
    expect(declared).toEqual([]);
  });
});

/** The database backup before the manager container is replaced or destroyed, under mocks. */
describe("the database backup before the manager container is replaced or destroyed", () => {
  const ROOT = "/srv/landscapes";
  const BASE = { landscapesRoot: ROOT };
  const STORAGE = `${ROOT}/dev/OpenStudioLandscapes-Flamenco/storage`;
  const GUARD_LABEL = "org.openstudiolandscapes.flamenco.backup-guard";

  let run: ProgramRun;

  beforeAll(async () => {
    run = await runWithDefaults();
  });

  function backupOf(of: ProgramRun) {
    return of.named("dev-manager-backup");
  }

  describe("the backup command", () => {
    test("backs up on delete, with the storage, config file, running version and how many to keep", () => {
      const backup = backupOf(run);
      expect(backup.inputs).toMatchObject({
        create: "node scripts/backup-database.js newest",
        delete: "node scripts/backup-database.js backup",
        environment: {
          FLAMENCO_STORAGE: STORAGE,
          FLAMENCO_CONFIG_FILE: `${ROOT}/dev/OpenStudioLandscapes-Flamenco/flamenco-manager.yaml`,
          FLAMENCO_VERSION: "3.7",
          FLAMENCO_BACKUPS_KEEP: "5",
        },
      });
      expect(backup.deleteBeforeReplace).toBe(true);
    });

    test("the manager container holds the command's id in a label: a property dependency, so the engine deletes the container before the backup runs", () => {
      const backup = backupOf(run);
      // The id the mocks' provider double gives a command: its name and a digest of its inputs.
      const backupId = `dev-manager-backup-${sha256(stableJson(backup.inputs)).slice(0, 12)}`;
      const container = run.named("dev-manager");
      expect(container.inputs.labels).toContainEqual({ label: GUARD_LABEL, value: backupId });
    });

    test("every change that replaces the manager container changes the command's triggers", async () => {
      const triggers = stableJson(backupOf(run).inputs.triggers);
      for (const config of [
        { managerPortHost: 9484 },
        { flamencoVersion: "3.6" },
        { manager: { taskTimeout: "30m" } },
        { environment: { STUDIO: "north" } },
      ]) {
        const changed = await runProgram({ config: { ...BASE, ...config } });
        expect(stableJson(backupOf(changed).inputs.triggers)).not.toBe(triggers);
      }
    });

    test("backupsToKeep changes the environment only: the command is updated, not replaced, and takes no backup", async () => {
      const changed = await runProgram({ config: { ...BASE, backupsToKeep: 2 } });
      expect(stableJson(backupOf(changed).inputs.triggers)).toBe(stableJson(backupOf(run).inputs.triggers));
      expect((backupOf(changed).inputs.environment as Record<string, string>).FLAMENCO_BACKUPS_KEEP).toBe("2");
    });

    test("the stack reports the newest backup (none yet)", () => {
      expect(run.outputs).toHaveProperty("newestBackup", null);
    });
  });
});

/**
 * Resource names are part of URNs: a renamed resource is replaced unless its old URN is given
 * as an alias. These are the URNs the program declared before its render-host children were
 * named from their component (recorded from that version for this farm); every one of them
 * must still lead to a declared resource, so existing stacks see no replacement.
 */
describe("URNs an existing stack knows", () => {
  const LANDSCAPE_URN = "urn:pulumi:farm::flamenco-landscape::openstudiolandscapes:flamenco:Landscape";
  const PREVIOUS_URNS = [
    "::farm",
    "$openstudiolandscapes:flamenco:Release::farm-release",
    "$openstudiolandscapes:flamenco:Release$command:local:Command::farm-release-fetch",
    "$openstudiolandscapes:flamenco:ManagerImage::farm-image",
    "$openstudiolandscapes:flamenco:ManagerImage$docker:index/image:Image::farm-image",
    "$docker:index/network:Network::farm-network",
    "$openstudiolandscapes:flamenco:ManagerFiles::farm-manager-files",
    "$openstudiolandscapes:flamenco:ManagerFiles$command:local:Command::farm-manager-files",
    "$openstudiolandscapes:flamenco:Manager::farm-manager",
    "$openstudiolandscapes:flamenco:Manager$docker:index/container:Container::farm-manager",
    "$openstudiolandscapes:flamenco:Workers::farm-workers",
    "$openstudiolandscapes:flamenco:Workers$openstudiolandscapes:flamenco:RenderHost::farm-render-host-manager-host",
    "$openstudiolandscapes:flamenco:Workers$openstudiolandscapes:flamenco:RenderHost$command:local:Command::farm-worker-manager-host-1-home",
    "$openstudiolandscapes:flamenco:Workers$openstudiolandscapes:flamenco:RenderHost$docker:index/container:Container::farm-worker-manager-host-1",
    "$openstudiolandscapes:flamenco:Workers$openstudiolandscapes:flamenco:RenderHost$command:local:Command::farm-worker-manager-host-2-home",
    "$openstudiolandscapes:flamenco:Workers$openstudiolandscapes:flamenco:RenderHost$docker:index/container:Container::farm-worker-manager-host-2",
    "$openstudiolandscapes:flamenco:Workers$openstudiolandscapes:flamenco:RenderHost::farm-render-host-render-01",
    "$openstudiolandscapes:flamenco:Workers$openstudiolandscapes:flamenco:RenderHost$pulumi:providers:docker::farm-docker-render-01",
    "$openstudiolandscapes:flamenco:Workers$openstudiolandscapes:flamenco:RenderHost$command:local:Command::farm-worker-render-01-1-home",
    "$openstudiolandscapes:flamenco:Workers$openstudiolandscapes:flamenco:RenderHost$docker:index/container:Container::farm-worker-render-01-1",
    "$openstudiolandscapes:flamenco:Workers$openstudiolandscapes:flamenco:RenderHost$command:local:Command::farm-worker-render-01-2-home",
    "$openstudiolandscapes:flamenco:Workers$openstudiolandscapes:flamenco:RenderHost$docker:index/container:Container::farm-worker-render-01-2",
    "$openstudiolandscapes:flamenco:Workers$openstudiolandscapes:flamenco:RenderHost$command:local:Command::farm-worker-render-01-3-home",
    "$openstudiolandscapes:flamenco:Workers$openstudiolandscapes:flamenco:RenderHost$docker:index/container:Container::farm-worker-render-01-3",
  ].map((tail) => `${LANDSCAPE_URN}${tail}`);

  describe("URNs of existing stacks", () => {
    it("every resource of the previous naming is declared under its URN or aliased to it, once", async () => {
      const run = await runProgram({
        config: {
          landscape: "farm",
          landscapesRoot: "/srv/landscapes",
          workers: [
            { name: "manager-host", count: 2 },
            {
              name: "render-01",
              dockerHost: "ssh://render@render-01.studio.lan",
              count: 3,
              gpus: "all",
              sharedStorage: "/mnt/projects",
            },
          ],
        },
        stack: "farm",
      });
      const known = run.resources.flatMap((resource) => [resource.urn, ...resource.aliasUrns]);
      for (const urn of PREVIOUS_URNS) expect(known.filter((candidate) => candidate === urn)).toEqual([urn]);
      // Resources the previous version did not have at all are new, not renamed.
      const added = run.resources.filter(
        (resource) => ![resource.urn, ...resource.aliasUrns].some((urn) => PREVIOUS_URNS.includes(urn)),
      );
      expect(added.map((resource) => resource.name).sort()).toEqual([
        "farm-manager-backup",
        "farm-manager-backup",
        "farm-workers-manager-host-1-deregister",
        "farm-workers-manager-host-2-deregister",
        "farm-workers-render-01-1-deregister",
        "farm-workers-render-01-2-deregister",
        "farm-workers-render-01-3-deregister",
        "farm-workers-render-01-image",
        "farm-workers-render-01-image",
      ]);
    });

    it("the renamed worker resources carry their previous names as aliases", async () => {
      const run = await runProgram({
        config: {
          landscape: "farm",
          workers: [{ name: "render-01", dockerHost: "tcp://render-01:2376", count: 1, sharedStorage: "/mnt/p" }],
        },
        stack: "farm",
      });
      // Every resource also inherits the landscape's previous type; only the previous names matter here.
      const previousNames = (resource: (typeof run.resources)[number]) => [
        ...new Set(resource.aliasUrns.map((urn) => urn.split("::").pop()).filter((name) => name !== resource.name)),
      ];
      const renamed = Object.fromEntries(
        run.resources
          .filter((resource) => previousNames(resource).length > 0)
          .map((resource) => [resource.name, previousNames(resource)]),
      );
      expect(renamed).toEqual({
        "farm-workers-render-01": ["farm-render-host-render-01"],
        "farm-workers-render-01-docker": ["farm-docker-render-01"],
        "farm-workers-render-01-1-home": ["farm-worker-render-01-1-home"],
        "farm-workers-render-01-1": ["farm-worker-render-01-1"],
      });
    });
  });
});

/**
 * A component hands its `dependsOn` on to the children that must wait, with their own
 * dependencies added, in whichever form Pulumi accepts the option.
 */
describe("a component hands its dependsOn on", () => {
  /** Stand-ins that Pulumi's own check takes for resources. */
  function resource(name: string): pulumi.Resource {
    return { __pulumiResource: true, name } as unknown as pulumi.Resource;
  }

  function names(dependencies: unknown): string[] {
    return (dependencies as { name: string }[]).map((dependency) => dependency.name);
  }

  describe("withDependencies", () => {
    const manager = resource("manager");
    const network = resource("network");
    const home = resource("home");

    it("adds to a list, a single resource, or nothing", () => {
      expect(names(withDependencies([manager, network], home))).toEqual(["manager", "network", "home"]);
      expect(names(withDependencies(manager, home))).toEqual(["manager", "home"]);
      expect(names(withDependencies(undefined, home))).toEqual(["home"]);
    });

    it("adds to a promised list", async () => {
      const extended = withDependencies(Promise.resolve([manager]), home);
      const settled = await new Promise((resolve) => (extended as pulumi.Output<unknown>).apply(resolve));
      expect(names(settled)).toEqual(["manager", "home"]);
    });
  });
});
