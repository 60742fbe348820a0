/**
 * Resource names are part of URNs: a renamed resource is replaced unless its old URN is given
 * as an alias. These are the URNs the program declared before its render-host children were
 * named from their component (recorded from that version for this farm); every one of them
 * must still lead to a declared resource, so existing stacks see no replacement.
 */
import { runProgram } from "./harness";

const LANDSCAPE_URN = "urn:pulumi:farm::flamenco-landscape::openstudiolandscapes:flamenco:Landscape";
const PREVIOUS_URNS = [
  "::farm",
  "$openstudiolandscapes:flamenco:Release::farm-release",
  "$openstudiolandscapes:flamenco:Release$command:local:Command::farm-release-fetch",
  "$openstudiolandscapes:flamenco:ManagerImage::farm-image",
  "$openstudiolandscapes:flamenco:ManagerImage$docker:index/image:Image::farm-image",
  "$docker:index/network:Network::farm-network",
  "$openstudiolandscapes:flamenco:ManagerFiles::farm-manager-files",
  "$openstudiolandscapes:flamenco:ManagerFiles$command:local:Command::farm-manager-files",
  "$openstudiolandscapes:flamenco:Manager::farm-manager",
  "$openstudiolandscapes:flamenco:Manager$docker:index/container:Container::farm-manager",
  "$openstudiolandscapes:flamenco:Workers::farm-workers",
  "$openstudiolandscapes:flamenco:Workers$openstudiolandscapes:flamenco:RenderHost::farm-render-host-manager-host",
  "$openstudiolandscapes:flamenco:Workers$openstudiolandscapes:flamenco:RenderHost$command:local:Command::farm-worker-manager-host-1-home",
  "$openstudiolandscapes:flamenco:Workers$openstudiolandscapes:flamenco:RenderHost$docker:index/container:Container::farm-worker-manager-host-1",
  "$openstudiolandscapes:flamenco:Workers$openstudiolandscapes:flamenco:RenderHost$command:local:Command::farm-worker-manager-host-2-home",
  "$openstudiolandscapes:flamenco:Workers$openstudiolandscapes:flamenco:RenderHost$docker:index/container:Container::farm-worker-manager-host-2",
  "$openstudiolandscapes:flamenco:Workers$openstudiolandscapes:flamenco:RenderHost::farm-render-host-render-01",
  "$openstudiolandscapes:flamenco:Workers$openstudiolandscapes:flamenco:RenderHost$pulumi:providers:docker::farm-docker-render-01",
  "$openstudiolandscapes:flamenco:Workers$openstudiolandscapes:flamenco:RenderHost$command:local:Command::farm-worker-render-01-1-home",
  "$openstudiolandscapes:flamenco:Workers$openstudiolandscapes:flamenco:RenderHost$docker:index/container:Container::farm-worker-render-01-1",
  "$openstudiolandscapes:flamenco:Workers$openstudiolandscapes:flamenco:RenderHost$command:local:Command::farm-worker-render-01-2-home",
  "$openstudiolandscapes:flamenco:Workers$openstudiolandscapes:flamenco:RenderHost$docker:index/container:Container::farm-worker-render-01-2",
  "$openstudiolandscapes:flamenco:Workers$openstudiolandscapes:flamenco:RenderHost$command:local:Command::farm-worker-render-01-3-home",
  "$openstudiolandscapes:flamenco:Workers$openstudiolandscapes:flamenco:RenderHost$docker:index/container:Container::farm-worker-render-01-3",
].map((tail) => `${LANDSCAPE_URN}${tail}`);

describe("URNs of existing stacks", () => {
  it("every resource of the previous naming is declared under its URN or aliased to it, once", async () => {
    const run = await runProgram({
      config: {
        landscape: "farm",
        landscapesRoot: "/srv/landscapes",
        workers: [
          { name: "manager-host", count: 2 },
          {
            name: "render-01",
            dockerHost: "ssh://render@render-01.studio.lan",
            count: 3,
            gpus: "all",
            sharedStorage: "/mnt/projects",
          },
        ],
      },
      stack: "farm",
    });
    const known = run.resources.flatMap((resource) => [resource.urn, ...resource.aliasUrns]);
    for (const urn of PREVIOUS_URNS) expect(known.filter((candidate) => candidate === urn)).toEqual([urn]);
    // Resources the previous version did not have at all are new, not renamed.
    const added = run.resources.filter(
      (resource) => ![resource.urn, ...resource.aliasUrns].some((urn) => PREVIOUS_URNS.includes(urn)),
    );
    expect(added.map((resource) => resource.name).sort()).toEqual([
      "farm-manager-backup",
      "farm-manager-backup",
      "farm-workers-manager-host-1-deregister",
      "farm-workers-manager-host-2-deregister",
      "farm-workers-render-01-1-deregister",
      "farm-workers-render-01-2-deregister",
      "farm-workers-render-01-3-deregister",
      "farm-workers-render-01-image",
      "farm-workers-render-01-image",
    ]);
  });

  it("the renamed worker resources carry their previous names as aliases", async () => {
    const run = await runProgram({
      config: {
        landscape: "farm",
        workers: [{ name: "render-01", dockerHost: "tcp://render-01:2376", count: 1, sharedStorage: "/mnt/p" }],
      },
      stack: "farm",
    });
    const renamed = Object.fromEntries(
      run.resources
        .filter((resource) => resource.aliasUrns.length > 0)
        .map((resource) => [resource.name, resource.aliasUrns.map((urn) => urn.split("::").pop())]),
    );
    expect(renamed).toEqual({
      "farm-workers-render-01": ["farm-render-host-render-01"],
      "farm-workers-render-01-docker": ["farm-docker-render-01"],
      "farm-workers-render-01-1-home": ["farm-worker-render-01-1-home"],
      "farm-workers-render-01-1": ["farm-worker-render-01-1"],
    });
  });
});
