import { parseSettings, Settings } from "../../components/config/settings";
import { ENSURE_WORKER_HOME_COMMAND, workerHomeCommandEnvironment } from "../../components/render/commands";
import {
  previousProviderName,
  previousRenderHostName,
  previousWorkerResourceName,
  renderHostSummaries,
  WORKER_HOME,
  workerContainerSpec,
  workerHomeDirectory,
  workerImageName,
  workerManagerUrl,
  workerName,
  workerNames,
  workerNumbers,
} from "../../components/render/workers";

const HOME = "/home/artist";
const FEATURE = `${HOME}/.openstudiolandscapes/landscapes/farm/OpenStudioLandscapes-Flamenco`;
const LOCAL = { name: "manager-host", count: 2 };
const REMOTE = {
  name: "render-01",
  dockerHost: "ssh://render@render-01.studio.lan",
  count: 3,
  sharedStorage: "/mnt/projects",
  gpus: "all",
};

function settingsOf(raw: Record<string, unknown> = {}): Settings {
  return parseSettings({ landscape: "farm", workers: [LOCAL, REMOTE], ...raw }, { stack: "farm", homeDirectory: HOME });
}

describe("worker names", () => {
  it("numbers workers from 1, so scaling touches only the last numbers", () => {
    expect(workerNumbers(0)).toEqual([]);
    expect(workerNumbers(3)).toEqual([1, 2, 3]);
  });

  it("names a worker <landscape>-<host>-<n>; its resources were <landscape>-worker-<host>-<n> before (aliases)", () => {
    expect(workerName("farm", "render-01", 2)).toBe("farm-render-01-2");
    expect(previousWorkerResourceName("farm", "render-01", 2)).toBe("farm-worker-render-01-2");
    expect(previousProviderName("farm", "render-01")).toBe("farm-docker-render-01");
    expect(previousRenderHostName("farm", "render-01")).toBe("farm-render-host-render-01");
    expect(workerNames("farm", { name: "render-01", count: 3 })).toEqual([
      "farm-render-01-1",
      "farm-render-01-2",
      "farm-render-01-3",
    ]);
    expect(workerNames("farm", { name: "render-01", count: 0 })).toEqual([]);
  });

  it("gives every worker of a landscape a distinct name, even when host names end in digits", () => {
    const settings = parseSettings(
      {
        landscape: "farm",
        workers: [
          { name: "r", count: 12 },
          { name: "r-1", count: 2 },
          { name: "r-1-1", count: 1 },
        ],
      },
      { stack: "farm", homeDirectory: HOME },
    );
    const names = settings.workers.flatMap((host) => workerNames("farm", host));
    expect(new Set(names).size).toBe(names.length);
  });

  it("keeps one identity directory per worker under the host's workers root", () => {
    const [local, remote] = settingsOf().workers;
    expect(workerHomeDirectory(local, "farm-manager-host-1")).toBe(`${FEATURE}/workers/farm-manager-host-1`);
    expect(workerHomeDirectory({ ...remote, workersRoot: "/var/lib/flamenco" }, "farm-render-01-1")).toBe(
      "/var/lib/flamenco/farm-render-01-1",
    );
  });
});

describe("how workers reach the manager", () => {
  it("on the manager's host by the alias on the landscape network; elsewhere by managerUrl", () => {
    const settings = settingsOf();
    expect(workerManagerUrl(settings, settings.workers[0])).toBe("http://flamenco-manager:8080");
    expect(workerManagerUrl(settings, settings.workers[1])).toBe(
      "http://flamenco-manager.openstudiolandscapes.lan:8484",
    );
    const custom = settingsOf({ managerUrl: "http://10.0.0.5:8484" });
    expect(workerManagerUrl(custom, custom.workers[1])).toBe("http://10.0.0.5:8484");
  });

  it("the summary per host lists the worker names and that URL", () => {
    expect(renderHostSummaries(settingsOf())).toEqual({
      "manager-host": {
        names: ["farm-manager-host-1", "farm-manager-host-2"],
        managerUrl: "http://flamenco-manager:8080",
      },
      "render-01": {
        names: ["farm-render-01-1", "farm-render-01-2", "farm-render-01-3"],
        managerUrl: "http://flamenco-manager.openstudiolandscapes.lan:8484",
      },
    });
  });
});

describe("worker images", () => {
  it("the manager image by name, or workerImage", () => {
    expect(workerImageName(settingsOf())).toBe("openstudiolandscapes/flamenco-manager:farm-3.7");
    expect(workerImageName(settingsOf({ workerImage: "registry.studio.lan/flamenco-worker:3.7" }))).toBe(
      "registry.studio.lan/flamenco-worker:3.7",
    );
  });
});

