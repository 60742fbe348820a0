import * as childProcess from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import type { AddressInfo } from "net";
import { parseSettings, Settings } from "../../components/config/settings";
import type { ContainerSpec } from "../../components/render/containerSpec";
import {
  managerCommand,
  managerContainerSpec,
  managerEnvironment,
  managerHealthcheck,
  recordVersionThenRun,
} from "../../components/render/container";
import { workerContainerSpec } from "../../components/render/workers";

const HOME = "/home/artist";
const FEATURE = `${HOME}/.openstudiolandscapes/landscapes/dev/OpenStudioLandscapes-Flamenco`;

function settingsOf(raw: Record<string, unknown> = {}): Settings {
  return parseSettings(raw, { stack: "dev", homeDirectory: HOME });
}

describe("managerContainerSpec", () => {
  // Computed per test (not while collecting tests), so mutation testing runs only the tests that use it.
  let spec: ReturnType<typeof managerContainerSpec>;
  beforeEach(() => {
    spec = managerContainerSpec(settingsOf());
  });

  it("names the container and its host after the landscape and domain", () => {
    expect(spec.name).toBe("flamenco-manager--dev");
    expect(spec.hostname).toBe("flamenco-manager.openstudiolandscapes.lan");
    expect(managerContainerSpec(settingsOf({ landscape: "studio-a" })).name).toBe("flamenco-manager--studio-a");
  });

  it("publishes the container port on the bind address", () => {
    expect(spec.ports).toEqual([{ internal: 8080, external: 8484, ip: "0.0.0.0" }]);
    const custom = managerContainerSpec(
      settingsOf({ managerPortHost: 9000, managerPortContainer: 9090, managerBindAddress: "127.0.0.1" }),
    );
    expect(custom.ports).toEqual([{ internal: 9090, external: 9000, ip: "127.0.0.1" }]);
  });

  it("mounts the yaml read-only and both storages read-write, at the expanded host paths", () => {
    expect(spec.volumes).toEqual([
      { hostPath: `${FEATURE}/flamenco-manager.yaml`, containerPath: "/app/flamenco-manager.yaml", readOnly: true },
      { hostPath: `${FEATURE}/storage`, containerPath: "/app/flamenco-manager-storage", readOnly: false },
      { hostPath: `${FEATURE}/shared_storage`, containerPath: "/app/flamenco-manager-storage-shared", readOnly: false },
    ]);
    const custom = managerContainerSpec(settingsOf({ storage: "~/db/{LANDSCAPE}", sharedStorage: "/mnt/shared" }));
    expect(custom.volumes.map((volume) => volume.hostPath)).toEqual([
      `${FEATURE}/flamenco-manager.yaml`,
      `${HOME}/db/dev`,
      "/mnt/shared",
    ]);
  });

  it("joins the landscape network under the short alias and the FQDN", () => {
    expect(spec.networksAdvanced).toEqual([
      { name: "openstudiolandscapes-dev", aliases: ["flamenco-manager", "flamenco-manager.openstudiolandscapes.lan"] },
    ]);
    const custom = managerContainerSpec(
      settingsOf({ network: { name: "studio-net", alias: "farm", domain: "studio.lan" } }),
    );
    expect(custom.networksAdvanced).toEqual([{ name: "studio-net", aliases: ["farm", "farm.studio.lan"] }]);
  });

  it("sets TZ first, then the extra variables sorted by name", () => {
    const custom = managerContainerSpec(
      settingsOf({ timezone: "Europe/Zurich", environment: { ZETA: "z", ALPHA: "a", MIDDLE: 2 } }),
    );
    expect(custom.envs).toEqual(["TZ=Europe/Zurich", "ALPHA=a", "MIDDLE=2", "ZETA=z"]);
    expect(spec.envs).toEqual(["TZ=UTC"]);
  });

  it("uses the configured restart policy, always by default", () => {
    expect(spec.restart).toBe("always");
    expect(managerContainerSpec(settingsOf({ restart: "unless-stopped" })).restart).toBe("unless-stopped");
  });

  it("runs the manager with the log-level flag, after recording its version", () => {
    expect(spec.command.slice(-1)).toEqual(["/app/flamenco-manager"]);
    expect(spec.command[2]).toContain("'3.7'");
    expect(managerContainerSpec(settingsOf({ logLevel: "debug" })).command.slice(-2)).toEqual([
      "/app/flamenco-manager",
      "-debug",
    ]);
  });

  it("gives the manager 30 s to stop after SIGTERM before it is killed, so it closes its database", () => {
    expect(spec.destroyGraceSeconds).toBe(30);
  });

  it("waits for the manager to be healthy, for 90 s", () => {
    expect(spec.wait).toBe(true);
    expect(spec.waitTimeout).toBe(90);
  });

  it("checks health every second, 3 s per probe, 20 retries after a 10 s start period, on the container port", () => {
    expect(spec.healthcheck).toEqual({
      tests: [
        "CMD",
        "bash",
        "-c",
        "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /api/v3/version HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '",
      ],
      interval: "1s",
      timeout: "3s",
      startPeriod: "10s",
      retries: 20,
    });
    expect(managerContainerSpec(settingsOf({ managerPortContainer: 9090 })).healthcheck.tests[3]).toContain(
      "/dev/tcp/127.0.0.1/9090 ",
    );
  });

  it("waits long enough for Docker to decide: start period, every retry and the last probe's timeout", () => {
    // Docker marks the container unhealthy only after the start period and `retries` failed
    // probes `interval` apart, the last one taking up to `timeout`. A shorter wait gives up
    // before Docker has decided, so a slow but healthy manager would fail `up`.
    const seconds = (duration: string): number => {
      const match = /^(\d+)s$/.exec(duration);
      if (match === null) throw new Error(`not a duration in seconds: ${duration}`);
      return Number(match[1]);
    };
    const { startPeriod, interval, retries, timeout } = spec.healthcheck;
    const decidedAfter = seconds(startPeriod) + seconds(interval) * retries + seconds(timeout);
    expect(decidedAfter).toBe(33);
    expect(spec.waitTimeout).toBeGreaterThan(decidedAfter);
  });

  it("labels the container with its landscape", () => {
    expect(spec.labels).toContainEqual({ label: "org.openstudiolandscapes.landscape", value: "dev" });
  });

  it("labels the container with the Flamenco version it runs, for the restore script", () => {
    expect(spec.labels).toContainEqual({ label: "org.openstudiolandscapes.flamenco.version", value: "3.7" });
    expect(managerContainerSpec(settingsOf({ flamencoVersion: "3.6" })).labels).toContainEqual({
      label: "org.openstudiolandscapes.flamenco.version",
      value: "3.6",
    });
  });

  it("does not depend on the order the environment is written in", () => {
    expect(managerContainerSpec(settingsOf({ environment: { B: "1", A: "2" } })).envs).toEqual([
      "TZ=UTC",
      "A=2",
      "B=1",
    ]);
    expect(managerContainerSpec(settingsOf({ environment: { A: "2", B: "1" } })).envs).toEqual([
      "TZ=UTC",
      "A=2",
      "B=1",
    ]);
  });
});

