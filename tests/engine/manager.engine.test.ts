/**
 * One landscape's manager under the real Pulumi engine, through the README's commands
 * (`npm run up|preview|destroy|refresh -- <stack>` in a copy of the project, project.ts), with
 * the provider stand-ins (providers/) acting on the real Docker engine and the stand-in
 * Flamenco release (fixture/) served on 127.0.0.1. Every assertion looks at the running system
 * from outside, or at the engine's own steps and state.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseSettings } from "../../components/config/settings";
import { renderManagerYaml } from "../../components/render/managerYaml";
import { changedSteps, ProjectCopy, step } from "./project";
import {
  dockerCli,
  freePort,
  httpGet,
  localLandscapeConfig,
  removeLeftovers,
  requireEngine,
  serveFixtureRelease,
  ServedRelease,
  TEST_LANDSCAPE_PREFIX,
} from "./support";

const LANDSCAPE_A = `${TEST_LANDSCAPE_PREFIX}-a`;
const LANDSCAPE_B = `${TEST_LANDSCAPE_PREFIX}-b`;
const LANDSCAPE_BAD = `${TEST_LANDSCAPE_PREFIX}-bad`;
const LANDSCAPE_TAMPERED = `${TEST_LANDSCAPE_PREFIX}-tampered`;
const LANDSCAPE_SECRET = `${TEST_LANDSCAPE_PREFIX}-secret`;
const LANDSCAPE_INTERRUPTED = `${TEST_LANDSCAPE_PREFIX}-interrupted`;
const MANAGER_NAME = "Engine Test Farm";

let project: ProjectCopy;
let fixture: ServedRelease;
let landscapesRoot: string;
let portA: number;
let portB: number;
let firstUp: Awaited<ReturnType<ProjectCopy["npmRun"]>>;

function stackConfig(name: string, port: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return localLandscapeConfig(
    { name, landscapesRoot, release: fixture, port },
    { manager: { managerName: MANAGER_NAME }, ...extra },
  );
}

/** Writes the stack's config and runs `npm run <action> -- <stack>`, failing the test on a failed run. */
async function npmRun(
  action: "up" | "preview" | "destroy" | "refresh",
  stack: string,
  flags: string[] = [],
): ReturnType<ProjectCopy["npmRun"]> {
  const result = await project.npmRun(action, stack, flags);
  if (result.code !== 0) {
    throw new Error(`npm run ${action} -- ${stack} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

function configure(stack: string, port: number, extra: Record<string, unknown> = {}): void {
  project.writeStackConfig(stack, stackConfig(stack, port, extra));
}

/** Runs a shell script in a throw-away container on the landscape network. */
async function onNetwork(network: string, script: string): Promise<string> {
  return dockerCli(["run", "--rm", "--network", network, "debian:bookworm-slim", "bash", "-c", script]);
}

function versionRequest(host: string, port: number): string {
  return `exec 3<>/dev/tcp/${host}/${port} && printf 'GET /api/v3/version HTTP/1.0\\r\\nHost: ${host}\\r\\n\\r\\n' >&3 && cat <&3`;
}

async function containerId(name: string): Promise<string> {
  return (await dockerCli(["inspect", "--format", "{{.Id}}", name])).trim();
}

beforeAll(async () => {
  await requireEngine();
  await removeLeftovers([
    LANDSCAPE_A,
    LANDSCAPE_B,
    LANDSCAPE_BAD,
    LANDSCAPE_TAMPERED,
    LANDSCAPE_SECRET,
    LANDSCAPE_INTERRUPTED,
  ]);
  project = await ProjectCopy.create("manager");
  fixture = await serveFixtureRelease();
  landscapesRoot = fs.mkdtempSync(path.join(os.tmpdir(), "flamenco-landscapes-"));
  portA = await freePort();
  portB = await freePort();
  configure(LANDSCAPE_A, portA);
  firstUp = await npmRun("up", LANDSCAPE_A);
});

afterAll(async () => {
  for (const stack of [LANDSCAPE_A, LANDSCAPE_B, LANDSCAPE_TAMPERED, LANDSCAPE_SECRET, LANDSCAPE_INTERRUPTED]) {
    if (fs.existsSync(project?.stackFile(stack) ?? "")) await project.npmRun("destroy", stack);
  }
  await fixture?.served.close();
  project?.remove();
});

describe("npm run up of one landscape, from nothing", () => {
  test("creates the release, image, network, config, backup command and manager, and reports the outputs", () => {
    const created = changedSteps(firstUp.events).filter((entry) => entry.startsWith("create "));
    expect(created.map((entry) => entry.slice("create ".length)).sort()).toEqual(
      [
        `${LANDSCAPE_A}-release-fetch`,
        `${LANDSCAPE_A}-image`,
        `${LANDSCAPE_A}-network`,
        `${LANDSCAPE_A}-manager-files`,
        `${LANDSCAPE_A}-manager-backup`,
        `${LANDSCAPE_A}-manager`,
        LANDSCAPE_A,
        `${LANDSCAPE_A}-release`,
        `${LANDSCAPE_A}-manager`,
        `${LANDSCAPE_A}-manager-files`,
        `${LANDSCAPE_A}-manager-backup`,
        `${LANDSCAPE_A}-image`,
        "default_5_2_0",
        "default_1_2_1",
        `flamenco-landscape-${LANDSCAPE_A}`,
      ].sort(),
    );
    expect(firstUp.stdout).toContain(`managerLocalUrl     : "http://127.0.0.1:${portA}"`);
    expect(project.outputs(LANDSCAPE_A)).toMatchObject({
      managerLocalUrl: `http://127.0.0.1:${portA}`,
      managerContainerName: `flamenco-manager--${LANDSCAPE_A}`,
      networkName: `openstudiolandscapes-${LANDSCAPE_A}`,
    });
  });

  test("fetched the release over HTTP once, verified against the sha256 the config pins", () => {
    expect(fixture.archiveRequests()).toBe(1);
    // An http:// release needs a pinned sha256: a checksum list over http proves nothing.
    expect(fixture.checksumRequests()).toBe(0);
  });

  test("the image holds the binaries of the fixture release and runs as uid 1000", async () => {
    const image = String(project.outputs(LANDSCAPE_A).imageId);
    const sums = await dockerCli([
      "run",
      "--rm",
      "--network",
      "none",
      image,
      "sha256sum",
      "/app/flamenco-manager",
      "/app/flamenco-worker",
    ]);
    expect(sums).toContain(`${fixture.release.managerBinarySha256}  /app/flamenco-manager`);
    expect(sums).toContain(`${fixture.release.workerBinarySha256}  /app/flamenco-worker`);
    const user = await dockerCli(["run", "--rm", "--network", "none", image, "id", "-u"]);
    expect(user.trim()).toBe("1000");
  });

  test("the manager answers on the published port with the configured name", async () => {
    const response = await httpGet(`http://127.0.0.1:${portA}/api/v3/version`);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ name: MANAGER_NAME, version: "3.7" });
  });

  test("workers on the landscape network reach it by its alias and by its FQDN", async () => {
    const network = String(project.outputs(LANDSCAPE_A).networkName);
    const byAlias = await onNetwork(network, versionRequest("flamenco-manager", 8080));
    const byFqdn = await onNetwork(network, versionRequest("flamenco-manager.openstudiolandscapes.lan", 8080));
    for (const answer of [byAlias, byFqdn]) {
      expect(answer).toMatch(/^HTTP\/1\.[01] 200/);
      expect(answer).toContain(`"name":"${MANAGER_NAME}"`);
    }
  });

  test("the config file in the container is read-only and equals the rendered flamenco-manager.yaml", async () => {
    const outputs = project.outputs(LANDSCAPE_A);
    const container = String(outputs.managerContainerName);
    const inside = await dockerCli(["exec", container, "cat", "/app/flamenco-manager.yaml"]);
    const settings = parseSettings(stackConfig(LANDSCAPE_A, portA), {
      stack: LANDSCAPE_A,
      homeDirectory: os.homedir(),
    });
    expect(inside).toBe(renderManagerYaml(settings));
    expect(fs.readFileSync(String(outputs.configFile), "utf8")).toBe(inside);
    await expect(
      dockerCli(["exec", "--user", "0", container, "sh", "-c", "echo tampered >> /app/flamenco-manager.yaml"]),
    ).rejects.toThrow(/Read-only file system/);
  });
});

