/**
 * The real program, applied to a real Docker engine through the engine double
 * (tests/engine/engineDouble.ts, a stand-in for the Pulumi docker and command providers)
 * with a stand-in Flamenco release (tests/engine/fixture/) served on 127.0.0.1.
 * Every assertion looks at the running system from outside.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseSettings } from "../../components/config/settings";
import { renderManagerYaml } from "../../components/render/managerYaml";
import { runProgram, ProgramRun } from "../program/harness";
import { dockerCli, EngineDouble } from "./engineDouble";
import {
  freePort,
  httpGet,
  removeLeftovers,
  requireEngine,
  serveFixtureRelease,
  ServedRelease,
  TEST_LANDSCAPE_PREFIX,
} from "./support";

const LANDSCAPE_A = `${TEST_LANDSCAPE_PREFIX}-a`;
const LANDSCAPE_B = `${TEST_LANDSCAPE_PREFIX}-b`;
const MANAGER_NAME = "Engine Test Farm";

let fixture: ServedRelease;
let landscapesRoot: string;
let double: EngineDouble;
let portA: number;
let portB: number;
let runA: ProgramRun;

function stackConfig(landscape: string, port: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    landscape,
    landscapesRoot,
    flamencoRelease: { url: fixture.archiveUrl, sha256: fixture.release.sha256 },
    managerPortHost: port,
    managerBindAddress: "127.0.0.1",
    manager: { managerName: MANAGER_NAME },
    ...extra,
  };
}

async function up(
  landscape: string,
  port: number,
  extra: Record<string, unknown> = {},
  engine: EngineDouble = double,
): Promise<ProgramRun> {
  return runProgram({ config: stackConfig(landscape, port, extra), stack: landscape, newResource: engine.newResource });
}

/** Runs a shell script in a throw-away container on the landscape network. */
async function onNetwork(network: string, script: string): Promise<string> {
  return dockerCli(["run", "--rm", "--network", network, "debian:bookworm-slim", "bash", "-c", script]);
}

function versionRequest(host: string, port: number): string {
  return `exec 3<>/dev/tcp/${host}/${port} && printf 'GET /api/v3/version HTTP/1.0\\r\\nHost: ${host}\\r\\n\\r\\n' >&3 && cat <&3`;
}

beforeAll(async () => {
  await requireEngine();
  await removeLeftovers([LANDSCAPE_A, LANDSCAPE_B, `${TEST_LANDSCAPE_PREFIX}-tampered`]);
  fixture = await serveFixtureRelease();
  landscapesRoot = fs.mkdtempSync(path.join(os.tmpdir(), "flamenco-landscapes-"));
  double = new EngineDouble();
  portA = await freePort();
  portB = await freePort();
  runA = await up(LANDSCAPE_A, portA);
});

afterAll(async () => {
  await double?.destroy();
  await fixture?.served.close();
});

describe("pulumi up of one landscape", () => {
  test("fetched the release over HTTP once, verified against the sha256 the config pins", () => {
    expect(fixture.archiveRequests()).toBe(1);
    // An http:// release needs a pinned sha256: a checksum list over http proves nothing.
    expect(fixture.checksumRequests()).toBe(0);
    const cached = JSON.parse(double.commandRuns.find((entry) => entry.name.endsWith("-release-fetch"))!.stdout) as {
      archive: string;
      sha256: string;
    };
    expect(cached.sha256).toBe(fixture.release.sha256);
    expect(fs.existsSync(cached.archive)).toBe(true);
  });

  test("the image holds the binaries of the fixture release", async () => {
    const sums = await dockerCli([
      "run",
      "--rm",
      "--network",
      "none",
      String(runA.outputs.imageId),
      "sha256sum",
      "/app/flamenco-manager",
      "/app/flamenco-worker",
    ]);
    expect(sums).toContain(`${fixture.release.managerBinarySha256}  /app/flamenco-manager`);
    expect(sums).toContain(`${fixture.release.workerBinarySha256}  /app/flamenco-worker`);
    const user = await dockerCli(["run", "--rm", "--network", "none", String(runA.outputs.imageId), "id", "-u"]);
    expect(user.trim()).toBe("1000");
  });

  test("the manager answers on the published port with the configured name", async () => {
    const response = await httpGet(`http://127.0.0.1:${portA}/api/v3/version`);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ name: MANAGER_NAME, version: "3.7" });
    expect(runA.outputs.managerLocalUrl).toBe(`http://127.0.0.1:${portA}`);
  });

  test("workers on the landscape network reach it by its alias and by its FQDN", async () => {
    const network = String(runA.outputs.networkName);
    const byAlias = await onNetwork(network, versionRequest("flamenco-manager", 8080));
    const byFqdn = await onNetwork(network, versionRequest("flamenco-manager.openstudiolandscapes.lan", 8080));
    for (const answer of [byAlias, byFqdn]) {
      expect(answer).toMatch(/^HTTP\/1\.[01] 200/);
      expect(answer).toContain(`"name":"${MANAGER_NAME}"`);
    }
  });

  test("the config file in the container is read-only and equals the rendered flamenco-manager.yaml", async () => {
    const container = String(runA.outputs.managerContainerName);
    const inside = await dockerCli(["exec", container, "cat", "/app/flamenco-manager.yaml"]);
    const settings = parseSettings(stackConfig(LANDSCAPE_A, portA), {
      stack: LANDSCAPE_A,
      homeDirectory: os.homedir(),
    });
    expect(inside).toBe(renderManagerYaml(settings));
    expect(fs.readFileSync(String(runA.outputs.configFile), "utf8")).toBe(inside);
    // Even root inside the container cannot change it: the mount itself is read-only.
    await expect(
      dockerCli(["exec", "--user", "0", container, "sh", "-c", "echo tampered >> /app/flamenco-manager.yaml"]),
    ).rejects.toThrow(/Read-only file system/);
    const mounts = JSON.parse(await dockerCli(["inspect", "--format", "{{json .Mounts}}", container])) as {
      Destination: string;
      RW: boolean;
    }[];
    expect(mounts.find((mount) => mount.Destination === "/app/flamenco-manager.yaml")).toMatchObject({ RW: false });
  });
});

