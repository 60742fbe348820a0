/** Under mocks: the image each render host builds itself, and deregistering removed workers. */
import { runProgram } from "./harness";

const ROOT = "/srv/landscapes";
const RENDER_01 = {
  name: "render-01",
  dockerHost: "ssh://render@render-01.studio.lan",
  count: 2,
  sharedStorage: "/mnt/projects",
};

test("each worker has a deregister command: only a delete step, against the manager's published port, after its container and before the manager", async () => {
  const run = await runProgram({
    config: {
      landscape: "farm",
      landscapesRoot: ROOT,
      managerPortHost: 8485,
      managerBindAddress: "10.0.0.5",
      workers: [{ name: "manager-host", count: 1 }, RENDER_01],
    },
    stack: "farm",
  });
  for (const worker of ["farm-manager-host-1", "farm-render-01-1", "farm-render-01-2"]) {
    const resourceName = worker.replace("farm-", "farm-workers-");
    const deregister = run.named(`${resourceName}-deregister`);
    expect(deregister.inputs).toEqual({
      delete: "node scripts/deregister-worker.js",
      environment: { FLAMENCO_MANAGER_URL: "http://10.0.0.5:8485", FLAMENCO_WORKER_NAME: worker },
    });
    // Deleted before the manager container it depends on, after the worker container that depends on it.
    expect(deregister.dependsOn).toContain("farm-manager");
    expect(run.named(resourceName).dependsOn).toContain(`${resourceName}-deregister`);
  }
});

test("with workerImage, remote hosts build nothing and run it by name", async () => {
  const image = "registry.studio.lan/flamenco-worker:3.7-blender4.2";
  const run = await runProgram({
    config: { landscape: "farm", landscapesRoot: ROOT, workerImage: image, workers: [RENDER_01] },
    stack: "farm",
  });
  expect(run.ofType("docker:index/image:Image").map((resource) => resource.name)).toEqual(["farm-image"]);
  expect(run.named("farm-workers-render-01-1").inputs.image).toBe(image);
});

test("each other Docker host builds the manager image on its own engine, from the same context, without network", async () => {
  const run = await runProgram({
    config: { landscape: "farm", landscapesRoot: ROOT, workers: [{ name: "manager-host", count: 1 }, RENDER_01] },
    stack: "farm",
  });
  const local = run.named("farm-image");
  const remote = run.named("farm-workers-render-01-image");
  expect(remote.inputs).toEqual(local.inputs);
  expect(remote.inputs).toMatchObject({ skipPush: true, build: { network: "none" } });
  expect(remote.providerReference).toContain("farm-workers-render-01-docker");
  expect(local.providerReference ?? "").not.toContain("farm-workers-render-01-docker");
  // Its identity directories are created with that image, so only once it is built.
  expect(run.named("farm-workers-render-01-1-home").dependsOn).toEqual(["farm-workers-render-01-image"]);
});
