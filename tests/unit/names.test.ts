import { parseSettings, Settings } from "../../components/config/settings";
import {
  hostConfigFilePath,
  hostDirectory,
  imageContextDirectory,
  managerFqdn,
  managerImageName,
} from "../../components/config/layout";
import {
  CONTAINER_PATHS,
  managerAliases,
  managerContainerName,
  managerLocalUrl,
  managerNetworkUrl,
  releaseCacheEntry,
  workerCommandLine,
} from "../../components/render/names";

const HOME = "/home/artist";

function settingsOf(raw: Record<string, unknown> = {}): Settings {
  return parseSettings(raw, { stack: "dev", homeDirectory: HOME });
}

describe("names", () => {
  it("names the container flamenco-manager--<landscape>", () => {
    expect(managerContainerName("dev")).toBe("flamenco-manager--dev");
    expect(managerContainerName("studio-a")).toBe("flamenco-manager--studio-a");
  });

  it("gives each landscape and version its own image tag", () => {
    const name = managerImageName("dev", "3.7");
    expect(name).toContain("dev");
    expect(name).toContain("3.7");
    expect(managerImageName("dev", "3.6")).not.toBe(name);
    expect(managerImageName("prod", "3.7")).not.toBe(name);
    // A valid local Docker reference: lowercase repository, tag of word characters, '.', '-'.
    expect(name).toMatch(/^[a-z0-9]+(?:[._/-][a-z0-9]+)*:[\w][\w.-]{0,127}$/);
  });

  it("builds the manager's FQDN and aliases from the network settings", () => {
    const settings = settingsOf();
    expect(managerFqdn(settings)).toBe("flamenco-manager.openstudiolandscapes.lan");
    expect(managerAliases(settings)).toEqual(["flamenco-manager", "flamenco-manager.openstudiolandscapes.lan"]);
    const custom = settingsOf({ network: { alias: "farm", domain: "studio.example" } });
    expect(managerFqdn(custom)).toBe("farm.studio.example");
  });

  it("keeps paths inside the container where the OpenStudioLandscapes feature puts them", () => {
    expect(CONTAINER_PATHS).toEqual({
      workingDirectory: "/app",
      managerBinary: "/app/flamenco-manager",
      workerBinary: "/app/flamenco-worker",
      configFile: "/app/flamenco-manager.yaml",
      storage: "/app/flamenco-manager-storage",
      sharedStorage: "/app/flamenco-manager-storage-shared",
      blenderDirectory: "/opt/blender",
      blenderBinary: "/opt/blender/blender",
      debianBlenderBinary: "/usr/bin/blender",
      workerHome: "/var/lib/flamenco-worker",
    });
  });

  it("keeps the config file and image context in the feature directory, the release in the shared cache", () => {
    const settings = settingsOf();
    const feature = `${HOME}/.openstudiolandscapes/landscapes/dev/OpenStudioLandscapes-Flamenco`;
    expect(hostConfigFilePath(settings)).toBe(`${feature}/flamenco-manager.yaml`);
    expect(imageContextDirectory(settings)).toBe(`${feature}/image-context`);
    expect(releaseCacheEntry(settings)).toBe(
      `${HOME}/.openstudiolandscapes/landscapes/.cache/flamenco-releases/${settings.release.cacheKey}`,
    );
  });

  it("spells a host directory one way, so equal paths give equal mounts; the root stays the root", () => {
    expect(hostDirectory("/mnt/projects/")).toBe("/mnt/projects");
    expect(hostDirectory("/mnt//projects/./shows/..")).toBe("/mnt/projects");
    expect(hostDirectory("/")).toBe("/");
  });
});

describe("URLs", () => {
  it("studio URL (managerUrl's default): http://flamenco-manager.<domain>:<host port>", () => {
    expect(settingsOf().managerUrl).toBe("http://flamenco-manager.openstudiolandscapes.lan:8484");
    expect(settingsOf({ managerPortHost: 9000, network: { domain: "farm.lan" } }).managerUrl).toBe(
      "http://flamenco-manager.farm.lan:9000",
    );
  });

  it("local URL goes through the published port, on loopback when bound to all addresses", () => {
    expect(managerLocalUrl(settingsOf())).toBe("http://127.0.0.1:8484");
    expect(managerLocalUrl(settingsOf({ managerBindAddress: "192.168.1.20", managerPortHost: 8500 }))).toBe(
      "http://192.168.1.20:8500",
    );
    expect(managerLocalUrl(settingsOf({ managerBindAddress: "::1" }))).toBe("http://[::1]:8484");
  });

  it("network URL: http://flamenco-manager:<container port>", () => {
    expect(managerNetworkUrl(settingsOf())).toBe("http://flamenco-manager:8080");
    expect(managerNetworkUrl(settingsOf({ managerPortContainer: 9090, managerPortHost: 1234 }))).toBe(
      "http://flamenco-manager:9090",
    );
  });

  it("worker command line points workers at the studio URL", () => {
    expect(workerCommandLine(settingsOf())).toBe(
      "flamenco-worker -manager http://flamenco-manager.openstudiolandscapes.lan:8484",
    );
    expect(workerCommandLine(settingsOf({ managerPortHost: 9000 }))).toBe(
      "flamenco-worker -manager http://flamenco-manager.openstudiolandscapes.lan:9000",
    );
  });
});
