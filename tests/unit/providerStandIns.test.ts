/**
 * The rules of the provider stand-ins (tests/engine/providers/), against what the official
 * docker 5.2.0 and command 1.2.1 providers answered when their own code was called with the
 * same requests: the expected answers below are those answers, not the stand-ins' output.
 */
import { commandDiff } from "../engine/providers/command";
import {
  checkContainer,
  checkImage,
  diffContainer,
  diffImage,
  diffNetwork,
  diffProviderConfig,
  goDurationString,
} from "../engine/providers/dockerRules";
import { UNKNOWN } from "../engine/providers/pluginServer";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const CONTAINER = {
  name: "flamenco-manager--dev",
  image: "sha256:aaaa",
  restart: "always",
  command: ["/app/flamenco-manager"],
  envs: ["TZ=UTC"],
  ports: [{ internal: 8080, external: 8484, ip: "0.0.0.0", protocol: "tcp" }],
  volumes: [{ hostPath: "/srv/storage", containerPath: "/app/flamenco-manager-storage", readOnly: false }],
  networksAdvanced: [{ name: "openstudiolandscapes-dev", aliases: ["flamenco-manager"] }],
  healthcheck: { tests: ["CMD", "true"], interval: "5s", timeout: "3s", startPeriod: "5s", retries: 6 },
  labels: [
    { label: "org.openstudiolandscapes.landscape", value: "dev" },
    { label: "org.openstudiolandscapes.flamenco.backup-guard", value: "backup1234" },
  ],
  wait: true,
  waitTimeout: 90,
  user: "1000:1000",
};

describe("docker provider stand-in: container", () => {
  it("answers no change for the same inputs", () => {
    expect(diffContainer(CONTAINER, { ...CONTAINER })).toMatchObject({ changes: false, replaces: [], diffs: [] });
  });

  it.each([
    ["restart", { restart: "no" }, { restart: "update" }],
    ["waitTimeout", { waitTimeout: 60 }, { waitTimeout: "update" }],
    [
      "healthcheck.interval",
      { healthcheck: { ...CONTAINER.healthcheck, interval: "10s" } },
      { "healthcheck.interval": "update" },
    ],
    ["destroyGraceSeconds added", { destroyGraceSeconds: 30 }, { destroyGraceSeconds: "add" }],
  ])("updates in place for %s, deleting nothing", (_what, change, detailedDiff) => {
    const answer = diffContainer(CONTAINER, { ...CONTAINER, ...change });
    expect(answer).toMatchObject({ changes: true, replaces: [], deleteBeforeReplace: false, detailedDiff });
  });

  it.each([
    [
      "a label's value",
      { labels: [CONTAINER.labels[0], { ...CONTAINER.labels[1], value: "backup5678" }] },
      "labels",
      { "labels[1].value": "update-replace" },
    ],
    [
      "the published port",
      { ports: [{ ...CONTAINER.ports[0], external: 9484 }] },
      "ports",
      { "ports[0].external": "update-replace" },
    ],
    ["the image", { image: "sha256:bbbb" }, "image", { image: "update-replace" }],
    ["an environment variable", { envs: ["TZ=Europe/Zurich"] }, "envs", { "envs[0]": "update-replace" }],
    ["a volume", { volumes: [{ ...CONTAINER.volumes[0], readOnly: true }] }, "volumes", { volumes: "update-replace" }],
    [
      "a network alias",
      { networksAdvanced: [{ name: "openstudiolandscapes-dev", aliases: ["x"] }] },
      "networksAdvanced",
      { networksAdvanced: "update-replace" },
    ],
    ["the command", { command: ["/app/other-manager"] }, "command", { "command[0]": "update-replace" }],
  ])("replaces it, deleting first, for %s", (_what, change, key, detailedDiff) => {
    const answer = diffContainer(CONTAINER, { ...CONTAINER, ...change });
    expect(answer).toMatchObject({ changes: true, replaces: [key], diffs: [key], deleteBeforeReplace: true });
    expect(answer.detailedDiff).toEqual(detailedDiff);
  });

  it("answers no change when the engine makes all labels, or all variables, unknown (its dependent-replacement probe)", () => {
    expect(diffContainer(CONTAINER, { ...CONTAINER, labels: UNKNOWN })).toMatchObject({ changes: false, replaces: [] });
    expect(diffContainer(CONTAINER, { ...CONTAINER, envs: UNKNOWN })).toMatchObject({ changes: false, replaces: [] });
  });

  it("replaces it when the engine makes the image, ports or command unknown", () => {
    for (const key of ["image", "ports", "command"]) {
      expect(diffContainer(CONTAINER, { ...CONTAINER, [key]: UNKNOWN })).toMatchObject({ replaces: [key] });
    }
  });

  it("suppresses a removed user, as its diff-suppress function does", () => {
    const withoutUser: Record<string, unknown> = { ...CONTAINER };
    delete withoutUser.user;
    expect(diffContainer(CONTAINER, withoutUser).changes).toBe(false);
  });

  it("fills in the bridge's defaults on Check and refuses what it does not implement", () => {
    const { inputs, failures } = checkContainer({ name: "c", image: "i", ports: [{ internal: 80 }], privileged: true });
    expect(inputs).toMatchObject({
      restart: "no",
      networkMode: "bridge",
      waitTimeout: 60,
      mustRun: true,
      start: true,
      removeVolumes: true,
      ports: [{ internal: 80, ip: "0.0.0.0", protocol: "tcp" }],
    });
    expect(failures.map((failure) => failure.property)).toEqual(["privileged"]);
    expect(checkContainer({ name: "c", image: "i", restart: "sometimes" }).failures[0].reason).toContain(
      "'sometimes' doesn't match the pattern '^(no|on-failure|always|unless-stopped)$'",
    );
  });

  it("writes health check durations back as Go prints them", () => {
    expect(["5s", "1m", "90s", "1h30m", "0s"].map(goDurationString)).toEqual(["5s", "1m0s", "1m30s", "1h30m0s", "0s"]);
  });
});

