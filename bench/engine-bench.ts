/**
 * Benchmark of `pulumi up` on the stand-in fixture release (tests/engine/fixture/), applied
 * to the local Docker engine through the engine double. Prints figures; asserts nothing.
 *
 *   (a) cold: program start to a healthy manager, with empty release cache and build cache,
 *       next to the floor: the same build context built with a plain `docker build` and
 *       the same container started and waited for until healthy, without the program;
 *   (b) warm re-run: a fresh deployment of the same landscape with the cache in place:
 *       downloads made and whether the image build came from the build cache.
 *
 * Needs the engine: `npm run engine:setup`, then `npm run bench`.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { managerHealthcheck } from "../components/render/container";
import { dockerCli, EngineDouble, engineHealthcheck } from "../tests/engine/engineDouble";
import { freePort, removeLeftovers, requireEngine, serveFixtureRelease } from "../tests/engine/support";
import { runProgram } from "../tests/program/harness";

const LANDSCAPE = "enginetest-bench";

function seconds(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(2)} s`;
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; milliseconds: number }> {
  const started = process.hrtime.bigint();
  const result = await work();
  return { result, milliseconds: Number(process.hrtime.bigint() - started) / 1e6 };
}

async function emptyBuildCache(): Promise<void> {
  await dockerCli(["builder", "prune", "--all", "--force"]);
}

/** The floor: plain `docker build` of the staged context, then the container up to healthy. */
async function floor(
  double: EngineDouble,
  context: string,
  sha256: string,
  port: number,
  root: string,
): Promise<number> {
  const imageName = "flamenco-bench-floor:latest";
  const storage = fs.mkdtempSync(path.join(root, "floor-storage-"));
  const shared = fs.mkdtempSync(path.join(root, "floor-shared-"));
  const config = path.join(root, LANDSCAPE, "OpenStudioLandscapes-Flamenco", "flamenco-manager.yaml");
  fs.chownSync(storage, 1000, 1000);
  const { milliseconds } = await timed(async () => {
    await dockerCli(["build", "-q", "-t", imageName, "--build-arg", `FLAMENCO_RELEASE_SHA256=${sha256}`, context]);
    const container = await double.docker.createContainer({
      name: "flamenco-bench-floor",
      Image: imageName,
      Cmd: ["/app/flamenco-manager"],
      ExposedPorts: { "8080/tcp": {} },
      Healthcheck: engineHealthcheck(managerHealthcheck(8080)),
      HostConfig: {
        Binds: [
          `${config}:/app/flamenco-manager.yaml:ro`,
          `${storage}:/app/flamenco-manager-storage:rw`,
          `${shared}:/app/flamenco-manager-storage-shared:rw`,
        ],
        PortBindings: { "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: String(port) }] },
      },
    });
    await container.start();
    for (;;) {
      const state = (await container.inspect()).State;
      if (state.Health?.Status === "healthy") break;
      if (!state.Running) throw new Error("floor container stopped");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  await dockerCli(["rm", "-f", "flamenco-bench-floor"]);
  await dockerCli(["image", "rm", "-f", imageName]);
  return milliseconds;
}

async function main(): Promise<void> {
  await requireEngine();
  await removeLeftovers([LANDSCAPE]);
  const fixture = await serveFixtureRelease();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "flamenco-bench-"));
  const config = {
    landscape: LANDSCAPE,
    landscapesRoot: root,
    flamencoRelease: { url: fixture.archiveUrl, sha256: fixture.release.sha256 },
    managerPortHost: await freePort(),
    managerBindAddress: "127.0.0.1",
  };
  try {
    await emptyBuildCache();
    const cold = new EngineDouble();
    const coldRun = await timed(() => runProgram({ config, stack: LANDSCAPE, newResource: cold.newResource }));
    const coldDownloads = fixture.archiveRequests() + fixture.checksumRequests();
    const fetched = JSON.parse(cold.commandRuns.find((run) => run.name.endsWith("-release-fetch"))?.stdout ?? "{}") as {
      context: string;
      sha256: string;
    };
    await cold.destroy();

    const warm = new EngineDouble();
    const warmRun = await timed(() => runProgram({ config, stack: LANDSCAPE, newResource: warm.newResource }));
    const warmDownloads = fixture.archiveRequests() + fixture.checksumRequests() - coldDownloads;
    const warmCached = warm.imageBuilds.every((build) => build.fullyCached);
    await warm.destroy();

    await emptyBuildCache();
    const floorMilliseconds = await floor(cold, fetched.context, fetched.sha256, await freePort(), root);

    const rows: [string, string][] = [
      ["fixture archive", `${(fs.statSync(fixture.release.tarballPath).size / 1048576).toFixed(2)} MiB`],
      ["(a) cold up to healthy manager", seconds(coldRun.milliseconds)],
      ["    floor: docker build + run to healthy", seconds(floorMilliseconds)],
      ["    ratio cold / floor", (coldRun.milliseconds / floorMilliseconds).toFixed(2)],
      ["    downloads (archive + checksum list)", String(coldDownloads)],
      ["(b) warm re-run up to healthy manager", seconds(warmRun.milliseconds)],
      ["    downloads", String(warmDownloads)],
      ["    image build from cache", warmCached ? "yes, every step" : "no"],
    ];
    const width = Math.max(...rows.map(([label]) => label.length));
    console.log("Flamenco landscape benchmark (stand-in release, local engine)");
    for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);
  } finally {
    await fixture.served.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
