/**
 * Config that Docker, the manager or the host would refuse at `pulumi up` (or that would
 * clobber data or leak a secret) is refused by parseSettings, in the one config error.
 * Each case names the key, the value it got and what it accepts.
 */
import { rawStackConfig } from "../../components/config/decode";
import { parseSettings, PROJECT, SettingsContext } from "../../components/config/settings";
import { configErrorOf, CONTEXT, HOME, lineFor } from "./support/configErrors";

const ROOT = `${HOME}/.openstudiolandscapes/landscapes`;
const FEATURE_DIRECTORY = `${ROOT}/dev/OpenStudioLandscapes-Flamenco`;
const SHA = "b".repeat(64);
const MQTT = { broker: "tcp://mqtt.lan:1883" };

type RefusalCase = [title: string, raw: Record<string, unknown>, key: string, got: unknown, hint: string];

function expectOneRefusal(
  raw: Record<string, unknown>,
  key: string,
  got: unknown,
  hint: string,
  context: SettingsContext = CONTEXT,
): void {
  const error = configErrorOf(raw, context);
  expect(error.problems.map((problem) => problem.key)).toEqual([`${PROJECT}:${key}`]);
  expect(error.problems[0].got).toEqual(got);
  const line = lineFor(error, key);
  expect(line).toContain(`got ${JSON.stringify(got)}`);
  expect(line).toContain(hint);
}

