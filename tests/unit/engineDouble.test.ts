/**
 * The engine double (tests/engine/engineDouble.ts) stands in for the Pulumi docker and command
 * providers; these tests pin down that it refuses what it does not implement, so it cannot
 * silently ignore an input the program starts to set, and how it handles explicit docker
 * providers and the inputs worker containers set.
 */
import {
  assertHonoured,
  buildWasFullyCached,
  durationNanoseconds,
  fieldPaths,
  providerIdOf,
  unixSocketOf,
} from "../engine/engineDouble";

test("field paths descend into objects and lists of objects, not into maps of values", () => {
  expect(
    fieldPaths({
      name: "c",
      ports: [{ internal: 8080, external: 8484 }],
      healthcheck: { tests: ["CMD", "true"], interval: "5s" },
      environment: { ANY_NAME: "x" },
      unset: undefined,
    }).sort(),
  ).toEqual([
    "environment",
    "healthcheck",
    "healthcheck.interval",
    "healthcheck.tests",
    "name",
    "ports",
    "ports[].external",
    "ports[].internal",
  ]);
});

test("an input field the double does not implement fails loudly, naming it", () => {
  expect(() =>
    assertHonoured("docker:index/container:Container", "m", { name: "m", image: "i", privileged: true }),
  ).toThrow(/docker:index\/container:Container m sets input fields the double does not implement: privileged/);
  expect(() =>
    assertHonoured("docker:index/container:Container", "m", { ports: [{ internal: 1, protocol: "udp" }] }),
  ).toThrow(/ports\[\]\.protocol/);
  expect(() => assertHonoured("docker:index/volume:Volume", "v", {})).toThrow(/not implemented/);
});

test("the fields the program sets today are implemented", () => {
  expect(() =>
    assertHonoured("docker:index/image:Image", "img", {
      imageName: "x:1",
      skipPush: true,
      buildOnPreview: false,
      build: { context: "/c", dockerfile: "/c/Dockerfile", args: { A: "b" }, platform: "linux/amd64", network: "none" },
    }),
  ).not.toThrow();
});

test("Go durations become nanoseconds for the Engine API", () => {
  expect(durationNanoseconds("5s")).toBe(5e9);
  expect(durationNanoseconds("1m30s")).toBe(90e9);
  expect(durationNanoseconds("250ms")).toBe(250e6);
});

test("a build counts as cached only when every step after FROM was cached", () => {
  const cached = [
    "#4 [unpack 1/3] FROM docker.io/library/debian:bookworm-slim",
    "#5 [unpack 2/3] COPY a /tmp/a",
    "#5 CACHED",
    "#6 [stage-1 2/4] RUN true",
    "#6 CACHED",
  ].join("\n");
  const rebuilt = ["#5 [unpack 2/3] COPY a /tmp/a", "#5 CACHED", "#6 [stage-1 2/4] RUN true", "#6 DONE 0.4s"].join(
    "\n",
  );
  expect(buildWasFullyCached(cached)).toBe(true);
  expect(buildWasFullyCached(rebuilt)).toBe(false);
  expect(buildWasFullyCached("")).toBe(false);
});

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