describe("a run right after up changes nothing", () => {
  test("preview --expect-no-changes, up --expect-no-changes and refresh --expect-no-changes all pass", async () => {
    const preview = await npmRun("preview", LANDSCAPE_A, ["--expect-no-changes"]);
    expect(changedSteps(preview.events)).toEqual([]);
    const up = await npmRun("up", LANDSCAPE_A, ["--expect-no-changes"]);
    expect(changedSteps(up.events)).toEqual([]);
    const refresh = await npmRun("refresh", LANDSCAPE_A, ["--expect-no-changes"]);
    expect(refresh.code).toBe(0);
  });
});

describe("what a change replaces, as the engine's preview shows it", () => {
  test("a changed host port replaces the manager container and its backup command, nothing else", async () => {
    configure(LANDSCAPE_A, await freePort());
    const preview = await npmRun("preview", LANDSCAPE_A);
    configure(LANDSCAPE_A, portA);
    expect(changedSteps(preview.events)).toEqual([
      `delete-replaced ${LANDSCAPE_A}-manager`,
      `delete-replaced ${LANDSCAPE_A}-manager-backup`,
      `replace ${LANDSCAPE_A}-manager-backup`,
      `create-replacement ${LANDSCAPE_A}-manager-backup`,
      `replace ${LANDSCAPE_A}-manager`,
      `create-replacement ${LANDSCAPE_A}-manager`,
    ]);
    expect(step(preview.events, "replace", `${LANDSCAPE_A}-manager-backup`)?.diffs).toEqual(["triggers"]);
  });

  test("a changed environment variable replaces the manager and its backup command", async () => {
    configure(LANDSCAPE_A, portA, { environment: { RENDER_QUEUE: "night" } });
    const preview = await npmRun("preview", LANDSCAPE_A);
    configure(LANDSCAPE_A, portA);
    expect(changedSteps(preview.events).map((entry) => entry.split(" ")[1])).toEqual([
      `${LANDSCAPE_A}-manager`,
      `${LANDSCAPE_A}-manager-backup`,
      `${LANDSCAPE_A}-manager-backup`,
      `${LANDSCAPE_A}-manager-backup`,
      `${LANDSCAPE_A}-manager`,
      `${LANDSCAPE_A}-manager`,
    ]);
  });

  test("a changed manager setting rewrites flamenco-manager.yaml and replaces the manager, which rereads it", async () => {
    configure(LANDSCAPE_A, portA, { manager: { managerName: "Renamed Farm" } });
    const preview = await npmRun("preview", LANDSCAPE_A);
    configure(LANDSCAPE_A, portA);
    const steps = changedSteps(preview.events);
    expect(steps).toContain(`update ${LANDSCAPE_A}-manager-files`);
    expect(steps).toContain(`replace ${LANDSCAPE_A}-manager`);
    expect(steps).toContain(`replace ${LANDSCAPE_A}-manager-backup`);
    expect(steps.filter((entry) => /image|network|release/.test(entry))).toEqual([]);
  });
});

