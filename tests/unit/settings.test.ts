import { parseSettings, PROJECT, Settings, SettingsContext } from "../../components/config/settings";
import { configErrorOf, CONTEXT, HOME, lineFor } from "./support/configErrors";

const ROOT = `${HOME}/.openstudiolandscapes/landscapes`;
const FEATURE = "OpenStudioLandscapes-Flamenco";
const SHA = "a".repeat(64);

/** The OpenStudioLandscapes-Flamenco feature's seed defaults this program replaces. */
const SEED = {
  flamenco_manager_port_host: 8484,
  flamenco_manager_port_container: 8080,
  flamenco_version: "3.7",
  flamenco_url: "https://flamenco.blender.org/downloads/flamenco-3.7-linux-amd64.tar.gz",
  enabled: true,
};

function settingsOf(raw: Record<string, unknown>, context: SettingsContext = CONTEXT): Settings {
  return parseSettings(raw, context);
}

describe("parseSettings defaults", () => {
  // Computed per test (not while collecting tests), so mutation testing runs only the tests that use it.
  let settings: Settings;
  beforeEach(() => {
    settings = settingsOf({});
  });

  it("uses the stack name as the landscape", () => {
    expect(settings.landscape).toBe("dev");
    expect(settingsOf({}, { stack: "studio-a", homeDirectory: HOME }).landscape).toBe("studio-a");
  });

  it("an explicit landscape wins over the stack name", () => {
    expect(settingsOf({ landscape: "prod" }).landscape).toBe("prod");
  });

  it("expands landscapesRoot ~/.openstudiolandscapes/landscapes against the given home directory", () => {
    expect(settings.landscapesRoot).toBe(ROOT);
    expect(settingsOf({}, { stack: "dev", homeDirectory: "/users/other" }).landscapesRoot).toBe(
      "/users/other/.openstudiolandscapes/landscapes",
    );
  });

  it("publishes 8484 on 0.0.0.0 to the container's 8080", () => {
    expect(settings.ports).toEqual({ host: 8484, container: 8080, bindAddress: "0.0.0.0" });
  });

  it("puts storage and shared storage under {DOT_LANDSCAPES}/{LANDSCAPE}/{FEATURE}", () => {
    expect(settings.storage).toEqual({
      manager: `${ROOT}/dev/${FEATURE}/storage`,
      shared: `${ROOT}/dev/${FEATURE}/shared_storage`,
    });
    expect(settings.featureDirectory).toBe(`${ROOT}/dev/${FEATURE}`);
  });

  it("equals the OpenStudioLandscapes-Flamenco seed defaults", () => {
    expect(settings.ports.host).toBe(SEED.flamenco_manager_port_host);
    expect(settings.ports.container).toBe(SEED.flamenco_manager_port_container);
    expect(settings.release.version).toBe(SEED.flamenco_version);
    expect(settings.release.url).toBe(SEED.flamenco_url);
    expect(settings.enabled).toBe(SEED.enabled);
  });

  it("verifies the default release against the checksum list published beside it", () => {
    expect(settings.release.verification).toEqual({
      kind: "published-checksums",
      checksumsUrl: "https://flamenco.blender.org/downloads/flamenco-3.7.sha256",
    });
  });

  it("derives the network name from the landscape, with alias flamenco-manager and domain openstudiolandscapes.lan", () => {
    expect(settings.network).toEqual({
      name: "openstudiolandscapes-dev",
      alias: "flamenco-manager",
      domain: "openstudiolandscapes.lan",
    });
    expect(settingsOf({ landscape: "studio-b" }).network.name).toBe("openstudiolandscapes-studio-b");
  });

  it("has the documented image, runtime and manager defaults", () => {
    expect(settings.baseImage).toBe("debian:bookworm-slim");
    expect(settings.timezone).toBe("UTC");
    expect(settings.environment).toEqual({});
    expect(settings.logLevel).toBe("info");
    expect(settings.managerUser).toBe("1000:1000");
    expect(settings.restart).toBe("always");
    expect(settings.hasMqttPassword).toBe(false);
    expect(settings.manager.taskTimeout).toBe("10m");
    expect(settings.manager.workerTimeout).toBe("1m");
    expect(settings.manager.databaseCheckPeriod).toBe("10m");
    expect(settings.manager.blocklistThreshold).toBe(3);
    expect(settings.manager.taskFailAfterSoftfailCount).toBe(3);
    expect(settings.manager.mqtt).toBeUndefined();
    expect(Object.keys(settings.manager.variables)).toEqual(["blender", "blenderArgs"]);
  });

  it("keeps the release cache under the landscapes root, shared by all landscapes", () => {
    expect(settings.releaseCacheDirectory).toBe(`${ROOT}/.cache/flamenco-releases`);
    expect(settingsOf({ landscape: "other" }).releaseCacheDirectory).toBe(settings.releaseCacheDirectory);
  });

  it("does not share the default variables between parses", () => {
    const first = settingsOf({});
    first.manager.variables.blender.values[0].value = "changed";
    expect(settingsOf({}).manager.variables.blender.values[0].value).toBe("blender");
  });
});

