/**
 * Every value the program hands Flamenco, as docs/flamenco-values.md lists it: the rendered
 * value, where Flamenco 3.7 resolves it inside the container, and the mount it lands on. The
 * expected values are literals read off Flamenco's source (the table cites it), not computed
 * by the code under test.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { isWithin, resolveFlamencoPath, valueNextToExecutable } from "../../components/config/flamencoPaths";
import { parseSettings, Settings } from "../../components/config/settings";
import { managerContainerSpec } from "../../components/render/container";
import { renderManagerYaml } from "../../components/render/managerYaml";
import { FLAMENCO_PROCESS_DIRECTORIES } from "../../components/render/names";
import { workerContainerSpec } from "../../components/render/workers";

const HOME = "/home/artist";
const FEATURE = `${HOME}/.openstudiolandscapes/landscapes/dev/OpenStudioLandscapes-Flamenco`;
const APP = { executableDirectory: "/app", workingDirectory: "/app" };

function settingsOf(raw: Record<string, unknown> = {}): Settings {
  return parseSettings({ workers: [{ name: "local", count: 1 }], ...raw }, { stack: "dev", homeDirectory: HOME });
}

type Doc = Record<string, unknown> & {
  shaman: { enabled: boolean; garbageCollect: { extraCheckoutPaths: string[] } };
  variables: Record<string, { values: { platform?: string; value: string }[] }>;
};

function managerDocument(raw: Record<string, unknown> = {}): Doc {
  return parse(renderManagerYaml(settingsOf(raw))) as Doc;
}

/** The host directory mounted where `containerPath` lies, in a container spec's volumes. */
function mountOf(volumes: readonly { hostPath: string; containerPath: string }[], containerPath: string): string {
  const mounts = volumes.filter((volume) => isWithin(volume.containerPath, containerPath));
  if (mounts.length !== 1) throw new Error(`${containerPath} lies in ${mounts.length} mounts`);
  return mounts[0].hostPath;
}

describe("how Flamenco 3.7 resolves the paths it reads", () => {
  it("joins a path next to its executable even when the path is absolute (/app + /app/x is /app/app/x)", () => {
    expect(resolveFlamencoPath("next-to-executable", "/app/flamenco-manager-storage", APP)).toBe(
      "/app/app/flamenco-manager-storage",
    );
    expect(resolveFlamencoPath("next-to-executable", "flamenco-manager-storage", APP)).toBe(
      "/app/flamenco-manager-storage",
    );
    expect(resolveFlamencoPath("next-to-executable", "./a/../b/", APP)).toBe("/app/b");
  });

  it("opens a path from the working directory: absolute stays, relative joins", () => {
    const where = { executableDirectory: "/opt/flamenco", workingDirectory: "/srv/work" };
    expect(resolveFlamencoPath("working-directory", "/data/x.sqlite", where)).toBe("/data/x.sqlite");
    expect(resolveFlamencoPath("working-directory", "x.sqlite", where)).toBe("/srv/work/x.sqlite");
    // Cleaned as Go's filepath.Clean: no trailing slash, but the root stays "/".
    expect(resolveFlamencoPath("working-directory", "/data/shared/", where)).toBe("/data/shared");
    expect(resolveFlamencoPath("working-directory", "/", where)).toBe("/");
  });

  it("gives the relative value that lands on a target below the executable, and none outside it", () => {
    expect(valueNextToExecutable("/app", "/app/flamenco-manager-storage")).toBe("flamenco-manager-storage");
    expect(valueNextToExecutable("/app", "/srv/storage")).toBeUndefined();
    expect(valueNextToExecutable("/app", "/app")).toBeUndefined();
  });

  it("tells a path inside a directory from one beside or above it", () => {
    expect(isWithin("/app/shared", "/app/shared")).toBe(true);
    expect(isWithin("/app/shared", "/app/shared/jobs/x")).toBe(true);
    expect(isWithin("/app/shared", "/app/shared-other")).toBe(false);
    expect(isWithin("/app/shared", "/app/shared/../x")).toBe(false);
  });

  it("runs the manager and the workers from /app, the image's working directory and executables' directory", () => {
    expect(FLAMENCO_PROCESS_DIRECTORIES).toEqual(APP);
  });
});

