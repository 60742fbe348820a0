import { parse } from "yaml";
import { parseSettings, Settings } from "../../components/config/settings";
import { managerConfigDocument, renderManagerYaml } from "../../components/render/managerYaml";

const CONTEXT = { stack: "dev", homeDirectory: "/home/artist" };

function settingsOf(raw: Record<string, unknown> = {}): Settings {
  return parseSettings(raw, CONTEXT);
}

/** The parsed document: values are compared as a whole, except these two strings. */
interface Doc {
  [key: string]: unknown;
  database: string;
  listen: string;
}

function rendered(raw: Record<string, unknown> = {}, mqttPassword?: string): Doc {
  return parse(renderManagerYaml(settingsOf(raw), mqttPassword)) as Doc;
}

describe("flamenco-manager.yaml", () => {
  // Computed per test (not while collecting tests), so mutation testing runs only the tests that use it.
  let doc: Doc;
  beforeEach(() => {
    doc = rendered();
  });

  it("is a Flamenco 3 config file", () => {
    expect(doc._meta).toEqual({ version: 3 });
  });

  it("listens on the container port", () => {
    expect(doc.listen).toBe(":8080");
    expect(rendered({ managerPortContainer: 9090 }).listen).toBe(":9090");
  });

  it("keeps the database inside the storage mount, not in the image", () => {
    expect(doc.database).toBe("/app/flamenco-manager-storage/flamenco-manager.sqlite");
  });

  it("writes local storage relative to the manager's directory, since Flamenco joins it onto /app even when absolute", () => {
    expect(doc.local_manager_storage_path).toBe("flamenco-manager-storage");
  });

  it("points shared storage at its container mount, so the manager skips its first-run setup", () => {
    expect(doc.shared_storage_path).toBe("/app/flamenco-manager-storage-shared");
  });

  it("writes the default manager settings under Flamenco's own keys", () => {
    expect(doc).toMatchObject({
      manager_name: "OpenStudioLandscapes-Flamenco",
      database_check_period: "10m",
      autodiscoverable: false,
      task_timeout: "10m",
      worker_timeout: "1m",
      blocklist_threshold: 3,
      task_fail_after_softfail_count: 3,
      shaman: { enabled: true, garbageCollect: { period: "24h", maxAge: "744h", extraCheckoutPaths: [] } },
    });
    expect(doc.mqtt).toBeUndefined();
  });

  it("writes the default blender variables", () => {
    expect(doc.variables).toEqual({
      blender: {
        values: [
          { platform: "linux", audience: "all", value: "blender" },
          { platform: "windows", audience: "all", value: "blender.exe" },
          { platform: "darwin", audience: "all", value: "blender" },
        ],
      },
      blenderArgs: { values: [{ platform: "all", audience: "all", value: "-b -y" }] },
    });
  });

  it("maps each manager setting to Flamenco's snake_case key", () => {
    const custom = rendered({
      manager: {
        managerName: "Studio farm",
        databaseCheckPeriod: "5m",
        taskTimeout: "1h30m",
        workerTimeout: "90s",
        blocklistThreshold: 7,
        taskFailAfterSoftfailCount: 0,
        autodiscoverable: true,
        shaman: {
          enabled: false,
          garbageCollect: {
            period: "12h",
            maxAge: "48h",
            extraCheckoutPaths: ["/app/flamenco-manager-storage-shared/extra"],
          },
        },
      },
    });
    expect(custom).toMatchObject({
      manager_name: "Studio farm",
      database_check_period: "5m",
      task_timeout: "1h30m",
      worker_timeout: "90s",
      blocklist_threshold: 7,
      task_fail_after_softfail_count: 0,
      autodiscoverable: true,
      shaman: {
        enabled: false,
        garbageCollect: {
          period: "12h",
          maxAge: "48h",
          extraCheckoutPaths: ["/app/flamenco-manager-storage-shared/extra"],
        },
      },
    });
  });

  it("keeps a long value on one line, as an admin greps and reads the file", () => {
    const name =
      "Flamenco manager of the show 42 landscape, for the lighting and compositing departments of the studio";
    const text = renderManagerYaml(settingsOf({ manager: { managerName: name } }));
    expect(text.split("\n")).toContain(`manager_name: ${name}`);
  });

  it("writes custom variables with is_twoway", () => {
    const custom = rendered({
      manager: {
        variables: {
          storage: {
            isTwoway: true,
            values: [
              { platform: "linux", value: "/mnt/shared" },
              { platforms: ["windows", "darwin"], audience: "users", value: "S:/" },
            ],
          },
        },
      },
    });
    expect(custom.variables).toEqual({
      storage: {
        is_twoway: true,
        values: [
          { platform: "linux", value: "/mnt/shared" },
          { platforms: ["windows", "darwin"], audience: "users", value: "S:/" },
        ],
      },
    });
    expect(JSON.stringify(custom.variables)).not.toContain("isTwoway");
  });

  describe("mqtt", () => {
    const mqtt = {
      broker: "tcp://mqtt.studio.lan:1883",
      clientID: "flamenco-dev",
      topicPrefix: "flamenco/dev",
      username: "farm",
    };

    it("writes mqtt.client with Flamenco's keys and no password when none is passed", () => {
      const custom = rendered({ manager: { mqtt } });
      expect(custom.mqtt).toEqual({
        client: {
          broker: "tcp://mqtt.studio.lan:1883",
          clientID: "flamenco-dev",
          topic_prefix: "flamenco/dev",
          username: "farm",
        },
      });
    });

    it("writes the password only when it is passed, and keeps it intact", () => {
      const password = "p@ss: #word 'with' \"quotes\"";
      const custom = rendered({ manager: { mqtt } }, password);
      expect(custom.mqtt).toMatchObject({ client: { password } });
    });

    it("leaves optional client fields out when unset", () => {
      expect(rendered({ manager: { mqtt: { broker: "tcp://b:1883" } } }).mqtt).toEqual({
        client: { broker: "tcp://b:1883" },
      });
    });

    it("writes no mqtt section without a broker config, even with a password", () => {
      expect(rendered({}, "secret").mqtt).toBeUndefined();
      expect(renderManagerYaml(settingsOf(), "secret")).not.toContain("secret");
    });
  });

  describe("determinism", () => {
    const raw = { manager: { mqtt: { broker: "tcp://b:1883", topicPrefix: "x" }, taskTimeout: "20m" } };

    const KEY_ORDER = [
      "_meta",
      "manager_name",
      "database",
      "database_check_period",
      "listen",
      "autodiscoverable",
      "local_manager_storage_path",
      "shared_storage_path",
      "shaman",
      "task_timeout",
      "worker_timeout",
      "blocklist_threshold",
      "task_fail_after_softfail_count",
      "mqtt",
      "variables",
    ];

    it("writes the top-level keys in a fixed order, in the document and in the text", () => {
      expect(Object.keys(managerConfigDocument(settingsOf(raw), "pw"))).toEqual(KEY_ORDER);
      expect(Object.keys(parse(renderManagerYaml(settingsOf(raw), "pw")))).toEqual(KEY_ORDER);
    });

    it("contains no timestamps or host paths", () => {
      const text = renderManagerYaml(settingsOf());
      expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/);
      expect(text).not.toMatch(/\d{2}:\d{2}:\d{2}/);
      expect(text).not.toContain("/home/artist");
      expect(text).not.toContain(".openstudiolandscapes");
    });

    it("does not depend on host-side settings such as landscape, storage or host port", () => {
      const base = renderManagerYaml(settingsOf());
      const moved = renderManagerYaml(
        parseSettings(
          { landscape: "other", storage: "/srv/db", managerPortHost: 9999 },
          { stack: "x", homeDirectory: "/root" },
        ),
      );
      expect(moved).toBe(base);
    });

    it("starts with a comment that says where it comes from, and is valid YAML", () => {
      const text = renderManagerYaml(settingsOf());
      expect(text.startsWith("# ")).toBe(true);
      expect(text.endsWith("\n")).toBe(true);
      expect(() => parse(text)).not.toThrow();
    });
  });
});