describe("rules Docker would otherwise enforce at up", () => {
  const cases: RefusalCase[] = [
    ["network.name host", { network: { name: "host" } }, "network.name", "host", "not host, bridge or none"],
    ["network.name bridge", { network: { name: "bridge" } }, "network.name", "bridge", "not host, bridge or none"],
    ["network.name none", { network: { name: "none" } }, "network.name", "none", "not host, bridge or none"],
    [
      "a manager hostname <alias>.<domain> over 64 characters",
      { network: { domain: `${"d".repeat(50)}.lan` } },
      "network.domain",
      `${"d".repeat(50)}.lan`,
      `the manager's hostname "flamenco-manager.${"d".repeat(50)}.lan" has 71 characters; Docker allows at most 64`,
    ],
    [
      "a hostname too long by its alias alone: the alias is blamed",
      { network: { alias: "a".repeat(40) } },
      "network.alias",
      "a".repeat(40),
      `the manager's hostname "${"a".repeat(40)}.openstudiolandscapes.lan" has 65 characters`,
    ],
    [
      "a hostname too long with alias and domain both set: the domain is blamed",
      { network: { alias: "a".repeat(40), domain: "openstudiolandscapes.lan" } },
      "network.domain",
      "openstudiolandscapes.lan",
      "has 65 characters; Docker allows at most 64",
    ],
    [
      "an image tag <landscape>-<version> over 128 characters",
      { landscape: "l".repeat(60), flamencoVersion: `3.7-${"v".repeat(70)}` },
      "flamencoVersion",
      `3.7-${"v".repeat(70)}`,
      "has 135 characters; Docker allows at most 128",
    ],
    [
      "a release archive of another version than the default flamencoVersion",
      { flamencoRelease: { url: "https://mirror.studio.lan/flamenco/flamenco-3.6-linux-amd64.tar.gz" } },
      "flamencoVersion",
      "3.7",
      'the version of the archive in flamencoRelease.url ("3.6"), so the image tag names what it holds',
    ],
    [
      "an environment name starting with a digit",
      { environment: { "1ST": "x" } },
      "environment.1ST",
      "x",
      "[A-Za-z_][A-Za-z0-9_]*",
    ],
    ["an environment name with '='", { environment: { "A=B": "x" } }, "environment.A=B", "x", "[A-Za-z_][A-Za-z0-9_]*"],
    [
      "an environment value with NUL",
      { environment: { GREETING: "hello\u0000world" } },
      "environment.GREETING",
      "hello\u0000world",
      "without NUL",
    ],
    [
      "PATH in the manager's environment",
      { environment: { PATH: "/opt/bin" } },
      "environment.PATH",
      "/opt/bin",
      "TZ and PATH are set by the program",
    ],
    [
      "a worker environment value with NUL",
      { workers: [{ name: "local", count: 1, environment: { JOB: "a\u0000b" } }] },
      "workers.0.environment.JOB",
      "a\u0000b",
      "without NUL",
    ],
    [
      "PATH in a worker's environment",
      { workers: [{ name: "local", count: 1, environment: { PATH: "/opt/bin" } }] },
      "workers.0.environment.PATH",
      "/opt/bin",
      "TZ, PATH, FLAMENCO_HOME and FLAMENCO_WORKER_NAME are set by the program",
    ],
    [
      "FLAMENCO_HOME in a worker's environment",
      { workers: [{ name: "local", count: 1, environment: { FLAMENCO_HOME: "/tmp/w" } }] },
      "workers.0.environment.FLAMENCO_HOME",
      "/tmp/w",
      "TZ, PATH, FLAMENCO_HOME and FLAMENCO_WORKER_NAME are set by the program",
    ],
    [
      "FLAMENCO_WORKER_NAME in a worker's environment",
      { workers: [{ name: "local", count: 1, environment: { FLAMENCO_WORKER_NAME: "w1" } }] },
      "workers.0.environment.FLAMENCO_WORKER_NAME",
      "w1",
      "TZ, PATH, FLAMENCO_HOME and FLAMENCO_WORKER_NAME are set by the program",
    ],
    [
      "a duration beyond Go's int64 nanoseconds",
      { manager: { taskTimeout: "2562048h" } },
      "manager.taskTimeout",
      "2562048h",
      "at most 2562047h47m16.854775807s",
    ],
    [
      "a shaman duration one nanosecond beyond int64",
      { manager: { shaman: { garbageCollect: { maxAge: "9223372036854775808ns" } } } },
      "manager.shaman.garbageCollect.maxAge",
      "9223372036854775808ns",
      "at most 2562047h47m16.854775807s",
    ],
    [
      "managerUser uid 0",
      { managerUser: "0" },
      "managerUser",
      "0",
      "a uid other than 0 (root), unless allowRootUser is true",
    ],
    [
      "managerUser 0:0",
      { managerUser: "0:0" },
      "managerUser",
      "0:0",
      "a uid other than 0 (root), unless allowRootUser is true",
    ],
    ["allowRootUser that is not a boolean", { allowRootUser: "yes" }, "allowRootUser", "yes", "true or false"],
  ];

  it.each(cases)("refuses %s", (_title, raw, key, got, hint) => {
    expectOneRefusal(raw, key, got, hint);
  });

  it("accepts the longest values these limits allow", () => {
    const fqdn64 = { alias: "flamenco-manager", domain: `${"d".repeat(43)}.lan` };
    expect(`${fqdn64.alias}.${fqdn64.domain}`).toHaveLength(64);
    const settings = parseSettings(
      {
        network: fqdn64,
        landscape: "l".repeat(60),
        flamencoVersion: `3.7-${"v".repeat(63)}`,
        manager: { taskTimeout: "2562047h47m16.854775807s" },
      },
      CONTEXT,
    );
    expect(settings.network.domain).toBe(fqdn64.domain);
    expect(`${settings.landscape}-${settings.release.version}`).toHaveLength(128);
  });

  it("takes a release archive of the version flamencoVersion names, or one not named like an official archive", () => {
    const mirror = "https://mirror.studio.lan/flamenco";
    const matching = { flamencoVersion: "3.6", flamencoRelease: { url: `${mirror}/flamenco-3.6-linux-amd64.tar.gz` } };
    expect(parseSettings(matching, CONTEXT).release.version).toBe("3.6");
    const ownBuild = { flamencoRelease: { url: `${mirror}/studio-build.tar.gz`, sha256: SHA } };
    expect(parseSettings(ownBuild, CONTEXT).release.version).toBe("3.7");
  });

  it("runs the manager as root only with allowRootUser: true", () => {
    expect(parseSettings({ managerUser: "0:0", allowRootUser: true }, CONTEXT).managerUser).toBe("0:0");
    expect(parseSettings({ managerUser: "1000:0" }, CONTEXT).managerUser).toBe("1000:0");
  });

  it("refuses an mqttPassword without manager.mqtt, without showing it", () => {
    const password = "orphan-password-123";
    const context = { ...CONTEXT, mqttPasswordIsSecret: true };
    const error = configErrorOf({ mqttPassword: password }, context);
    expect(error.problems.map((problem) => problem.key)).toEqual([`${PROJECT}:mqttPassword`]);
    const line = lineFor(error, "mqttPassword");
    expect(line).toContain('got "a value (not shown)"');
    expect(line).toContain("manager.mqtt with a broker: the password is only used for it");
    expect(error.message).not.toContain(password);
    expect(parseSettings({ mqttPassword: password, manager: { mqtt: MQTT } }, context).hasMqttPassword).toBe(true);
  });

  it("reports these rules together with every other problem in ONE error", () => {
    const error = configErrorOf({
      network: { name: "host" },
      managerUser: "0",
      environment: { PATH: "/x" },
      manager: { workerTimeout: "3000000h" },
      logLevel: "loud",
    });
    expect(error.problems.map((problem) => problem.key).sort()).toEqual(
      ["environment.PATH", "logLevel", "manager.workerTimeout", "managerUser", "network.name"].map(
        (key) => `${PROJECT}:${key}`,
      ),
    );
    expect(error.message).toContain(": 5 problems");
  });
});