describe("a replacement of the manager", () => {
  test("stops the old manager, then backs up its database, then starts the new one on the same storage", async () => {
    const outputs = project.outputs(LANDSCAPE_A);
    const storage = String(outputs.storagePath);
    const container = String(outputs.managerContainerName);
    const oldContainer = await containerId(container);
    configure(LANDSCAPE_A, portA, { environment: { RENDER_QUEUE: "night" } });
    const up = await npmRun("up", LANDSCAPE_A);
    const newContainer = await containerId(container);
    expect(newContainer).not.toBe(oldContainer);
    expect(await dockerCli(["inspect", "--format", "{{json .Config.Env}}", container])).toContain("RENDER_QUEUE=night");

    // The engine's order: the old container is deleted before the backup command's delete (the backup) runs.
    const order = changedSteps(up.events);
    expect(order.indexOf(`delete-replaced ${LANDSCAPE_A}-manager`)).toBeLessThan(
      order.indexOf(`delete-replaced ${LANDSCAPE_A}-manager-backup`),
    );
    // And on the host: the backup holds a database no manager had open (no WAL left beside it).
    const backups = fs.readdirSync(path.join(storage, "backups")).sort();
    expect(backups.length).toBeGreaterThanOrEqual(1);
    const newest = path.join(storage, "backups", backups[backups.length - 1]);
    expect(fs.readdirSync(newest).sort()).toEqual([
      "flamenco-manager.sqlite",
      "flamenco-manager.sqlite.version",
      "flamenco-manager.yaml",
    ]);
    expect((await httpGet(`http://127.0.0.1:${portA}/api/v3/version`)).status).toBe(200);
  });
});

