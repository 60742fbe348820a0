/**
 * A manager that never becomes healthy: the stand-in listens on another port than the one
 * the program configured (FLAMENCO_STANDIN_LISTEN), so every health check is refused.
 * `pulumi up` must fail on the manager container, as the docker provider fails it, and
 * leave the container for inspection.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MANAGER_WAIT_TIMEOUT_SECONDS } from "../../components/render/container";
import { runProgram } from "../program/harness";
import { dockerCli, EngineDouble } from "./engineDouble";
import { removeLeftovers, requireEngine, serveFixtureRelease, ServedRelease } from "./support";

const LANDSCAPE = "tq-unhealthy";
const HOST_PORT = 18701;
const CONTAINER = `flamenco-manager--${LANDSCAPE}`;

let fixture: ServedRelease;
let landscapesRoot: string;
let double: EngineDouble;

interface Health {
  Status: string;
  Log: { ExitCode: number; Output: string }[];
}

beforeAll(async () => {
  await requireEngine();
  await removeLeftovers([LANDSCAPE]);
  fixture = await serveFixtureRelease();
  landscapesRoot = fs.mkdtempSync(path.join(os.tmpdir(), "tq-landscapes-"));
  double = new EngineDouble();
});

afterAll(async () => {
  await double?.destroy();
  await fixture?.served.close();
  fs.rmSync(landscapesRoot, { recursive: true, force: true });
});

test("up fails on the manager container with the provider's error, after the whole wait timeout, and leaves the container to inspect", async () => {
  const started = Date.now();
  const up = double.update(() =>
    runProgram({
      stack: LANDSCAPE,
      newResource: double.newResource,
      config: {
        landscape: LANDSCAPE,
        landscapesRoot,
        flamencoRelease: { url: fixture.archiveUrl, sha256: fixture.release.sha256 },
        managerPortHost: HOST_PORT,
        managerBindAddress: "127.0.0.1",
        environment: { FLAMENCO_STANDIN_LISTEN: ":8081" },
      },
    }),
  );
  await expect(up).rejects.toThrow(
    `docker:index/container:Container (${LANDSCAPE}-manager):\n    error: container failed to be in healthy state`,
  );
  expect(Date.now() - started).toBeGreaterThanOrEqual(MANAGER_WAIT_TIMEOUT_SECONDS * 1000);

  // What `docker inspect` shows the admin: the container, unhealthy, and why its last check failed.
  const health = JSON.parse(await dockerCli(["inspect", "--format", "{{json .State.Health}}", CONTAINER])) as Health;
  expect(health.Status).toBe("unhealthy");
  const last = health.Log[health.Log.length - 1];
  expect(last.ExitCode).toBe(1);
  expect(last.Output).toContain("/dev/tcp/127.0.0.1/8080: Connection refused");
  const logs = await dockerCli(["logs", CONTAINER]);
  expect(logs).toContain("listening on :8081");
});

test("destroy removes the container the failed update left", async () => {
  await double.destroy();
  const containers = (await dockerCli(["ps", "-a", "--format", "{{.Names}}"])).split("\n");
  expect(containers).not.toContain(CONTAINER);
});