describe("storage is never clobbered", () => {
  const cases: RefusalCase[] = [
    [
      "sharedStorage equal to storage",
      { storage: "/srv/flamenco", sharedStorage: "/srv/flamenco/" },
      "sharedStorage",
      "/srv/flamenco/",
      'a directory apart from every other one the program uses: it is the same as storage ("/srv/flamenco")',
    ],
    [
      "sharedStorage inside storage",
      { storage: "/srv/flamenco", sharedStorage: "/srv/flamenco/shared" },
      "sharedStorage",
      "/srv/flamenco/shared",
      'it is inside storage ("/srv/flamenco")',
    ],
    [
      "storage inside sharedStorage",
      { storage: "/mnt/projects/db", sharedStorage: "/mnt/projects" },
      "sharedStorage",
      "/mnt/projects",
      'it contains storage ("/mnt/projects/db")',
    ],
    [
      "storage holding the config file",
      { storage: "{DOT_LANDSCAPES}/{LANDSCAPE}/{FEATURE}" },
      "storage",
      "{DOT_LANDSCAPES}/{LANDSCAPE}/{FEATURE}",
      `it contains the config file ("${FEATURE_DIRECTORY}/flamenco-manager.yaml")`,
    ],
    [
      "storage in the image build context, which each release fetch replaces",
      { storage: "{DOT_LANDSCAPES}/{LANDSCAPE}/{FEATURE}/image-context/db" },
      "storage",
      "{DOT_LANDSCAPES}/{LANDSCAPE}/{FEATURE}/image-context/db",
      `it is inside the image build context ("${FEATURE_DIRECTORY}/image-context")`,
    ],
    [
      "sharedStorage holding the release cache",
      { sharedStorage: "{DOT_LANDSCAPES}" },
      "sharedStorage",
      "{DOT_LANDSCAPES}",
      `it contains the release cache ("${ROOT}/.cache/flamenco-releases")`,
    ],
    [
      "a local workersRoot inside storage",
      { storage: "/srv/db", workers: [{ name: "local", count: 1, workersRoot: "/srv/db/workers" }] },
      "workers.0.workersRoot",
      "/srv/db/workers",
      'it is inside storage ("/srv/db")',
    ],
    [
      "storage inside a local host's default workersRoot: storage is the key the stack sets, so it is blamed",
      { storage: "{DOT_LANDSCAPES}/{LANDSCAPE}/{FEATURE}/workers/db", workers: [{ name: "local", count: 1 }] },
      "storage",
      "{DOT_LANDSCAPES}/{LANDSCAPE}/{FEATURE}/workers/db",
      `it is inside workers.0.workersRoot ("${FEATURE_DIRECTORY}/workers")`,
    ],
    ["storage with ':'", { storage: "/srv/a:b" }, "storage", "/srv/a:b", "without ':' or ','"],
    ["sharedStorage with ','", { sharedStorage: "/mnt/x,y" }, "sharedStorage", "/mnt/x,y", "without ':' or ','"],
    ["landscapesRoot with ':'", { landscapesRoot: "/srv/l:x" }, "landscapesRoot", "/srv/l:x", "without ':' or ','"],
    [
      "a worker host's workersRoot with ':'",
      { workers: [{ name: "local", count: 1, workersRoot: "/srv/w:1" }] },
      "workers.0.workersRoot",
      "/srv/w:1",
      "without ':' or ','",
    ],
    [
      "a remote worker host's sharedStorage with ','",
      { workers: [{ name: "render-01", dockerHost: "ssh://render@render-01", count: 1, sharedStorage: "/mnt/a,b" }] },
      "workers.0.sharedStorage",
      "/mnt/a,b",
      "without ':' or ','",
    ],
  ];

  it.each(cases)("refuses %s", (_title, raw, key, got, hint) => {
    expectOneRefusal(raw, key, got, hint);
  });

  it("lets a host with a dockerHost use paths that exist only on that host", () => {
    const settings = parseSettings(
      {
        storage: "/srv/db",
        workers: [
          {
            name: "render-01",
            dockerHost: "ssh://render@render-01",
            count: 1,
            sharedStorage: "/srv/db",
            workersRoot: "/srv/db/w",
          },
        ],
      },
      CONTEXT,
    );
    expect(settings.workers[0].workersRoot).toBe("/srv/db/w");
  });

  it("lets two local hosts share a workersRoot: each worker has its own directory in it", () => {
    const hosts = [
      { name: "a", count: 1, workersRoot: "/srv/workers" },
      { name: "b", count: 1, workersRoot: "/srv/workers" },
    ];
    expect(parseSettings({ workers: hosts }, CONTEXT).workers.map((host) => host.workersRoot)).toEqual([
      "/srv/workers",
      "/srv/workers",
    ]);
  });

  it("refuses storage that exists as a file or a symlink to one", () => {
    const existing: Record<string, "directory" | "other"> = { "/srv/db": "other", "/mnt/projects": "other" };
    const context: SettingsContext = { ...CONTEXT, pathKind: (hostPath) => existing[hostPath] ?? "missing" };
    const error = configErrorOf({ storage: "/srv/db", sharedStorage: "/mnt/projects" }, context);
    expect(error.problems.map((problem) => problem.key)).toEqual([`${PROJECT}:storage`, `${PROJECT}:sharedStorage`]);
    expect(lineFor(error, "storage")).toContain(
      'got "/srv/db"; expected a directory or a path that does not exist yet ("/srv/db" exists and is not a directory)',
    );
  });

  it("accepts storage that exists as a directory", () => {
    const context: SettingsContext = { ...CONTEXT, pathKind: () => "directory" };
    expect(parseSettings({ storage: "/srv/db" }, context).storage.manager).toBe("/srv/db");
  });
});