describe("docker provider stand-in: network, image, provider", () => {
  it("replaces a network for any change, deleting first when the name is given", () => {
    const network = { name: "n", labels: [{ label: "a", value: "1" }] };
    expect(diffNetwork(network, { ...network, labels: [{ label: "a", value: "2" }] })).toMatchObject({
      changes: true,
      replaces: ["labels"],
      deleteBeforeReplace: true,
      detailedDiff: { "labels[0].value": "update-replace" },
    });
    expect(diffNetwork(network, network).changes).toBe(false);
  });

  it("never replaces an image: any change is an update that builds again, top-level keys only", () => {
    const image = { imageName: "x:1", skipPush: true, build: { context: "/c", args: { A: "1" } } };
    const answer = diffImage(image, { ...image, build: { context: "/c", args: { A: "2" } } });
    expect(answer).toEqual({ changes: true, detailedDiff: { build: "update" } });
    expect(diffImage(image, image)).toEqual({ changes: false, detailedDiff: {} });
  });

  it("digests the build context on Check, ignoring what .dockerignore excludes", () => {
    const context = fs.mkdtempSync(path.join(os.tmpdir(), "context-"));
    try {
      fs.writeFileSync(path.join(context, "Dockerfile"), "FROM scratch\n");
      fs.writeFileSync(path.join(context, "release.tar.gz"), "one");
      fs.writeFileSync(path.join(context, ".dockerignore"), "notes.txt\n");
      const digest = () =>
        (checkImage({ imageName: "x:1", build: { context } }).inputs.build as { contextDigest: string }).contextDigest;
      const first = digest();
      fs.writeFileSync(path.join(context, "notes.txt"), "ignored");
      expect(digest()).toBe(first);
      fs.writeFileSync(path.join(context, "release.tar.gz"), "two");
      expect(digest()).not.toBe(first);
    } finally {
      fs.rmSync(context, { recursive: true, force: true });
    }
  });

  it("updates the provider for a changed host, never replacing it", () => {
    expect(diffProviderConfig({ host: "unix:///a.sock" }, { host: "unix:///b.sock" })).toMatchObject({
      changes: true,
      diffs: ["host"],
    });
    expect(diffProviderConfig({ host: "unix:///a.sock" }, { host: "unix:///b.sock" }).replaces).toBeUndefined();
  });
});

describe("command provider stand-in", () => {
  const command = { create: "node a.js", delete: "node b.js", environment: { FOO: "one" }, triggers: ["d1"] };

  it("updates for a changed environment, naming the variable's path", () => {
    expect(commandDiff(command, { ...command, environment: { FOO: "two" } })).toEqual({
      changes: true,
      diffs: ["environment"],
      replaces: [],
      detailedDiff: { "environment.FOO": "update" },
    });
  });

  it("reports a changed trigger element as an update: the SDK's replaceOnChanges makes it a replace", () => {
    expect(commandDiff(command, { ...command, triggers: ["d2"] })).toEqual({
      changes: true,
      diffs: ["triggers"],
      replaces: [],
      detailedDiff: { "triggers[0]": "update" },
    });
  });

  it("replaces for triggers made wholly unknown, or removed", () => {
    expect(commandDiff(command, { ...command, triggers: UNKNOWN })).toMatchObject({
      replaces: ["triggers"],
      detailedDiff: { triggers: "update-replace" },
    });
    const withoutTriggers: Record<string, unknown> = { ...command };
    delete withoutTriggers.triggers;
    expect(commandDiff(command, withoutTriggers)).toMatchObject({
      replaces: ["triggers"],
      detailedDiff: { triggers: "delete-replace" },
    });
  });

  it("answers no change for the same inputs", () => {
    expect(commandDiff(command, { ...command }).changes).toBe(false);
  });
});