describe("parseSettings accepted values", () => {
  it("accepts enabled false", () => {
    expect(settingsOf({ enabled: false }).enabled).toBe(false);
  });

  it("expands ~ in storage templates", () => {
    expect(settingsOf({ storage: "~/flamenco/storage" }).storage.manager).toBe(`${HOME}/flamenco/storage`);
  });

  it("substitutes {LANDSCAPE} and {FEATURE} in storage templates", () => {
    const settings = settingsOf({ landscape: "studio-a", sharedStorage: "/mnt/projects/{LANDSCAPE}/{FEATURE}" });
    expect(settings.storage.shared).toBe(`/mnt/projects/studio-a/${FEATURE}`);
  });

  it("uses custom absolute storage templates as given", () => {
    const settings = settingsOf({ storage: "/srv/flamenco/db", sharedStorage: "/mnt/shared" });
    expect(settings.storage).toEqual({ manager: "/srv/flamenco/db", shared: "/mnt/shared" });
  });

  it("puts the default storage under a custom landscapesRoot", () => {
    const settings = settingsOf({ landscapesRoot: "/srv/landscapes" });
    expect(settings.landscapesRoot).toBe("/srv/landscapes");
    expect(settings.storage.manager).toBe(`/srv/landscapes/dev/${FEATURE}/storage`);
    expect(settings.releaseCacheDirectory).toBe("/srv/landscapes/.cache/flamenco-releases");
  });

  it("accepts an official-named url on any host without sha256 and verifies it against the .sha256 beside it", () => {
    const settings = settingsOf({
      flamencoRelease: { url: "https://mirror.example.com/flamenco/flamenco-3.7-linux-amd64.tar.gz" },
    });
    expect(settings.release.url).toBe("https://mirror.example.com/flamenco/flamenco-3.7-linux-amd64.tar.gz");
    expect(settings.release.verification).toEqual({
      kind: "published-checksums",
      checksumsUrl: "https://mirror.example.com/flamenco/flamenco-3.7.sha256",
    });
  });

  it("accepts an absolute path with a sha256", () => {
    const settings = settingsOf({ flamencoRelease: { url: "/srv/mirror/custom-build.tar.gz", sha256: SHA } });
    expect(settings.release.url).toBe("/srv/mirror/custom-build.tar.gz");
    expect(settings.release.verification).toEqual({ kind: "sha256", sha256: SHA });
  });

  it.each(["UTC", "Europe/Zurich", "Asia/Kolkata", "Etc/GMT+5", "America/Argentina/Buenos_Aires"])(
    "accepts the time zone %s",
    (timezone) => {
      expect(settingsOf({ timezone }).timezone).toBe(timezone);
    },
  );

  it("accepts an IPv6 bind address", () => {
    expect(settingsOf({ managerBindAddress: "::1" }).ports.bindAddress).toBe("::1");
  });

  it("turns number and boolean environment values into strings", () => {
    expect(settingsOf({ environment: { RETRIES: 3, VERBOSE: true, NAME: "x" } }).environment).toEqual({
      RETRIES: "3",
      VERBOSE: "true",
      NAME: "x",
    });
  });

  it("accepts an mqttPassword stored as a secret", () => {
    const settings = settingsOf(
      { mqttPassword: "s3cr3t-pass", manager: { mqtt: { broker: "tcp://mqtt.lan:1883" } } },
      { ...CONTEXT, mqttPasswordIsSecret: true },
    );
    expect(settings.hasMqttPassword).toBe(true);
    expect(JSON.stringify(settings)).not.toContain("s3cr3t-pass");
  });
});

