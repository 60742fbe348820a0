/** Stack config and FlamencoLandscape's arguments: one set of settings, two spellings. */
import { ARGS_HINT, argsToStackConfig, settingsFromArgs, stackConfigToArgs } from "../../components/argsMapping";
import { ConfigError } from "../../components/config/errors";
import { parseSettings } from "../../components/config/settings";
import type { FlamencoLandscapeArgs } from "../../components/flamencoLandscapeArgs";

const CONTEXT = { name: "dev", stack: "dev", homeDirectory: "/home/artist" };

/** Stack config that sets every key the arguments spell differently, and a few others. */
const STACK_CONFIG = {
  landscape: "farm",
  flamencoVersion: "3.7",
  flamencoRelease: { url: "https://mirror.studio.lan/flamenco-3.7-linux-amd64.tar.gz", sha256: "a".repeat(64) },
  managerPortHost: 9484,
  environment: { RENDER_QUEUE: "night", RETRIES: 3, VERBOSE: true },
  manager: { managerName: "Studio", shaman: { enabled: false } },
  workers: [
    { name: "local", count: 2 },
    { name: "gpu-01", dockerHost: "ssh://render@gpu-01", count: 1, gpus: "all", sharedStorage: "/mnt/projects" },
    {
      name: "gpu-02",
      dockerHost: "ssh://render@gpu-02",
      count: 1,
      gpus: 2,
      sharedStorage: "/mnt/projects",
      environment: { N: 1 },
    },
  ],
};

describe("stack config as arguments", () => {
  it("spells the release's url and sha256, all GPUs and a GPU count as separate arguments", () => {
    const args = stackConfigToArgs(STACK_CONFIG);
    expect(args).toMatchObject({
      flamencoReleaseUrl: "https://mirror.studio.lan/flamenco-3.7-linux-amd64.tar.gz",
      flamencoReleaseSha256: "a".repeat(64),
      environment: { RENDER_QUEUE: "night", RETRIES: "3", VERBOSE: "true" },
    });
    expect(args.workers).toEqual([
      { name: "local", count: 2 },
      { name: "gpu-01", dockerHost: "ssh://render@gpu-01", count: 1, allGpus: true, sharedStorage: "/mnt/projects" },
      {
        name: "gpu-02",
        dockerHost: "ssh://render@gpu-02",
        count: 1,
        gpuCount: 2,
        sharedStorage: "/mnt/projects",
        environment: { N: "1" },
      },
    ]);
    expect(args).not.toHaveProperty("flamencoRelease");
  });

  it("gives back the same settings through the arguments as from the stack config itself", () => {
    const direct = parseSettings(STACK_CONFIG, CONTEXT);
    const throughArgs = settingsFromArgs(stackConfigToArgs(STACK_CONFIG), CONTEXT);
    expect(throughArgs).toEqual(direct);
  });

  it("maps the arguments back onto the stack config keys, values as the schema reads them", () => {
    const args: FlamencoLandscapeArgs = {
      flamencoReleaseUrl: "file:///srv/flamenco.tar.gz",
      flamencoReleaseSha256: "b".repeat(64),
      workers: [
        { name: "a", count: 1, allGpus: true },
        { name: "b", count: 1, gpuCount: 1 },
      ],
    };
    expect(argsToStackConfig(args)).toEqual({
      flamencoRelease: { url: "file:///srv/flamenco.tar.gz", sha256: "b".repeat(64) },
      workers: [
        { name: "a", count: 1, gpus: "all" },
        { name: "b", count: 1, gpus: 1 },
      ],
    });
    expect(argsToStackConfig({})).toEqual({});
  });

  it("leaves the password out of the stack config keys: it stays a secret", () => {
    expect(argsToStackConfig({ mqttPassword: "hunter2" })).toEqual({});
  });
});

describe("bad arguments", () => {
  function problemsOf(args: FlamencoLandscapeArgs): string {
    try {
      settingsFromArgs(args, CONTEXT);
    } catch (error) {
      if (error instanceof ConfigError) return error.message;
      throw error;
    }
    throw new Error("no error");
  }

  it("name every bad argument by its own name, with value and what it accepts, in one error", () => {
    const message = problemsOf({
      managerPortHost: 70000,
      flamencoReleaseUrl: "ftp://mirror/flamenco.tar.gz",
      workers: [{ name: "gpu", dockerHost: "ssh://r@gpu", count: 1, sharedStorage: "/mnt", gpuCount: 0 }],
    });
    expect(message.split("\n")).toEqual([
      'Invalid Flamenco landscape configuration (FlamencoLandscape "dev"): 3 problems',
      '  - flamencoReleaseUrl: got "ftp://mirror/flamenco.tar.gz"; expected an https://, http:// or file:// URL, or an absolute path',
      "  - managerPortHost: got 70000; expected an integer from 1 to 65535",
      "  - workers.0.gpuCount: got 0; expected all or a whole number of GPUs from 1 upwards",
      ARGS_HINT,
    ]);
  });

  it("refuse a render host or an environment given as a list, showing the list as it was given", () => {
    const message = problemsOf({ workers: [["local", 2]], environment: ["A=1"] } as unknown as FlamencoLandscapeArgs);
    expect(message).toContain('  - workers.0: got ["local",2]; expected an object {name, ');
    expect(message).toContain('  - environment: got ["A=1"]; expected a map of variable names');
  });

  it("refuse all GPUs and a count for the same host", () => {
    expect(problemsOf({ workers: [{ name: "gpu", count: 1, allGpus: true, gpuCount: 2 }] })).toContain(
      "workers.0.allGpus: got true; expected allGpus or gpuCount, not both",
    );
  });

  it("refuse an argument that is not one", () => {
    expect(problemsOf({ managerPort: 1 } as FlamencoLandscapeArgs)).toContain(
      "managerPort: got 1; expected no such key",
    );
  });

  it("take the mqtt password only with a broker, as stack config does", () => {
    expect(problemsOf({ mqttPassword: "hunter2" })).toContain("mqttPassword");
    expect(problemsOf({ mqttPassword: "hunter2" })).not.toContain("hunter2");
  });
});