describe("bad config", () => {
  test("preview fails naming every bad key, with value and what it accepts, and nothing is created", async () => {
    project.writeStackConfig(LANDSCAPE_BAD, {
      ...stackConfig(LANDSCAPE_BAD, portB),
      managerPortHost: 70000,
      manager: { shaman: { garbageCollect: { extraCheckoutPaths: ["/mnt/checkouts"] } } },
    });
    const preview = await project.npmRun("preview", LANDSCAPE_BAD);
    expect(preview.code).not.toBe(0);
    const output = preview.stdout + preview.stderr;
    expect(output).toContain("flamenco-landscape:managerPortHost: got 70000; expected an integer from 1 to 65535");
    expect(output).toContain(
      'flamenco-landscape:manager.shaman.garbageCollect.extraCheckoutPaths.0: got "/mnt/checkouts"; expected an absolute path inside the shared storage as the manager sees it',
    );
    expect(output).toContain("Nothing was created.");
    const up = await project.npmRun("up", LANDSCAPE_BAD);
    expect(up.code).not.toBe(0);
    expect(changedSteps(up.events).filter((entry) => !entry.includes("flamenco-landscape-"))).toEqual([]);
    const names = (await dockerCli(["ps", "-a", "--format", "{{.Names}}"])).split("\n");
    expect(names).not.toContain(`flamenco-manager--${LANDSCAPE_BAD}`);
    expect(fs.existsSync(path.join(landscapesRoot, LANDSCAPE_BAD))).toBe(false);
  });
});

describe("drift", () => {
  test("a manager container removed by hand: refresh sees it gone, up makes it again", async () => {
    const container = String(project.outputs(LANDSCAPE_A).managerContainerName);
    await dockerCli(["rm", "-f", container]);
    const managerInState = () =>
      project
        .stateResources(LANDSCAPE_A)
        .some(
          (resource) =>
            resource.type === "docker:index/container:Container" && resource.urn.endsWith(`::${LANDSCAPE_A}-manager`),
        );
    expect(managerInState()).toBe(true);
    const refresh = await npmRun("refresh", LANDSCAPE_A);
    expect(refresh.events.find((event) => event.summaryEvent)?.summaryEvent?.resourceChanges).toMatchObject({
      delete: 1,
    });
    expect(managerInState()).toBe(false);
    const up = await npmRun("up", LANDSCAPE_A);
    expect(changedSteps(up.events)).toContain(`create ${LANDSCAPE_A}-manager`);
    expect((await httpGet(`http://127.0.0.1:${portA}/api/v3/version`)).status).toBe(200);
    await npmRun("preview", LANDSCAPE_A, ["--expect-no-changes"]);
  });
});