describe("flamenco-manager.yaml, row by row", () => {
  let doc: Doc;
  let settings: Settings;
  let volumes: { hostPath: string; containerPath: string; readOnly: boolean }[];
  beforeEach(() => {
    doc = managerDocument();
    settings = settingsOf();
    volumes = managerContainerSpec(settings).volumes;
  });

  it("(the file): read from the working directory, where the config file is mounted read-only", () => {
    const resolved = resolveFlamencoPath("working-directory", "flamenco-manager.yaml", APP);
    expect(resolved).toBe("/app/flamenco-manager.yaml");
    expect(mountOf(volumes, resolved)).toBe(`${FEATURE}/flamenco-manager.yaml`);
    expect(volumes.find((volume) => volume.containerPath === resolved)?.readOnly).toBe(true);
  });

  it("_meta.version: 3, the only version Flamenco 3.7 loads", () => {
    expect(doc._meta).toEqual({ version: 3 });
  });

  it("database: on the storage mount, WAL files beside it", () => {
    expect(doc.database).toBe("/app/flamenco-manager-storage/flamenco-manager.sqlite");
    const resolved = resolveFlamencoPath("working-directory", String(doc.database), APP);
    expect(mountOf(volumes, resolved)).toBe(`${FEATURE}/storage`);
  });

  it("local_manager_storage_path: relative, so task logs land on the storage mount and not in /app/app", () => {
    expect(doc.local_manager_storage_path).toBe("flamenco-manager-storage");
    const resolved = resolveFlamencoPath("next-to-executable", String(doc.local_manager_storage_path), APP);
    expect(resolved).toBe("/app/flamenco-manager-storage");
    expect(mountOf(volumes, resolved)).toBe(`${FEATURE}/storage`);
  });

  it("shared_storage_path: absolute, on the shared-storage mount; not empty, so no first-run mode", () => {
    expect(doc.shared_storage_path).toBe("/app/flamenco-manager-storage-shared");
    const resolved = resolveFlamencoPath("working-directory", String(doc.shared_storage_path), APP);
    expect(mountOf(volumes, resolved)).toBe(`${FEATURE}/shared_storage`);
  });

  it("shaman.enabled: checkouts and uploads under the shared storage (jobs/, file-store/)", () => {
    expect(doc.shaman.enabled).toBe(true);
    expect(mountOf(volumes, "/app/flamenco-manager-storage-shared/jobs")).toBe(`${FEATURE}/shared_storage`);
    expect(mountOf(volumes, "/app/flamenco-manager-storage-shared/file-store")).toBe(`${FEATURE}/shared_storage`);
  });

  it("shaman.garbageCollect.extraCheckoutPaths: none by default; a configured one is written as given, on the shared mount", () => {
    expect(doc.shaman.garbageCollect.extraCheckoutPaths).toEqual([]);
    const configured = "/app/flamenco-manager-storage-shared/checkouts";
    const written = managerDocument({ manager: { shaman: { garbageCollect: { extraCheckoutPaths: [configured] } } } });
    expect(written.shaman.garbageCollect.extraCheckoutPaths).toEqual([configured]);
    expect(mountOf(volumes, configured)).toBe(`${FEATURE}/shared_storage`);
  });

  it("listen: every interface on the container port, which is the published port's inner side", () => {
    expect(doc.listen).toBe(":8080");
    expect(managerContainerSpec(settings).ports).toEqual([{ internal: 8080, external: 8484, ip: "0.0.0.0" }]);
  });

  it("autodiscoverable: off, since UPnP/SSDP does not cross a Docker bridge", () => {
    expect(doc.autodiscoverable).toBe(false);
  });

  it("database_check_period, task_timeout, worker_timeout: Go durations", () => {
    expect([doc.database_check_period, doc.task_timeout, doc.worker_timeout]).toEqual(["10m", "10m", "1m"]);
  });

  it("blocklist_threshold, task_fail_after_softfail_count: integers", () => {
    expect([doc.blocklist_threshold, doc.task_fail_after_softfail_count]).toEqual([3, 3]);
  });

  it("mqtt.client.broker: not written without manager.mqtt, so Flamenco starts no client", () => {
    expect(doc.mqtt).toBeUndefined();
    const written = managerDocument({ manager: { mqtt: { broker: "tcp://mqtt.studio.lan:1883" } } });
    expect(written.mqtt).toEqual({ client: { broker: "tcp://mqtt.studio.lan:1883" } });
  });

  it("variables.blender: `blender` for linux workers, found on their PATH; the worker image's Blender when it holds one", () => {
    const linux = (document: Doc) =>
      document.variables.blender.values.find((entry) => entry.platform === "linux")?.value;
    expect(linux(doc)).toBe("blender");
    expect(linux(managerDocument({ workerPackages: ["blender"] }))).toBe("/usr/bin/blender");
    expect(linux(managerDocument({ blenderVersion: "4.2.3" }))).toBe("/opt/blender/blender");
  });

  it("variables.blenderArgs: -b -y", () => {
    expect(doc.variables.blenderArgs.values).toEqual([{ platform: "all", audience: "all", value: "-b -y" }]);
  });

  it("variables.jobs: never written, Flamenco sets it itself", () => {
    expect(Object.keys(doc.variables)).not.toContain("jobs");
  });
});