describe("storage", () => {
  test("the database is in the host storage directory and survives a container replacement", async () => {
    const database = path.join(String(runA.outputs.storagePath), "flamenco-manager.sqlite");
    expect(fs.existsSync(database)).toBe(true);
    const before = fs.readFileSync(database, "utf8");
    const oldContainer = double.appliedId("docker:index/container:Container", `${LANDSCAPE_A}-manager`);

    runA = await up(LANDSCAPE_A, portA, { environment: { RENDER_QUEUE: "night" } });

    const newContainer = double.appliedId("docker:index/container:Container", `${LANDSCAPE_A}-manager`);
    expect(newContainer).not.toBe(oldContainer);
    const env = await dockerCli([
      "inspect",
      "--format",
      "{{json .Config.Env}}",
      String(runA.outputs.managerContainerName),
    ]);
    expect(env).toContain("RENDER_QUEUE=night");
    const after = fs.readFileSync(database, "utf8");
    expect(after.startsWith(before)).toBe(true);
    expect(after.length).toBeGreaterThan(before.length);
    expect((await httpGet(`http://127.0.0.1:${portA}/api/v3/version`)).status).toBe(200);
  });
});

describe("the release cache", () => {
  test("a second landscape with the same release downloads nothing, and both run side by side", async () => {
    const downloadsBefore = fixture.archiveRequests() + fixture.checksumRequests();
    const runB = await up(LANDSCAPE_B, portB);
    expect(fixture.archiveRequests() + fixture.checksumRequests()).toBe(downloadsBefore);
    const fetchB = double.commandRuns.filter((entry) => entry.name === `${LANDSCAPE_B}-release-fetch`);
    expect(fetchB).toHaveLength(1);
    expect(JSON.parse(fetchB[0].stdout)).toMatchObject({ downloaded: false, sha256: fixture.release.sha256 });

    expect(runB.outputs.managerContainerName).not.toBe(runA.outputs.managerContainerName);
    expect(runB.outputs.networkName).not.toBe(runA.outputs.networkName);
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

  test("a tampered archive fails with url, expected and actual digest, and leaves no cache entry", async () => {
    const tampered = await serveFixtureRelease("3.6");
    try {
      fs.appendFileSync(tampered.release.tarballPath, "tampered");
      const engine = new EngineDouble();
      const landscape = `${TEST_LANDSCAPE_PREFIX}-tampered`;
      let failure: unknown;
      try {
        await runProgram({
          config: {
            ...stackConfig(landscape, await freePort()),
            flamencoVersion: "3.6",
            flamencoRelease: { url: tampered.archiveUrl, sha256: tampered.release.sha256 },
          },
          stack: landscape,
          newResource: engine.newResource,
        });
      } catch (error) {
        failure = error;
      } finally {
        await engine.destroy();
      }
      const message = String((failure as Error | undefined)?.message);
      expect(message).toContain(tampered.archiveUrl);
      expect(message).toContain(`expected sha256 ${tampered.release.sha256}`);
      const actual = crypto
        .createHash("sha256")
        .update(fs.readFileSync(tampered.release.tarballPath))
        .digest("hex") as string;
      expect(message).toContain(`got ${actual}`);
      const cacheRoot = path.join(landscapesRoot, ".cache", "flamenco-releases");
      const entries = fs.readdirSync(cacheRoot);
      expect(entries).toHaveLength(1); // only the good release of the earlier tests
      expect(entries.some((entry) => entry.includes("partial"))).toBe(false);
      expect(
        fs.existsSync(path.join(landscapesRoot, landscape, "OpenStudioLandscapes-Flamenco", "image-context")),
      ).toBe(false);
    } finally {
      await tampered.served.close();
    }
  });
});

describe("teardown", () => {
  test("destroy leaves no container or network of the test behind; the image stays, as the provider leaves it", async () => {
    const storage = String(runA.outputs.storagePath);
    await double.destroy();
    expect((await dockerCli(["image", "inspect", "--format", "{{.Id}}", String(runA.outputs.imageName)])).trim()).toBe(
      runA.outputs.imageId,
    );
    const ours = [LANDSCAPE_A, LANDSCAPE_B, `${TEST_LANDSCAPE_PREFIX}-tampered`];
    const containers = (await dockerCli(["ps", "-a", "--format", "{{.Names}}"])).split("\n");
    expect(containers.filter((name) => ours.some((landscape) => name === `flamenco-manager--${landscape}`))).toEqual(
      [],
    );
    const networks = (await dockerCli(["network", "ls", "--format", "{{.Name}}"])).split("\n");
    expect(networks.filter((name) => ours.some((landscape) => name === `openstudiolandscapes-${landscape}`))).toEqual(
      [],
    );
    // Kept because the program declares nothing that deletes it
    // (see "destroy deletes no storage" in tests/program/suites/landscape.ts).
    expect(fs.existsSync(path.join(storage, "flamenco-manager.sqlite"))).toBe(true);
  });
});