describe("an interrupted up", () => {
  test("Ctrl-C during the image build stops after the steps under way; the next up completes with nothing pending", async () => {
    configure(LANDSCAPE_INTERRUPTED, await freePort());
    await dockerCli(["builder", "prune", "--all", "--force"]);
    let interrupted = false;
    const stopped = await project.npmRun("up", LANDSCAPE_INTERRUPTED, [], {
      processGroup: true,
      onSpawn: (pid, eventsSoFar) => {
        const watch = setInterval(() => {
          if (step(eventsSoFar(), "create", `${LANDSCAPE_INTERRUPTED}-image`) === undefined) return;
          clearInterval(watch);
          interrupted = true;
          // As a terminal does on Ctrl-C: the signal goes to the whole foreground process group.
          process.kill(-pid, "SIGINT");
        }, 50);
      },
    });
    expect(interrupted).toBe(true);
    expect(stopped.code).not.toBe(0);
    const created = changedSteps(stopped.events);
    expect(created).not.toContain(`create ${LANDSCAPE_INTERRUPTED}-manager`);
    expect(JSON.parse(project.stateText(LANDSCAPE_INTERRUPTED)).checkpoint.latest.pending_operations ?? []).toEqual([]);

    const resumed = await npmRun("up", LANDSCAPE_INTERRUPTED);
    expect(changedSteps(resumed.events)).toContain(`create ${LANDSCAPE_INTERRUPTED}-manager`);
    expect(JSON.parse(project.stateText(LANDSCAPE_INTERRUPTED)).checkpoint.latest.pending_operations ?? []).toEqual([]);
    const port = Number(String(project.outputs(LANDSCAPE_INTERRUPTED).managerLocalUrl).split(":").pop());
    expect((await httpGet(`http://127.0.0.1:${port}/api/v3/version`)).status).toBe(200);
    await npmRun("preview", LANDSCAPE_INTERRUPTED, ["--expect-no-changes"]);
    await npmRun("destroy", LANDSCAPE_INTERRUPTED);
  });
});

describe("secrets", () => {
  test("mqttPassword, set as a secret as docs/data-safety.md shows, is never in clear in the state or the stack file", async () => {
    const password = `mqtt-${crypto.randomBytes(12).toString("hex")}`;
    const port = await freePort();
    // The guide's stack is show-42; its landscape is this test's.
    const stack = "show-42";
    project.writeStackConfig(
      stack,
      stackConfig(LANDSCAPE_SECRET, port, { manager: { mqtt: { broker: "tcp://mqtt.invalid:1883" } } }),
    );
    const set = await project.runDocumented(
      "docs/data-safety.md",
      "export PULUMI_BACKEND_URL=file://$PWD/.pulumi-state",
      {
        stdin: `${password}\n`,
      },
    );
    if (set.code !== 0) throw new Error(`the guide's commands exited ${set.code}:\n${set.stdout}\n${set.stderr}`);
    expect(set.stdout + set.stderr).not.toContain(password);
    const up = await npmRun("up", stack);
    try {
      expect(up.stdout + up.stderr).not.toContain(password);
      expect(project.stateText(stack)).not.toContain(password);
      expect(fs.readFileSync(project.stackFile(stack), "utf8")).not.toContain(password);
      // The manager gets it, in the config file only it and root can read.
      const configFile = String(project.outputs(stack).configFile);
      expect(fs.readFileSync(configFile, "utf8")).toContain(`password: ${password}`);
      expect(fs.statSync(configFile).mode & 0o007).toBe(0);
    } finally {
      await npmRun("destroy", stack);
    }
  });
});

