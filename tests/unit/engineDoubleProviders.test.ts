/**
 * The engine double's handling of explicit docker providers and of the inputs worker
 * containers set: what it implements, and what it must keep refusing.
 */
import { assertHonoured, providerIdOf, unixSocketOf } from "../engine/engineDouble";

test("a provider reference from the mocks is <urn>::<id>; the id is what follows the last ::", () => {
  const urn =
    "urn:pulumi:farm::flamenco-landscape::openstudiolandscapes:flamenco:RenderHost$pulumi:providers:docker::farm-docker-render-01";
  expect(providerIdOf(`${urn}::farm-docker-render-01-c2caad700ce5`)).toBe("farm-docker-render-01-c2caad700ce5");
});

test("providers on a unix socket are implemented; ssh and tcp endpoints fail loudly", () => {
  expect(unixSocketOf("unix:///tmp/fl-e2-x/docker.sock")).toBe("/tmp/fl-e2-x/docker.sock");
  expect(() => unixSocketOf("ssh://render@render-01")).toThrow(/ssh:\/\/render@render-01 is not implemented/);
  expect(() => unixSocketOf("tcp://render-01:2376")).toThrow(/not implemented/);
});

test("the provider input and the worker container inputs the program sets are implemented", () => {
  expect(() => assertHonoured("pulumi:providers:docker", "p", { host: "unix:///run/docker.sock" })).not.toThrow();
  expect(() =>
    assertHonoured("docker:index/container:Container", "w", {
      name: "farm-render-01-1",
      image: "i",
      user: "1000:1000",
      networkMode: "host",
      command: ["flamenco-worker", "-manager", "http://127.0.0.1:8484"],
      volumes: [{ hostPath: "/a", containerPath: "/b", readOnly: false }],
    }),
  ).not.toThrow();
});

test("the GPU request is not implemented (the engine tests set none), so setting it fails loudly", () => {
  expect(() => assertHonoured("docker:index/container:Container", "w", { name: "w", gpus: "all" })).toThrow(
    /does not implement: gpus/,
  );
  expect(() => assertHonoured("pulumi:providers:docker", "p", { host: "ssh://x", sshOpts: ["-i", "key"] })).toThrow(
    /sshOpts/,
  );
});
