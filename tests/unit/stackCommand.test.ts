/** `npm run up|preview|destroy|refresh -- [stack] [flags]`: arguments and prerequisites. */
import { DEFAULT_STACK, parseStackCommand, UsageError } from "../../tools/stackCommand/arguments";
import { passphraseFromEnvironment } from "../../tools/stackCommand/passphrase";
import {
  DOCKER_HINT,
  dockerEndpoint,
  missingPrerequisites,
  pingDocker,
  PULUMI_INSTALL_HINT,
} from "../../tools/stackCommand/prerequisites";
import * as http from "http";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

describe("stack command arguments", () => {
  it("manages the dev stack when none is named", () => {
    expect(parseStackCommand("up", [])).toEqual({
      action: "up",
      stack: DEFAULT_STACK,
      expectNoChanges: false,
      diff: false,
      refresh: false,
      targets: [],
    });
    expect(DEFAULT_STACK).toBe("dev");
  });

  it("takes the stack as the first word and the pulumi flags around it", () => {
    expect(parseStackCommand("up", ["show-42", "--expect-no-changes", "--yes"])).toMatchObject({
      stack: "show-42",
      expectNoChanges: true,
    });
    expect(parseStackCommand("up", ["--refresh", "show-42"])).toMatchObject({ stack: "show-42", refresh: true });
    expect(parseStackCommand("destroy", ["-y", "farm"])).toMatchObject({ action: "destroy", stack: "farm" });
  });

  it("always shows the property diff on preview, on up only when asked", () => {
    expect(parseStackCommand("preview", []).diff).toBe(true);
    expect(parseStackCommand("up", []).diff).toBe(false);
    expect(parseStackCommand("up", ["--diff"]).diff).toBe(true);
  });

  it("collects every --target", () => {
    expect(parseStackCommand("up", ["dev", "--target", "urn:a", "--target", "urn:b"]).targets).toEqual([
      "urn:a",
      "urn:b",
    ]);
  });

  it("takes --event-log <file>, as pulumi's own flag, for the engine's events", () => {
    expect(parseStackCommand("preview", ["dev", "--event-log", "/tmp/events.jsonl"]).eventLog).toBe(
      "/tmp/events.jsonl",
    );
    expect(parseStackCommand("preview", ["dev"]).eventLog).toBeUndefined();
  });

  it.each([
    ["--event-log without a file", "up", ["--event-log"], "--event-log needs a file"],
    ["an unknown action", "apply", [], 'unknown action "apply"; expected one of up, preview, destroy, refresh'],
    ["an unknown flag", "up", ["--force"], 'unknown flag "--force"'],
    ["two stacks", "up", ["a", "b"], 'one stack at a time: got "a" and "b"'],
    [
      "a stack name with a slash",
      "up",
      ["org/dev"],
      "stack \"org/dev\": a stack name has only letters, digits, '-', '_' and '.'",
    ],
    ["--target without a URN", "up", ["--target"], "--target needs a resource URN"],
    ["--refresh on refresh", "refresh", ["--refresh"], "--refresh: refresh always refreshes"],
  ])("refuses %s, saying what it got", (_what, action, argv, message) => {
    expect(() => parseStackCommand(action, argv)).toThrow(UsageError);
    expect(() => parseStackCommand(action, argv)).toThrow(message);
  });
});

describe("stack command prerequisites", () => {
  const present = { pulumiVersion: async () => "v3.259.0", pingDocker: async () => true as const };

  it("needs nothing more when the CLI and an engine are there", async () => {
    await expect(missingPrerequisites({}, present)).resolves.toEqual([]);
  });

  it("names a missing CLI with the install page and the set-up command", async () => {
    const problems = await missingPrerequisites({}, { ...present, pulumiVersion: async () => undefined });
    expect(problems).toEqual([`No pulumi CLI on PATH: ${PULUMI_INSTALL_HINT}.`]);
    expect(PULUMI_INSTALL_HINT).toContain("https://www.pulumi.com/docs/install/");
    expect(PULUMI_INSTALL_HINT).toContain("npm run engine:setup");
  });

  it("names the Docker endpoint that does not answer, with the way out", async () => {
    const problems = await missingPrerequisites(
      { DOCKER_HOST: "unix:///run/other.sock" },
      { ...present, pingDocker: async () => false },
    );
    expect(problems).toEqual([`No Docker engine answers at unix:///run/other.sock: ${DOCKER_HINT}.`]);
    expect(DOCKER_HINT).toContain("npm run engine:setup");
  });

  it("lists both problems at once", async () => {
    const problems = await missingPrerequisites(
      {},
      { pulumiVersion: async () => undefined, pingDocker: async () => false },
    );
    expect(problems).toHaveLength(2);
  });

  it("does not probe an ssh:// engine, and does not count it missing", async () => {
    await expect(pingDocker("ssh://render@render-01")).resolves.toBe("not-probed");
    const problems = await missingPrerequisites(
      { DOCKER_HOST: "ssh://render@render-01" },
      { ...present, pingDocker: async () => "not-probed" as const },
    );
    expect(problems).toEqual([]);
  });

  it("looks for the engine at DOCKER_HOST, else at the local socket", () => {
    expect(dockerEndpoint({})).toBe("unix:///var/run/docker.sock");
    expect(dockerEndpoint({ DOCKER_HOST: "" })).toBe("unix:///var/run/docker.sock");
    expect(dockerEndpoint({ DOCKER_HOST: "tcp://127.0.0.1:2375" })).toBe("tcp://127.0.0.1:2375");
  });

  it("pings an engine on a unix socket: 200 answers, a missing socket does not", async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "ping-"));
    const socket = path.join(directory, "docker.sock");
    const server = http.createServer((request, response) => {
      response.writeHead(request.url === "/_ping" ? 200 : 404).end("OK");
    });
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      await expect(pingDocker(`unix://${socket}`)).resolves.toBe(true);
      await expect(pingDocker(`unix://${socket}.missing`)).resolves.toBe(false);
    } finally {
      server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe("stack command passphrase", () => {
  it("leaves the passphrase to the CLI when the environment has one, even an empty one", () => {
    expect(passphraseFromEnvironment({ PULUMI_CONFIG_PASSPHRASE: "" })).toBe(true);
    expect(passphraseFromEnvironment({ PULUMI_CONFIG_PASSPHRASE_FILE: "/run/secrets/p" })).toBe(true);
    expect(passphraseFromEnvironment({ PULUMI_CONFIG_PASSPHRASE_FILE: "" })).toBe(false);
    expect(passphraseFromEnvironment({})).toBe(false);
  });
});
