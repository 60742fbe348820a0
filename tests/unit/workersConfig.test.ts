import { ConfigError } from "../../components/config/errors";
import { decodeConfigValue } from "../../components/config/decode";
import { isDockerEndpoint, isManagerUrl } from "../../components/config/schema";
import { parseSettings, PROJECT, Settings, SettingsContext } from "../../components/config/settings";

const HOME = "/home/artist";
const CONTEXT: SettingsContext = { stack: "dev", homeDirectory: HOME };
const FEATURE = `${HOME}/.openstudiolandscapes/landscapes/dev/OpenStudioLandscapes-Flamenco`;

function settingsOf(raw: Record<string, unknown>): Settings {
  return parseSettings(raw, CONTEXT);
}

function problemsOf(raw: Record<string, unknown>): { key: string; got: unknown; expected: string }[] {
  try {
    parseSettings(raw, CONTEXT);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => ({ ...problem }));
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(raw)}`);
}

const REMOTE = {
  name: "render-01",
  dockerHost: "ssh://render@render-01.studio.lan",
  count: 2,
  sharedStorage: "/mnt/projects",
};

describe("workers defaults", () => {
  it("no workers and the seed's DNS advice as the manager URL for remote workers", () => {
    const settings = settingsOf({});
    expect(settings.workers).toEqual([]);
    expect(settings.managerUrl).toBe("http://flamenco-manager.openstudiolandscapes.lan:8484");
    expect(settings.workerImage).toBeUndefined();
  });

  it("the default manager URL follows the network alias, domain and host port", () => {
    const settings = settingsOf({ network: { alias: "farm", domain: "studio.lan" }, managerPortHost: 9000 });
    expect(settings.managerUrl).toBe("http://farm.studio.lan:9000");
  });

  it("a host without dockerHost is the manager's host: landscape network, the manager's shared storage", () => {
    const [host] = settingsOf({ workers: [{ name: "manager-host", count: 2 }] }).workers;
    expect(host).toEqual({
      name: "manager-host",
      count: 2,
      sharedStorage: `${FEATURE}/shared_storage`,
      workersRoot: `${FEATURE}/workers`,
      network: "landscape",
      environment: {},
    });
    expect("dockerHost" in host).toBe(false);
    expect("gpus" in host).toBe(false);
  });

  it("a host with dockerHost defaults to the bridge network and the same workers root path", () => {
    const [host] = settingsOf({ workers: [REMOTE] }).workers;
    expect(host).toEqual({
      name: "render-01",
      dockerHost: "ssh://render@render-01.studio.lan",
      count: 2,
      sharedStorage: "/mnt/projects",
      workersRoot: `${FEATURE}/workers`,
      network: "bridge",
      environment: {},
    });
  });

  it("keeps every option given, in config order", () => {
    const settings = settingsOf({
      managerUrl: "https://flamenco.studio.lan:8443/",
      workerImage: "registry.studio.lan/flamenco-worker:3.7-blender4.2",
      workers: [
        {
          ...REMOTE,
          gpus: 2,
          network: "host",
          workersRoot: "/var/lib/flamenco/workers",
          environment: { CYCLES_DEVICE: "OPTIX", THREADS: 16 },
        },
        {
          name: "gpu-02",
          dockerHost: "tcp://gpu-02.studio.lan:2376",
          count: 0,
          gpus: "all",
          sharedStorage: "/mnt/projects/",
        },
        { name: "local", count: 1 },
      ],
    });
    expect(settings.managerUrl).toBe("https://flamenco.studio.lan:8443");
    expect(settings.workerImage).toBe("registry.studio.lan/flamenco-worker:3.7-blender4.2");
    expect(settings.workers.map((host) => host.name)).toEqual(["render-01", "gpu-02", "local"]);
    expect(settings.workers[0]).toMatchObject({
      gpus: "2",
      network: "host",
      workersRoot: "/var/lib/flamenco/workers",
      environment: { CYCLES_DEVICE: "OPTIX", THREADS: "16" },
    });
    expect(settings.workers[1]).toMatchObject({ count: 0, gpus: "all", sharedStorage: "/mnt/projects" });
  });
});

describe("how the keys arrive from Pulumi config", () => {
  it("workers is JSON; managerUrl and workerImage are strings", () => {
    expect(decodeConfigValue("workers", '[{"name":"a","count":2,"gpus":"all"}]')).toEqual([
      { name: "a", count: 2, gpus: "all" },
    ]);
    expect(decodeConfigValue("managerUrl", "http://flamenco-manager.studio.lan:8484")).toBe(
      "http://flamenco-manager.studio.lan:8484",
    );
    expect(decodeConfigValue("workerImage", "3.7")).toBe("3.7");
  });
});

describe("Docker endpoints", () => {
  it.each([
    "unix:///var/run/docker.sock",
    "unix:///tmp/engine-2/docker.sock",
    "tcp://render-01.studio.lan:2376",
    "tcp://10.0.0.12:2375",
    "tcp://render-01",
    "ssh://render@render-01.studio.lan",
    "ssh://render-01.studio.lan",
    "ssh://render@render-01.studio.lan:2222",
    "tcp://render-01.studio.lan:2376/",
    "ssh://render@render-01.studio.lan/",
  ])("accepts %s", (endpoint) => {
    expect(isDockerEndpoint(endpoint)).toBe(true);
  });

  it.each([
    "render-01.studio.lan",
    "/var/run/docker.sock",
    "unix://var/run/docker.sock",
    "unix:///",
    "unix:///var/run/",
    "http://render-01:2375",
    "npipe:////./pipe/docker_engine",
    "tcp://",
    "tcp://render-01:2375/path",
    "tcp://user@render-01:2375",
    "ssh://render:secret@render-01",
    "ssh://render@render-01/home",
    "ssh://render@render-01?x=1",
  ])("rejects %s", (endpoint) => {
    expect(isDockerEndpoint(endpoint)).toBe(false);
  });
});

describe("manager URLs", () => {
  it.each([
    "http://flamenco-manager.studio.lan:8484",
    "https://flamenco.studio.lan",
    "http://127.0.0.1:8484/",
    "http://[::1]:8484",
  ])("accepts %s", (url) => {
    expect(isManagerUrl(url)).toBe(true);
  });

  it.each([
    "flamenco-manager:8484",
    "ftp://manager",
    "http://manager:8484/flamenco",
    "http://user:pw@manager",
    "http://manager?x",
    "http://manager#x",
  ])("rejects %s", (url) => {
    expect(isManagerUrl(url)).toBe(false);
  });
});

describe("bad worker config (each rule has its case in badConfig.test.ts)", () => {
  it("a duplicate host name is reported at the later entry, naming the first", () => {
    const problems = problemsOf({
      workers: [
        { name: "render", count: 1 },
        { name: "other", count: 1 },
        { ...REMOTE, name: "render" },
      ],
    });
    expect(problems).toEqual([
      {
        key: `${PROJECT}:workers.2.name`,
        got: "render",
        expected: 'a render host name used only once (workers.0.name is also "render")',
      },
    ]);
  });

  it("one error lists every problem: duplicates next to invalid entries and other keys", () => {
    const problems = problemsOf({
      managerPortHost: 0,
      managerUrl: "flamenco:8484",
      workers: [
        { name: "a", count: -1 },
        { name: "a", count: "x", dockerHost: "ftp://a" },
        { name: "b", count: 0.5, gpus: -2 },
        { name: "b", count: 1 },
      ],
    });
    expect(problems.map((problem) => problem.key).sort()).toEqual(
      [
        "managerPortHost",
        "managerUrl",
        "workers.0.count",
        "workers.1.count",
        "workers.1.dockerHost",
        "workers.1.name",
        "workers.2.count",
        "workers.2.gpus",
        "workers.3.name",
      ].map((key) => `${PROJECT}:${key}`),
    );
  });
});