describe("managerCommand", () => {
  const record =
    "printf '%s\\n' '3.6' > '/app/flamenco-manager-storage/flamenco-manager.sqlite.version.partial' && mv -f '/app/flamenco-manager-storage/flamenco-manager.sqlite.version.partial' '/app/flamenco-manager-storage/flamenco-manager.sqlite.version' && exec \"$@\"";
  it.each([
    ["quiet", ["/app/flamenco-manager", "-quiet"]],
    ["info", ["/app/flamenco-manager"]],
    ["debug", ["/app/flamenco-manager", "-debug"]],
    ["trace", ["/app/flamenco-manager", "-trace"]],
  ] as const)("%s: records the version beside the database, then runs the manager", (level, command) => {
    expect(managerCommand(level, "3.6")).toEqual(["/bin/sh", "-c", record, "flamenco-manager", ...command]);
  });

  it("is the container's command, with the stack's Flamenco version", () => {
    expect(managerContainerSpec(settingsOf({ flamencoVersion: "3.6" })).command).toEqual(managerCommand("info", "3.6"));
  });
});

describe("recordVersionThenRun", () => {
  let directory: string;
  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "record-version-"));
  });
  afterEach(() => fs.rmSync(directory, { recursive: true, force: true }));

  it("writes the version file whole, then runs the command in place of the shell with its arguments", () => {
    const versionFile = path.join(directory, "flamenco-manager.sqlite.version");
    fs.writeFileSync(versionFile, "3.7\n");
    const [program, ...args] = recordVersionThenRun(versionFile, "3.6", [
      "/bin/sh",
      "-c",
      'echo "pid $$ args $*"; cat "$0"',
      versionFile,
      "-debug",
    ]);
    const run = childProcess.spawnSync(program, args, { encoding: "utf8" });
    expect(run.status).toBe(0);
    expect(fs.readFileSync(versionFile, "utf8")).toBe("3.6\n");
    expect(fs.readdirSync(directory)).toEqual(["flamenco-manager.sqlite.version"]);
    // exec: the command runs as the shell's own process (the PID Docker signals), with its arguments.
    expect(run.stdout).toBe(`pid ${run.pid} args -debug\n3.6\n`);
  });

  it("does not run the command when the version cannot be recorded", () => {
    const versionFile = path.join(directory, "missing-directory", "flamenco-manager.sqlite.version");
    const [program, ...args] = recordVersionThenRun(versionFile, "3.6", ["/bin/sh", "-c", "echo ran"]);
    const run = childProcess.spawnSync(program, args, { encoding: "utf8" });
    expect(run.status).not.toBe(0);
    expect(run.stdout).toBe("");
  });
});

