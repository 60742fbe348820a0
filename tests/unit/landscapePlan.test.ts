/**
 * What each component is given, from stack config: the mapping is pure, so it is tested here
 * without Pulumi mocks.
 */
import { parseSettings, Settings } from "../../components/config/settings";
import { landscapePlan, managerFilesArgs, workersArgs } from "../../components/landscapePlan";

const HOME = "/home/artist";
const FEATURE = `${HOME}/.openstudiolandscapes/landscapes/farm/OpenStudioLandscapes-Flamenco`;
const LOCAL = { name: "manager-host", count: 2 };
const REMOTE = {
  name: "render-01",
  dockerHost: "ssh://render@render-01.studio.lan",
  count: 3,
  sharedStorage: "/mnt/projects",
};

function settingsOf(raw: Record<string, unknown> = {}): Settings {
  return parseSettings({ landscape: "farm", ...raw }, { stack: "farm", homeDirectory: HOME });
}

describe("landscapePlan", () => {
  it("gives the manager its container spec, the image its name and the network its name and label", () => {
    const args = landscapePlan(settingsOf());
    expect(args.manager.container).toMatchObject({
      name: "flamenco-manager--farm",
      ports: [{ internal: 8080, external: 8484, ip: "0.0.0.0" }],
    });
    expect(args.image.imageName).toBe("openstudiolandscapes/flamenco-manager:farm-3.7");
    expect(args.network).toEqual({
      name: "openstudiolandscapes-farm",
      labels: [{ label: "org.openstudiolandscapes.landscape", value: "farm" }],
    });
    expect(args.storage).toEqual({ manager: `${FEATURE}/storage`, shared: `${FEATURE}/shared_storage` });
  });

  it("tells the release script the official archive, its checksum list and the Dockerfile to stage", () => {
    const environment = landscapePlan(settingsOf()).release.environment as Record<string, string>;
    expect(environment.FLAMENCO_RELEASE_URL).toBe(
      "https://flamenco.blender.org/downloads/flamenco-3.7-linux-amd64.tar.gz",
    );
    expect(environment.FLAMENCO_RELEASE_CHECKSUMS_URL).toBe(
      "https://flamenco.blender.org/downloads/flamenco-3.7.sha256",
    );
    expect(environment.FLAMENCO_IMAGE_CONTEXT).toBe(`${FEATURE}/image-context`);
    expect(environment.FLAMENCO_DOCKERFILE).toMatch(/^FROM debian:bookworm-slim AS unpack$/m);
  });

  it("gives the files command the config path and the rendered yaml, in clear without an MQTT password", () => {
    const files = managerFilesArgs(settingsOf({ manager: { managerName: "Farm" } }));
    expect(files.configFile).toBe(`${FEATURE}/flamenco-manager.yaml`);
    expect(files.managerYaml).toMatch(/^manager_name: Farm$/m);
  });

  it("reports managerUrl as the config key sets it, else its default", () => {
    expect(landscapePlan(settingsOf()).urls.managerUrl).toBe("http://flamenco-manager.openstudiolandscapes.lan:8484");
    const custom = landscapePlan(settingsOf({ managerUrl: "http://10.0.0.5:8484" })).urls;
    expect(custom.managerUrl).toBe("http://10.0.0.5:8484");
    expect(custom.workerCommand).toBe("flamenco-worker -manager http://10.0.0.5:8484");
    expect(custom.managerLocalUrl).toBe("http://127.0.0.1:8484");
  });
});

describe("workersArgs", () => {
  it("declares no farm without render hosts", () => {
    expect(workersArgs(settingsOf())).toBeUndefined();
  });

  it("plans per host its workers by number, as plain values known at preview", () => {
    const hosts = workersArgs(settingsOf({ workers: [LOCAL, REMOTE] }))!.hosts;
    expect(hosts.map((host) => [host.name, host.dockerHost, host.workers.map((worker) => worker.number)])).toEqual([
      ["manager-host", undefined, [1, 2]],
      ["render-01", "ssh://render@render-01.studio.lan", [1, 2, 3]],
    ]);
    expect(hosts[1].workers[2].container.name).toBe("farm-render-01-3");
    expect(hosts[1].summary).toEqual({
      names: ["farm-render-01-1", "farm-render-01-2", "farm-render-01-3"],
      managerUrl: "http://flamenco-manager.openstudiolandscapes.lan:8484",
    });
  });

  it("runs the image built on the manager's host there, one built on each other host there, unless workerImage is set", () => {
    const [local, remote] = workersArgs(settingsOf({ workers: [LOCAL, REMOTE] }))!.hosts;
    expect([local.workerImage, local.buildsOwnImage]).toEqual([undefined, false]);
    expect([remote.workerImage, remote.buildsOwnImage]).toEqual([undefined, true]);
    const custom = workersArgs(settingsOf({ workers: [LOCAL, REMOTE], workerImage: "studio/blender:4.2" }))!.hosts;
    expect(custom.map((host) => [host.workerImage, host.buildsOwnImage])).toEqual([
      ["studio/blender:4.2", false],
      ["studio/blender:4.2", false],
    ]);
  });

  it("keeps the names the resources had before, for aliases", () => {
    const [, remote] = workersArgs(settingsOf({ workers: [LOCAL, REMOTE] }))!.hosts;
    expect(remote.previousName).toBe("farm-render-host-render-01");
    expect(remote.previousProviderName).toBe("farm-docker-render-01");
    expect(remote.workers[0].previousNames).toEqual({
      container: "farm-worker-render-01-1",
      home: "farm-worker-render-01-1-home",
    });
  });
});
