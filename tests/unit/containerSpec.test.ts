/**
 * The container renderers are typed against the docker provider's container inputs: `tsc`
 * (the first step of `npm test`) rejects a field docker.Container does not have. The
 * `@ts-expect-error` lines fail the type check if that ever stops being true.
 */
import type { ContainerSpec } from "../../components/render/containerSpec";
import { parseSettings } from "../../components/config/settings";
import { managerContainerSpec } from "../../components/render/container";
import { workerContainerSpec } from "../../components/render/workers";

const settings = parseSettings(
  {
    landscape: "farm",
    workers: [{ name: "render-01", dockerHost: "tcp://render-01:2376", count: 1, sharedStorage: "/mnt/p" }],
  },
  {
    stack: "farm",
    homeDirectory: "/home/artist",
  },
);

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
      managerContainerSpec(settings),
      workerContainerSpec(settings, settings.workers[0], 1),
    ];
    expect(specs.map((spec) => spec.name)).toEqual(["flamenco-manager--farm", "farm-render-01-1"]);
  });
});