describe("two landscapes side by side", () => {
  test("a second landscape with the same release downloads nothing, and both answer", async () => {
    const downloadsBefore = fixture.archiveRequests() + fixture.checksumRequests();
    configure(LANDSCAPE_B, portB);
    await npmRun("up", LANDSCAPE_B);
    expect(fixture.archiveRequests() + fixture.checksumRequests()).toBe(downloadsBefore);
    for (const port of [portA, portB]) {
      expect(JSON.parse((await httpGet(`http://127.0.0.1:${port}/api/v3/version`)).body)).toMatchObject({
        name: MANAGER_NAME,
      });
    }
    const running = (await dockerCli(["ps", "--format", "{{.Names}}"])).split("\n");
    expect(running).toEqual(
      expect.arrayContaining([`flamenco-manager--${LANDSCAPE_A}`, `flamenco-manager--${LANDSCAPE_B}`]),
    );
  });

  test("a tampered archive fails up with url, expected and actual digest, and leaves no cache entry", async () => {
    const tampered = await serveFixtureRelease("3.6");
    try {
      fs.appendFileSync(tampered.release.tarballPath, "tampered");
      project.writeStackConfig(LANDSCAPE_TAMPERED, {
        ...stackConfig(LANDSCAPE_TAMPERED, await freePort()),
        flamencoVersion: "3.6",
        flamencoRelease: { url: tampered.archiveUrl, sha256: tampered.release.sha256 },
      });
      const up = await project.npmRun("up", LANDSCAPE_TAMPERED);
      expect(up.code).not.toBe(0);
      const message = up.stdout + up.stderr;
      expect(message).toContain(tampered.archiveUrl);
      expect(message).toContain(`expected sha256 ${tampered.release.sha256}`);
      const actual = crypto.createHash("sha256").update(fs.readFileSync(tampered.release.tarballPath)).digest("hex");
      expect(message).toContain(`got ${actual}`);
      const entries = fs.readdirSync(path.join(landscapesRoot, ".cache", "flamenco-releases"));
      expect(entries).toHaveLength(1);
      expect(entries.some((entry) => entry.includes("partial"))).toBe(false);
      expect(
        fs.existsSync(path.join(landscapesRoot, LANDSCAPE_TAMPERED, "OpenStudioLandscapes-Flamenco", "image-context")),
      ).toBe(false);
    } finally {
      await tampered.served.close();
    }
  });
});

describe("destroy", () => {
  test("removes the containers and the network; storage, backups and the image stay", async () => {
    const outputs = project.outputs(LANDSCAPE_A);
    const storage = String(outputs.storagePath);
    const destroy = await npmRun("destroy", LANDSCAPE_A);
    const deleted = changedSteps(destroy.events)
      .filter((entry) => entry.startsWith("delete "))
      .map((entry) => entry.slice("delete ".length));
    expect(deleted).toEqual(expect.arrayContaining([`${LANDSCAPE_A}-manager`, `${LANDSCAPE_A}-network`]));
    expect((await dockerCli(["image", "inspect", "--format", "{{.Id}}", String(outputs.imageName)])).trim()).toBe(
      outputs.imageId,
    );
    const containers = (await dockerCli(["ps", "-a", "--format", "{{.Names}}"])).split("\n");
    expect(containers).not.toContain(`flamenco-manager--${LANDSCAPE_A}`);
    const networks = (await dockerCli(["network", "ls", "--format", "{{.Name}}"])).split("\n");
    expect(networks).not.toContain(`openstudiolandscapes-${LANDSCAPE_A}`);
    expect(fs.existsSync(path.join(storage, "flamenco-manager.sqlite"))).toBe(true);
    // The destroy itself took one more backup, after the manager was gone.
    expect(fs.readdirSync(path.join(storage, "backups")).length).toBeGreaterThanOrEqual(2);
  });
});
