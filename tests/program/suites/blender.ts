/**
 * Blender on the workers under Pulumi mocks: the worker image's resources, their inputs, and
 * what a change of Blender touches (the `pulumi preview` diff). A stack without the Blender
 * keys declares exactly what it declared before.
 */
import { diff, ProgramRun, runProgram, sha256, stableJson } from "../harness";

const ROOT = "/srv/landscapes";
const FEATURE = `${ROOT}/farm/OpenStudioLandscapes-Flamenco`;
const IMAGE = "docker:index/image:Image";
const COMMAND = "command:local:Command";
const LOCAL = { name: "manager-host", count: 1 };
const REMOTE = {
  name: "render-01",
  dockerHost: "ssh://render@render-01.studio.lan",
  count: 1,
  sharedStorage: "/mnt/projects",
};
const OFFICIAL = { blenderVersion: "4.2.3" };
const DEBIAN = { workerPackages: ["blender"] };

type Inputs = Record<string, unknown>;

function farm(extra: Inputs = {}, workers: Inputs[] = [LOCAL, REMOTE]): Promise<ProgramRun> {
  return runProgram({ config: { landscape: "farm", landscapesRoot: ROOT, workers, ...extra }, stack: "farm" });
}

function imageIdOf(run: ProgramRun, name: string): string {
  return `sha256:${sha256(stableJson(run.named(name).inputs))}`;
}

function environmentOf(run: ProgramRun, name: string): Record<string, string> {
  return run.named(name).inputs.environment as Record<string, string>;
}

describe("a farm whose workers hold the official Blender build", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await farm(OFFICIAL);
  });

  test("declares the worker image's context, fetched after the release, and the worker image on the manager's engine", () => {
    const declared = run.resources
      .filter((resource) => resource.name.startsWith("farm-worker-"))
      .map((resource) => `${resource.type} ${resource.name} < ${resource.parent}`);
    expect(declared).toEqual([
      "openstudiolandscapes:flamenco:Release farm-worker-release < farm",
      `${COMMAND} farm-worker-release-fetch < farm-worker-release`,
      "openstudiolandscapes:flamenco:ManagerImage farm-worker-image < farm",
      `${IMAGE} farm-worker-image < farm-worker-image`,
    ]);
    expect(run.named("farm-worker-release-fetch").dependsOn).toEqual(["farm-release"]);
    expect(environmentOf(run, "farm-worker-release-fetch")).toMatchObject({
      FLAMENCO_IMAGE_CONTEXT: `${FEATURE}/worker-image-context`,
      BLENDER_RELEASE_URL: "https://download.blender.org/release/Blender4.2/blender-4.2.3-linux-x64.tar.xz",
      BLENDER_RELEASE_CHECKSUMS_URL: "https://download.blender.org/release/Blender4.2/blender-4.2.3.sha256",
    });
  });

  test("the worker image is built from its own context with both verified digests, with the network for apt", () => {
    const image = run.named("farm-worker-image").inputs;
    const fetched = environmentOf(run, "farm-worker-release-fetch");
    expect(image).toEqual({
      imageName: "openstudiolandscapes/flamenco-worker:farm-3.7",
      skipPush: true,
      buildOnPreview: false,
      build: {
        context: `${FEATURE}/worker-image-context`,
        dockerfile: `${FEATURE}/worker-image-context/Dockerfile`,
        args: {
          FLAMENCO_RELEASE_SHA256: sha256(fetched.FLAMENCO_RELEASE_URL),
          BLENDER_SHA256: sha256(fetched.BLENDER_RELEASE_URL),
        },
        platform: "linux/amd64",
      },
    });
    // The manager image's build still has no network.
    expect((run.named("farm-image").inputs.build as Inputs).network).toBe("none");
  });

  test("workers run the worker image by id: the one built here, or the one each render host builds from the same context", () => {
    expect(run.named("farm-workers-manager-host-1").inputs.image).toBe(imageIdOf(run, "farm-worker-image"));
    expect(run.named("farm-workers-render-01-1").inputs.image).toBe(imageIdOf(run, "farm-workers-render-01-image"));
    const remote = run.named("farm-workers-render-01-image");
    expect(remote.inputs.build).toEqual(run.named("farm-worker-image").inputs.build);
    expect(remote.providerReference).toMatch(/::farm-workers-render-01-docker::/);
    expect(environmentOf(run, "farm-workers-render-01-1-home").FLAMENCO_WORKER_IMAGE).toBe(
      "openstudiolandscapes/flamenco-worker:farm-3.7",
    );
  });

  test("the Dockerfile it stages unpacks Blender at /opt/blender, where the manager's variable points", () => {
    expect(environmentOf(run, "farm-worker-release-fetch").FLAMENCO_DOCKERFILE).toContain(
      "COPY --from=blender /blender /opt/blender",
    );
    expect(String(run.named("farm-manager-files").inputs.stdin)).toContain(
      "- platform: linux\n        audience: all\n        value: /opt/blender/blender\n",
    );
  });
});

describe("what a change of Blender touches (the preview diff)", () => {
  let official: ProgramRun;
  beforeAll(async () => {
    official = await farm(OFFICIAL);
  });

  test("a new version fetches and builds the worker image again and replaces only the workers", async () => {
    const newer = await farm({ blenderVersion: "4.2.4" });
    expect(diff(official, newer)).toEqual({
      added: [],
      removed: [],
      changed: [
        "farm-worker-image",
        "farm-worker-release-fetch",
        "farm-workers-manager-host-1",
        "farm-workers-render-01-1",
        "farm-workers-render-01-image",
      ].sort(),
    });
  });

  test("from no Blender: the worker image is added, the workers and the manager (its blender variable) change", async () => {
    const before = await farm();
    const after = await farm(DEBIAN);
    const changes = diff(before, after);
    expect(changes.added).toEqual(
      ["farm-worker-image", "farm-worker-image", "farm-worker-release", "farm-worker-release-fetch"].sort(),
    );
    expect(changes.removed).toEqual([]);
    expect(changes.changed).toEqual(
      expect.arrayContaining([
        "farm-manager",
        "farm-manager-files",
        "farm-workers-manager-host-1",
        "farm-workers-render-01-1",
        "farm-workers-render-01-image",
      ]),
    );
    expect(changes.changed).not.toContain("farm-image");
    expect(changes.changed).not.toContain("farm-release-fetch");
  });

  test("a stack without the keys, or with an empty package list, declares what it declared before", async () => {
    const without = await farm();
    expect(without.resources.filter((resource) => resource.name.startsWith("farm-worker-"))).toEqual([]);
    expect(diff(without, await farm({ workerPackages: [] }))).toEqual({ added: [], removed: [], changed: [] });
  });

  test("without render hosts nothing of the worker image is declared; the manager's variable still points at Blender", async () => {
    const managerOnly = await farm(OFFICIAL, []);
    expect(managerOnly.resources.filter((resource) => resource.name.startsWith("farm-worker-"))).toEqual([]);
    expect(String(managerOnly.named("farm-manager-files").inputs.stdin)).toContain("value: /opt/blender/blender");
  });

  test("render hosts only on other engines: no worker image on the manager's engine", async () => {
    const remoteOnly = await farm(DEBIAN, [REMOTE]);
    expect(remoteOnly.resources.filter((resource) => resource.name === "farm-worker-image")).toEqual([]);
    expect(remoteOnly.named("farm-workers-render-01-image").inputs.imageName).toBe(
      "openstudiolandscapes/flamenco-worker:farm-3.7",
    );
  });
});