describe("parseSettings rejects bad config with the key, the value and what it accepts", () => {
  // Each rule's own message is tested in badConfig.test.ts; here: how the error is put together.
  it("reports a problem as one line: the namespaced key, the value as JSON and what is accepted", () => {
    const error = configErrorOf({ managerPortContainer: "8080" });
    expect(error.name).toBe("ConfigError");
    expect(error.problems).toEqual([
      { key: `${PROJECT}:managerPortContainer`, got: "8080", expected: "an integer from 1 to 65535" },
    ]);
    expect(error.message).toBe(
      [
        'Invalid Flamenco landscape configuration (stack "dev"): 1 problem',
        '  - flamenco-landscape:managerPortContainer: got "8080"; expected an integer from 1 to 65535',
        "Nothing was created. Fix these keys in the stack's file, Pulumi.<stack>.yaml, and run again.",
      ].join("\n"),
    );
  });

  it("rejects a release url that is not named like an official archive and has no sha256", () => {
    const error = configErrorOf({ flamencoRelease: { url: "https://mirror.example.com/flamenco-custom.tar.gz" } });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0].key).toBe(`${PROJECT}:flamencoRelease.sha256`);
    const line = lineFor(error, "flamencoRelease.sha256");
    expect(line).toContain("got nothing");
    expect(line).toContain("flamenco-<version>-linux-amd64.tar.gz");
  });

  it("names the stack when an invalid stack name is used as the default landscape", () => {
    const error = configErrorOf({}, { stack: "My Stack", homeDirectory: HOME });
    expect(error.problems.map((problem) => problem.key)).toEqual([`${PROJECT}:landscape`]);
    const line = lineFor(error, "landscape");
    expect(line).toContain('"My Stack"');
    expect(line).toContain("lowercase letters");
    expect(line).toContain("the stack name is used when landscape is not set");
  });

  it("does not blame the stack name when landscape is set explicitly", () => {
    const error = configErrorOf({ landscape: "Bad" }, { stack: "dev", homeDirectory: HOME });
    expect(lineFor(error, "landscape")).not.toContain("stack name");
  });

  it("refuses an mqtt password in plain config and never echoes it", () => {
    const password = "hunter2-plain-text";
    const error = configErrorOf({ manager: { mqtt: { broker: "tcp://mqtt.lan:1883", password } } });
    expect(error.problems.map((problem) => problem.key)).toEqual([`${PROJECT}:manager.mqtt.password`]);
    expect(error.message).not.toContain(password);
    expect(JSON.stringify(error.problems)).not.toContain(password);
    expect(lineFor(error, "manager.mqtt.password")).toContain("pulumi config set --secret mqttPassword");
  });

  it("never echoes a password nested in the value of a misplaced key", () => {
    // mqtt belongs under manager; a top-level mqtt object is an unknown key whose whole value is reported.
    const password = "hunter2-nested-secret";
    const error = configErrorOf({ mqtt: { broker: "tcp://mqtt.lan:1883", password } });
    expect(error.problems.map((problem) => problem.key)).toEqual([`${PROJECT}:mqtt`]);
    expect(lineFor(error, "mqtt")).toContain("no such key");
    expect(error.message).not.toContain(password);
    expect(JSON.stringify(error.problems)).not.toContain(password);
  });

  it("refuses an mqttPassword that is not stored as a secret and never echoes it", () => {
    const password = "plain-mqtt-password";
    const error = configErrorOf(
      { mqttPassword: password, manager: { mqtt: { broker: "tcp://mqtt.lan:1883" } } },
      { ...CONTEXT, mqttPasswordIsSecret: false },
    );
    expect(error.problems.map((problem) => problem.key)).toEqual([`${PROJECT}:mqttPassword`]);
    expect(error.message).not.toContain(password);
    expect(JSON.stringify(error.problems)).not.toContain(password);
    expect(lineFor(error, "mqttPassword")).toContain("--secret");
  });

  it("reports several problems in ONE error, with their count in the header", () => {
    const error = configErrorOf({
      managerPortHost: 0,
      logLevel: "loud",
      timezone: "Europe/UTC",
      network: { alias: "Bad_Alias" },
      bogus: true,
    });
    expect(error.problems).toHaveLength(5);
    expect(error.message.split("\n")[0]).toBe('Invalid Flamenco landscape configuration (stack "dev"): 5 problems');
    for (const key of ["managerPortHost", "logLevel", "timezone", "network.alias", "bogus"]) {
      expect(lineFor(error, key)).toMatch(/ got .*; expected /);
    }
  });

  it("reports a bad config value and a plain-text mqttPassword together", () => {
    const error = configErrorOf(
      { restart: "never", mqttPassword: "pw-123456", manager: { mqtt: { broker: "tcp://mqtt.lan:1883" } } },
      { ...CONTEXT, mqttPasswordIsSecret: false },
    );
    expect(error.problems.map((problem) => problem.key).sort()).toEqual([
      `${PROJECT}:mqttPassword`,
      `${PROJECT}:restart`,
    ]);
    expect(error.message).toContain(": 2 problems");
    expect(error.message).not.toContain("pw-123456");
  });

  it("tells the user that nothing was created", () => {
    expect(configErrorOf({ enabled: "no" }).message).toContain("Nothing was created.");
  });
});