describe("the workers, row by row", () => {
  let settings: Settings;
  let spec: ReturnType<typeof workerContainerSpec>;
  beforeEach(() => {
    settings = settingsOf();
    spec = workerContainerSpec(settings, settings.workers[0], 1);
  });

  it("command: flamenco-worker -manager with the manager's alias and listen port on the landscape network", () => {
    expect(spec.command).toEqual(["flamenco-worker", "-manager", "http://flamenco-manager:8080"]);
    expect(managerContainerSpec(settings).networksAdvanced[0].aliases).toContain("flamenco-manager");
  });

  it("executable: found on PATH in /app, so FFmpeg is found at /app/tools/ffmpeg-linux-amd64 in the image", () => {
    expect(resolveFlamencoPath("next-to-executable", "tools/ffmpeg-linux-amd64", APP)).toBe(
      "/app/tools/ffmpeg-linux-amd64",
    );
  });

  it("FLAMENCO_HOME: the worker's identity directory on its host", () => {
    expect(spec.envs).toContain("FLAMENCO_HOME=/var/lib/flamenco-worker");
    const credentials = resolveFlamencoPath(
      "working-directory",
      "/var/lib/flamenco-worker/flamenco-worker-credentials.yaml",
      APP,
    );
    expect(mountOf(spec.volumes, credentials)).toBe(`${FEATURE}/workers/dev-local-1`);
  });

  it("FLAMENCO_WORKER_NAME: <landscape>-<host>-<n>", () => {
    expect(spec.envs).toContain("FLAMENCO_WORKER_NAME=dev-local-1");
  });

  it("flamenco-worker.yaml: none; it would be read from /app, which holds no such file", () => {
    expect(resolveFlamencoPath("working-directory", "flamenco-worker.yaml", APP)).toBe("/app/flamenco-worker.yaml");
    expect(spec.volumes.map((volume) => volume.containerPath)).not.toContain("/app/flamenco-worker.yaml");
  });

  it("user: managerUser, the owner of the identity directory and of what it writes to shared storage", () => {
    expect(spec.user).toBe("1000:1000");
  });

  it("shared storage: at the manager's path, since tasks carry the manager's paths", () => {
    expect(mountOf(spec.volumes, "/app/flamenco-manager-storage-shared/jobs/x.blend")).toBe(
      `${FEATURE}/shared_storage`,
    );
  });
});

describe("docs/flamenco-values.md", () => {
  const text = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "flamenco-values.md"), "utf8");
  /** First and second cell of every table row below a header. */
  const rows = [...text.matchAll(/^\| (.+?) \| (.+?) \|.*$/gm)]
    .map((match) => [match[1], match[2]])
    .filter(([first]) => !["key", "input", "---"].includes(first));

  it("lists each key with the value the program renders", () => {
    expect(Object.fromEntries(rows)).toEqual({
      "(the file)": "`flamenco-manager.yaml`",
      "`_meta.version`": "`3`",
      "`database`": "`/app/flamenco-manager-storage/flamenco-manager.sqlite`",
      "`local_manager_storage_path`": "`flamenco-manager-storage`",
      "`shared_storage_path`": "`/app/flamenco-manager-storage-shared`",
      "`shaman.enabled`": "`true`",
      "`shaman.garbageCollect.extraCheckoutPaths`": "`[]`",
      "`listen`": "`:8080`",
      "`autodiscoverable`": "`false`",
      "`database_check_period`": "`10m`",
      "`task_timeout`, `worker_timeout`": "`10m`, `1m`",
      "`blocklist_threshold`, `task_fail_after_softfail_count`": "`3`, `3`",
      "`mqtt.client.broker`": "(not written without `manager.mqtt`)",
      "`variables.blender`":
        "`blender` (linux); `/usr/bin/blender` with `workerPackages: [blender]`, `/opt/blender/blender` with `blenderVersion`",
      "`variables.blenderArgs`": "`-b -y`",
      "`variables.jobs`": "(never written)",
      command: "`flamenco-worker -manager http://flamenco-manager:8080`",
      executable: "`flamenco-worker` on `PATH`",
      "`FLAMENCO_HOME`": "`/var/lib/flamenco-worker`",
      "`FLAMENCO_WORKER_NAME`": "`<landscape>-<host>-<n>`",
      "`flamenco-worker.yaml`": "(none)",
      user: "`1000:1000` (`managerUser`)",
      "shared storage": "`/app/flamenco-manager-storage-shared`",
    });
  });

  it("shows the values the program renders today", () => {
    const doc = managerDocument();
    const cells = Object.fromEntries(rows);
    expect(cells["`local_manager_storage_path`"]).toBe(`\`${String(doc.local_manager_storage_path)}\``);
    expect(cells["`database`"]).toBe(`\`${String(doc.database)}\``);
    expect(cells["`shared_storage_path`"]).toBe(`\`${String(doc.shared_storage_path)}\``);
    expect(cells["`listen`"]).toBe(`\`${String(doc.listen)}\``);
  });
});