describe("secrets stay private", () => {
  it("refuses a release url with credentials and does not echo the password", () => {
    const url = "https://render:hunter2@mirror.studio.lan/flamenco-3.7-linux-amd64.tar.gz";
    const error = configErrorOf({ flamencoRelease: { url, sha256: SHA } });
    expect(error.problems.map((problem) => problem.key)).toEqual([`${PROJECT}:flamencoRelease.url`]);
    expect(lineFor(error, "flamencoRelease.url")).toContain("a URL without credentials (user:password@)");
    expect(error.message).not.toContain("hunter2");
    expect(lineFor(error, "flamencoRelease.url")).toContain("render:(not shown)@mirror.studio.lan");
  });

  it("refuses a release url with only a user name", () => {
    const url = "https://render@mirror.studio.lan/flamenco-3.7-linux-amd64.tar.gz";
    expectOneRefusal(
      { flamencoRelease: { url, sha256: SHA } },
      "flamencoRelease.url",
      url,
      "a URL without credentials (user:password@)",
    );
  });

  it("never echoes a password in a manager value that is not valid JSON", () => {
    const raw = rawStackConfig({ [`${PROJECT}:manager`]: "{mqtt: {broker: tcp://mqtt.lan:1883, password: hunter2}}" });
    const error = configErrorOf(raw);
    expect(error.problems.map((problem) => problem.key)).toEqual([`${PROJECT}:manager`]);
    expect(error.message).not.toContain("hunter2");
    expect(lineFor(error, "manager")).toContain("not shown");
  });

  it("never echoes a password in any string value that carries one", () => {
    const error = configErrorOf({ workers: "name: a, token=abc123secret", bogus: "password=hunter2" });
    expect(error.problems).toHaveLength(2);
    expect(error.message).not.toContain("abc123secret");
    expect(error.message).not.toContain("hunter2");
  });
});

describe("releases come only from where the config says", () => {
  const sha256Hint = "http://, file:// and local paths need the archive's sha256";
  it.each([
    [
      "an http:// url named like an official archive",
      "http://mirror.studio.lan/flamenco/flamenco-3.7-linux-amd64.tar.gz",
    ],
    ["a file:// url named like an official archive", "file:///srv/mirror/flamenco-3.7-linux-amd64.tar.gz"],
    ["an absolute path named like an official archive", "/srv/mirror/flamenco-3.7-linux-amd64.tar.gz"],
  ])("refuses %s without a sha256", (_title, url) => {
    const error = configErrorOf({ flamencoRelease: { url } });
    expect(error.problems.map((problem) => problem.key)).toEqual([`${PROJECT}:flamencoRelease.sha256`]);
    expect(lineFor(error, "flamencoRelease.sha256")).toContain(sha256Hint);
  });

  it.each([
    "http://mirror.studio.lan/flamenco/flamenco-3.7-linux-amd64.tar.gz",
    "file:///srv/mirror/flamenco-3.7-linux-amd64.tar.gz",
    "/srv/mirror/flamenco-3.7-linux-amd64.tar.gz",
  ])("accepts %s with a sha256 and verifies against it alone", (url) => {
    expect(parseSettings({ flamencoRelease: { url, sha256: SHA } }, CONTEXT).release.verification).toEqual({
      kind: "sha256",
      sha256: SHA,
    });
  });
});