describe("workerContainerSpec", () => {
  it("on the manager's host: landscape network, manager's shared storage, its own identity directory", () => {
    const settings = settingsOf();
    expect(workerContainerSpec(settings, settings.workers[0], 2)).toEqual({
      name: "farm-manager-host-2",
      restart: "always",
      command: ["flamenco-worker", "-manager", "http://flamenco-manager:8080"],
      envs: ["TZ=UTC", `FLAMENCO_HOME=${WORKER_HOME}`, "FLAMENCO_WORKER_NAME=farm-manager-host-2"],
      user: "1000:1000",
      volumes: [
        { hostPath: `${FEATURE}/workers/farm-manager-host-2`, containerPath: WORKER_HOME, readOnly: false },
        {
          hostPath: `${FEATURE}/shared_storage`,
          containerPath: "/app/flamenco-manager-storage-shared",
          readOnly: false,
        },
      ],
      networksAdvanced: [{ name: "openstudiolandscapes-farm" }],
      labels: [
        { label: "org.openstudiolandscapes.landscape", value: "farm" },
        { label: "org.openstudiolandscapes.feature", value: "flamenco-worker" },
        { label: "org.openstudiolandscapes.flamenco.render-host", value: "manager-host" },
      ],
      destroyGraceSeconds: 30,
    });
  });

  it("on another host: managerUrl, that host's shared storage at the manager's path, the GPU request, no network input", () => {
    const settings = settingsOf({ timezone: "Europe/Zurich", managerUser: "2000:3000" });
    const spec = workerContainerSpec(
      settings,
      { ...settings.workers[1], environment: { Z_LAST: "1", A_FIRST: "x" } },
      1,
    );
    expect(spec).toMatchObject({
      name: "farm-render-01-1",
      command: ["flamenco-worker", "-manager", "http://flamenco-manager.openstudiolandscapes.lan:8484"],
      envs: [
        "TZ=Europe/Zurich",
        `FLAMENCO_HOME=${WORKER_HOME}`,
        "FLAMENCO_WORKER_NAME=farm-render-01-1",
        "A_FIRST=x",
        "Z_LAST=1",
      ],
      user: "2000:3000",
      gpus: "all",
      volumes: [
        { hostPath: `${FEATURE}/workers/farm-render-01-1`, containerPath: WORKER_HOME, readOnly: false },
        { hostPath: "/mnt/projects", containerPath: "/app/flamenco-manager-storage-shared", readOnly: false },
      ],
    });
    // The default bridge is left implicit: networkMode "bridge" would show a diff on every preview.
    expect("networkMode" in spec).toBe(false);
    expect("networksAdvanced" in spec).toBe(false);
  });

  it("host networking when the host asks for it", () => {
    const settings = settingsOf({ workers: [{ ...REMOTE, network: "host" }] });
    const spec = workerContainerSpec(settings, settings.workers[0], 1);
    expect(spec).toMatchObject({ networkMode: "host" });
    expect("networksAdvanced" in spec).toBe(false);
    expect("hostname" in spec).toBe(false);
  });

  it("no GPU request unless the host sets gpus; a count is passed as docker run --gpus takes it", () => {
    const settings = settingsOf({ workers: [LOCAL, { ...REMOTE, gpus: 2 }] });
    expect("gpus" in workerContainerSpec(settings, settings.workers[0], 1)).toBe(false);
    expect(workerContainerSpec(settings, settings.workers[1], 1).gpus).toBe("2");
  });
});

describe("the identity directory command", () => {
  it("runs the project's script by a relative path", () => {
    expect(ENSURE_WORKER_HOME_COMMAND).toBe("node scripts/ensure-worker-home.js");
  });

  it("on the manager's host: the directory and its owner", () => {
    const settings = settingsOf();
    expect(workerHomeCommandEnvironment(settings, settings.workers[0], "farm-manager-host-1")).toEqual({
      FLAMENCO_WORKER_HOME: `${FEATURE}/workers/farm-manager-host-1`,
      FLAMENCO_WORKER_HOME_OWNER: "1000:1000",
    });
  });

  it("on another host: also that host's engine and the image its helper container runs", () => {
    const settings = settingsOf({ workerImage: "registry.studio.lan/flamenco-worker:3.7" });
    expect(workerHomeCommandEnvironment(settings, settings.workers[1], "farm-render-01-1")).toEqual({
      FLAMENCO_WORKER_HOME: `${FEATURE}/workers/farm-render-01-1`,
      FLAMENCO_WORKER_HOME_OWNER: "1000:1000",
      FLAMENCO_DOCKER_HOST: "ssh://render@render-01.studio.lan",
      FLAMENCO_WORKER_IMAGE: "registry.studio.lan/flamenco-worker:3.7",
    });
  });
});
