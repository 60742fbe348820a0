/**
 * A manager that never becomes healthy: the stand-in listens on another port than the one the
 * program configured (FLAMENCO_STANDIN_LISTEN, a knob of the stand-in only), so every health
 * check is refused. `npm run up` must fail on the manager container after the whole wait
 * timeout, with the docker provider's error, and leave the container to inspect.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MANAGER_WAIT_TIMEOUT_SECONDS } from "../../components/render/container";
import { ProjectCopy } from "./project";
import { dockerCli, freePort, removeLeftovers, requireEngine, serveFixtureRelease, ServedRelease } from "./support";

const LANDSCAPE = "tq-unhealthy";
const CONTAINER = `flamenco-manager--${LANDSCAPE}`;

let project: ProjectCopy;
let fixture: ServedRelease;
let landscapesRoot: string;

interface Health {
  Status: string;
  Log: { ExitCode: number; Output: string }[];
}

beforeAll(async () => {
  await requireEngine();
  await removeLeftovers([LANDSCAPE]);
  project = await ProjectCopy.create("unhealthy");
  fixture = await serveFixtureRelease();
  landscapesRoot = fs.mkdtempSync(path.join(os.tmpdir(), "tq-landscapes-"));
});

afterAll(async () => {
  await fixture?.served.close();
  project?.remove();
  fs.rmSync(landscapesRoot, { recursive: true, force: true });
});

test("up fails on the manager container with the provider's error, after the whole wait timeout, and leaves the container to inspect", async () => {
  project.writeStackConfig(LANDSCAPE, {
    landscape: LANDSCAPE,
    landscapesRoot,
    flamencoRelease: { url: fixture.archiveUrl, sha256: fixture.release.sha256 },
    managerPortHost: await freePort(),
    managerBindAddress: "127.0.0.1",
    environment: { FLAMENCO_STANDIN_LISTEN: ":8081" },
  });
  const started = Date.now();
  const up = await project.npmRun("up", LANDSCAPE);
  expect(up.code).not.toBe(0);
  const output = up.stdout + up.stderr;
  expect(output).toContain(`docker:index:Container (${LANDSCAPE}-manager):`);
  expect(output).toContain("container failed to be in healthy state");
  expect(Date.now() - started).toBeGreaterThanOrEqual(MANAGER_WAIT_TIMEOUT_SECONDS * 1000);

  // What `docker inspect` shows the admin: the container, unhealthy, and why its last check failed.
  const health = JSON.parse(await dockerCli(["inspect", "--format", "{{json .State.Health}}", CONTAINER])) as Health;
  expect(health.Status).toBe("unhealthy");
  const last = health.Log[health.Log.length - 1];
  expect(last.ExitCode).toBe(1);
  expect(last.Output).toContain("/dev/tcp/127.0.0.1/8080: Connection refused");
  // The engine kept the container in the state, so destroy can remove it.
  expect(
    project
      .stateResources(LANDSCAPE)
      .some(
        (resource) =>
          resource.type === "docker:index/container:Container" && resource.urn.endsWith(`::${LANDSCAPE}-manager`),
      ),
  ).toBe(true);
});

test("destroy removes the container the failed update left", async () => {
  const destroy = await project.npmRun("destroy", LANDSCAPE);
  expect(destroy.code).toBe(0);
  const containers = (await dockerCli(["ps", "-a", "--format", "{{.Names}}"])).split("\n");
  expect(containers).not.toContain(CONTAINER);
});