/**
 * Serves `status` on GET /api/v3/version and 404 on anything else, on 127.0.0.1: a health
 * check asking another path never sees the 200.
 */
async function managerDouble(status: number): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    response.writeHead(request.method === "GET" && request.url === "/api/v3/version" ? status : 404);
    response.end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

function portOf(server: http.Server): number {
  return (server.address() as AddressInfo).port;
}

/** Runs the health check's command as Docker would (without the CMD marker); its exit code. */
function runHealthcheck(port: number): Promise<number> {
  const [marker, program, ...args] = managerHealthcheck(port).tests;
  expect(marker).toBe("CMD");
  return new Promise((resolve) => {
    childProcess.execFile(program, args, { timeout: 10000 }, (error) => {
      resolve(error === null ? 0 : typeof error.code === "number" ? error.code : -1);
    });
  });
}

describe("managerHealthcheck, run against a stand-in manager on 127.0.0.1", () => {
  const servers: http.Server[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  async function serving(status: number): Promise<number> {
    const server = await managerDouble(status);
    servers.push(server);
    return portOf(server);
  }

  it("succeeds when GET /api/v3/version answers 200", async () => {
    expect(await runHealthcheck(await serving(200))).toBe(0);
  });

  it("fails when the manager answers 500", async () => {
    expect(await runHealthcheck(await serving(500))).toBe(1);
  });

  it("fails when nothing listens on the port", async () => {
    const closed = await managerDouble(200);
    const port = portOf(closed);
    await new Promise((resolve) => closed.close(resolve));
    expect(await runHealthcheck(port)).toBe(1);
  });

  it("needs neither curl nor wget", () => {
    expect(managerHealthcheck(8080).tests.join(" ")).not.toMatch(/\bcurl\b|\bwget\b/);
  });
});

describe("managerEnvironment", () => {
  it("never lets an extra variable come before TZ", () => {
    expect(managerEnvironment({ timezone: "UTC", environment: { AAA: "1" } })[0]).toBe("TZ=UTC");
  });
});

const farmSettings = parseSettings(
  {
    landscape: "farm",
    workers: [{ name: "render-01", dockerHost: "tcp://render-01:2376", count: 1, sharedStorage: "/mnt/p" }],
  },
  {
    stack: "farm",
    homeDirectory: "/home/artist",
  },
);

// The container renderers are typed against the docker provider's container inputs: `tsc` (the
// first step of `npm test`) rejects a field docker.Container does not have. The
// `@ts-expect-error` lines fail the type check if that ever stops being true.
describe("ContainerSpec", () => {
  it("accepts the provider's fields and rejects others, misspelt or misplaced", () => {
    const valid = { name: "a", hostname: "b", restart: "always" } satisfies ContainerSpec;
    // @ts-expect-error hostName is not a docker.Container input (it is `hostname`)
    const misspelt = { name: "a", hostName: "b" } satisfies ContainerSpec;
    // @ts-expect-error `skipPush` belongs to docker.Image, not to a container
    const misplaced = { name: "a", skipPush: true } satisfies ContainerSpec;
    // @ts-expect-error the image is added by the Pulumi layer, never by a renderer
    const withImage = { name: "a", image: "debian" } satisfies ContainerSpec;
    expect([valid, misspelt, misplaced, withImage].map((spec) => spec.name)).toEqual(["a", "a", "a", "a"]);
  });

  it("the manager and worker specs are ContainerSpecs", () => {
    const specs: ContainerSpec[] = [
      managerContainerSpec(farmSettings),
      workerContainerSpec(farmSettings, farmSettings.workers[0], 1),
    ];
    expect(specs.map((spec) => spec.name)).toEqual(["flamenco-manager--farm", "farm-render-01-1"]);
  });
});
