/**
 * The pure parts of `npm run import-config`: where the store is, reading a store file,
 * mapping seed keys onto stack keys, merging into a stack file, validation, atomic writes.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseDocument } from "yaml";
import { parseSettings } from "../../components/config/settings";
import { managerConfigDocument } from "../../components/render/managerYaml";
import { ImportError } from "../../tools/importConfig/errors";
import {
  interpretFlamencoVersion,
  mapSeedConfig,
  NOT_APPLICABLE,
  SeedMapping,
  suggestLandscapeName,
} from "../../tools/importConfig/mapping";
import { parseSeedConfig, SeedConfig } from "../../tools/importConfig/seedFile";
import {
  loadStackDocument,
  mergeEntries,
  namespacedConfig,
  renderStackDocument,
} from "../../tools/importConfig/stackFile";
import {
  DEFAULT_STORE,
  resolveStore,
  seedConfigCandidates,
  STORE_ENVIRONMENT_VARIABLE,
} from "../../tools/importConfig/store";
import { validateStackConfig } from "../../tools/importConfig/validate";
import { nodeWriteOps, writeAtomicallySync, WriteOps } from "../../scripts/atomic-write";
import { replaceStackFile } from "../../tools/importConfig/write";

const STORES = path.resolve(__dirname, "..", "fixtures", "config-stores");
const HOME = "/home/artist";

function fixture(name: string): SeedConfig {
  const file = path.join(STORES, name, "OpenStudioLandscapes-Flamenco", "config.yml");
  return parseSeedConfig(fs.readFileSync(file, "utf8"), file);
}

function seed(values: Record<string, unknown>): SeedConfig {
  return { file: "/store/OpenStudioLandscapes-Flamenco/config.yml", values, sources: {} };
}

function entryValues(mapping: SeedMapping): Record<string, unknown> {
  return Object.fromEntries(mapping.entries.map((entry) => [entry.path.join("."), entry.value]));
}

function caught(run: () => unknown): ImportError {
  try {
    run();
  } catch (error) {
    if (error instanceof ImportError) return error;
    throw error;
  }
  throw new Error("expected an ImportError");
}

describe("store location", () => {
  const base = { env: {}, homeDirectory: HOME, cwd: "/work" };

  test("--store wins over the environment variable and the default", () => {
    const location = resolveStore({
      ...base,
      store: "/srv/store",
      env: { [STORE_ENVIRONMENT_VARIABLE]: "/env/store" },
    });
    expect(location).toEqual({ root: "/srv/store", source: "--store" });
  });

  test("$OPENSTUDIOLANDSCAPES__CONFIGSTORE_ROOT wins over the default", () => {
    expect(resolveStore({ ...base, env: { [STORE_ENVIRONMENT_VARIABLE]: "~/stores/a" } })).toEqual({
      root: "/home/artist/stores/a",
      source: "$OPENSTUDIOLANDSCAPES__CONFIGSTORE_ROOT",
    });
  });

  test("the seed's default location, under the home directory", () => {
    expect(DEFAULT_STORE).toBe("~/.config/OpenStudioLandscapes/config-store");
    expect(resolveStore(base)).toEqual({
      root: "/home/artist/.config/OpenStudioLandscapes/config-store",
      source: "default location",
    });
    expect(resolveStore({ ...base, env: { [STORE_ENVIRONMENT_VARIABLE]: "" } }).source).toBe("default location");
  });

  test("relative paths are taken from the working directory", () => {
    expect(resolveStore({ ...base, store: "stores/x" }).root).toBe("/work/stores/x");
  });

  test("the feature's config.yml is looked for in the OpenStudioLandscapes-Flamenco folder", () => {
    expect(seedConfigCandidates("/s")).toEqual(["/s/OpenStudioLandscapes-Flamenco/config.yml"]);
    expect(seedConfigCandidates("/s/OpenStudioLandscapes-Flamenco")).toContain(
      "/s/OpenStudioLandscapes-Flamenco/config.yml",
    );
    expect(seedConfigCandidates("/s/OpenStudioLandscapes-Flamenco/config.yml")).toContain(
      "/s/OpenStudioLandscapes-Flamenco/config.yml",
    );
  });
});

describe("reading a store file", () => {
  test("a broken YAML file gives one error naming the file and the line", () => {
    const error = caught(() => fixture("broken-yaml"));
    expect(error.message).toContain(path.join(STORES, "broken-yaml", "OpenStudioLandscapes-Flamenco", "config.yml"));
    expect(error.message).toMatch(/not valid YAML at line 6, column \d+/);
    expect(error.message).toContain("Nothing was written");
    expect(error.message.split("\n")).toHaveLength(1);
  });

  test("a key given twice is named", () => {
    const error = caught(() =>
      parseSeedConfig("enabled: true\nflamenco_manager_port_host: 1\nflamenco_manager_port_host: 2\n", "/s/config.yml"),
    );
    expect(error.message).toContain("line 3");
    expect(error.message).toContain("(key flamenco_manager_port_host)");
  });

  test("a file that is not a mapping is refused", () => {
    expect(caught(() => parseSeedConfig("- a\n- b\n", "/s/config.yml")).message).toContain(
      "expected a mapping of config keys",
    );
  });

  test("an empty file or one with only comments sets nothing", () => {
    expect(parseSeedConfig("", "/s/config.yml").values).toEqual({});
    expect(fixture("minimal").values).toEqual({
      group_name: "OpenStudioLandscapes_Flamenco",
      key_prefixes: ["OpenStudioLandscapes_Flamenco"],
    });
  });

  test("YAML 1.1 rules, as the seed's Python loader read the file", () => {
    const parsed = parseSeedConfig("enabled: yes\nflamenco_version: 3.10\n", "/s/config.yml");
    expect(parsed.values.enabled).toBe(true);
    expect(parsed.sources.flamenco_version).toBe("3.10");
  });
});

describe("flamenco_version", () => {
  test.each([
    ["version_3_7", "3.7"],
    ["version_3_8", "3.8"],
    ["version_3_8_2", "3.8.2"],
    ["version_3_9_2", "3.9.2"],
    ["FlamencoArchives.version_3_8_5", "3.8.5"],
    ["https://flamenco.blender.org/downloads/flamenco-3.7-linux-amd64.tar.gz", "3.7"],
    ["https://flamenco.blender.org/downloads/flamenco-3.9.2-linux-amd64.tar.gz", "3.9.2"],
  ])("%s is the official release %s", (value, version) => {
    expect(interpretFlamencoVersion(value)).toEqual({ kind: "official", version });
  });

  test("a copy of an official archive elsewhere keeps its url; its checksum list is found beside it", () => {
    expect(interpretFlamencoVersion("https://mirror.studio.lan/flamenco/flamenco-3.7-linux-amd64.tar.gz")).toEqual({
      kind: "url",
      url: "https://mirror.studio.lan/flamenco/flamenco-3.7-linux-amd64.tar.gz",
      version: "3.7",
      needsSha256: false,
    });
  });

  test("a copy of an official archive over http or on disk needs a sha256: only https vouches for the list beside it", () => {
    for (const url of [
      "http://mirror.studio.lan/flamenco/flamenco-3.7-linux-amd64.tar.gz",
      "file:///srv/mirror/flamenco-3.7-linux-amd64.tar.gz",
      "/srv/mirror/flamenco-3.7-linux-amd64.tar.gz",
    ]) {
      expect(interpretFlamencoVersion(url)).toEqual({ kind: "url", url, version: "3.7", needsSha256: true });
    }
  });

  test("any other url needs a sha256", () => {
    expect(interpretFlamencoVersion("https://files.studio.example/builds/flamenco-3.9-studio-patched.tar.gz")).toEqual({
      kind: "url",
      url: "https://files.studio.example/builds/flamenco-3.9-studio-patched.tar.gz",
      version: "3.9",
      needsSha256: true,
    });
    expect(interpretFlamencoVersion("file:///srv/archives/nightly.tar.gz")).toEqual({
      kind: "url",
      url: "file:///srv/archives/nightly.tar.gz",
      version: undefined,
      needsSha256: true,
    });
  });

  test("anything else is not understood", () => {
    expect(interpretFlamencoVersion("latest")).toBeUndefined();
    expect(interpretFlamencoVersion("version_latest")).toBeUndefined();
  });

  test("an unknown url is written as flamencoRelease.url with a note that a sha256 must be added", () => {
    const mapping = mapSeedConfig(fixture("unknown-version-url"));
    expect(entryValues(mapping)).toEqual({
      flamencoRelease: { url: "https://files.studio.example/builds/flamenco-3.9-studio-patched.tar.gz" },
      flamencoVersion: "3.9",
    });
    expect(mapping.attention.join("\n")).toContain("Add the archive's sha256 to flamencoRelease in the stack file");
    expect(mapping.rows.find((row) => row.seedKey === "flamenco_version")?.kind).toBe("attention");
  });

  test("a plain 3.10 is read as written, not as the number 3.1", () => {
    const mapping = mapSeedConfig(parseSeedConfig("flamenco_version: 3.10\n", "/s/config.yml"));
    expect(entryValues(mapping)).toEqual({ flamencoVersion: "3.10" });
  });

  test("a value that names no release is a problem of that key", () => {
    const mapping = mapSeedConfig(seed({ flamenco_version: "latest" }));
    expect(mapping.problems).toEqual([expect.objectContaining({ seedKey: "flamenco_version", got: "latest" })]);
    expect(mapping.entries).toEqual([]);
  });
});

describe("mapping seed keys", () => {
  test("the README's keys, uncommented, map one to one", () => {
    const mapping = mapSeedConfig(fixture("documented"));
    expect(entryValues(mapping)).toEqual({
      enabled: true,
      managerPortHost: 8484,
      managerPortContainer: 8080,
      flamencoVersion: "3.7",
      storage: "{DOT_LANDSCAPES}/{LANDSCAPE}/{FEATURE}/storage",
      sharedStorage: "{DOT_LANDSCAPES}/{LANDSCAPE}/{FEATURE}/shared_storage",
    });
    expect(mapping.problems).toEqual([]);
    expect(mapping.dotLandscapesUnknown).toBe(true);
  });

  test("every key of every fixture store gets a report row: nothing is dropped silently", () => {
    for (const name of [
      "minimal",
      "documented",
      "custom-placeholders",
      "unknown-version-url",
      "newer-seed",
      "invalid-value",
    ]) {
      const parsed = fixture(name);
      const mapping = mapSeedConfig(parsed);
      const reported = new Set(mapping.rows.map((row) => row.seedKey.split(".")[0]));
      for (const key of Object.keys(parsed.values)) expect(reported).toContain(key);
    }
  });

  test("keys without a counterpart are listed as not applicable", () => {
    const keys = [
      "group_name",
      "key_prefixes",
      "compose_scope",
      "docker_compose",
      "feature_name",
      "config_engine",
      "config_parent",
      "distribution",
    ];
    const mapping = mapSeedConfig(
      seed(
        Object.fromEntries(keys.map((key) => [key, key === "feature_name" ? "OpenStudioLandscapes-Flamenco" : "x"])),
      ),
    );
    for (const key of keys) {
      expect(NOT_APPLICABLE[key]).toBeDefined();
      expect(mapping.rows.find((row) => row.seedKey === key)).toEqual(
        expect.objectContaining({ kind: "not-applicable", stackKeys: [] }),
      );
    }
    expect(mapping.entries).toEqual([]);
  });

  test("documented keys the store leaves out are reported as program defaults, not written", () => {
    const mapping = mapSeedConfig(fixture("minimal"));
    const defaults = mapping.rows.filter((row) => row.kind === "default").map((row) => row.seedKey);
    expect(defaults).toEqual([
      "enabled",
      "flamenco_manager_port_host",
      "flamenco_manager_port_container",
      "flamenco_version",
      "flamenco_storage",
      "flamenco_shared_storage",
    ]);
    expect(mapping.entries).toEqual([]);
  });

  test("custom placeholders: the program's are kept verbatim, other env values substituted", () => {
    const mapping = mapSeedConfig(fixture("custom-placeholders"));
    expect(entryValues(mapping)).toEqual({
      managerPortHost: 9484,
      flamencoVersion: "3.8.2",
      storage: "~/flamenco/{LANDSCAPE}/{FEATURE}/manager-storage",
      sharedStorage: "/mnt/studio/.shared_volumes/render/{LANDSCAPE}",
      landscapesRoot: "/srv/openstudiolandscapes/.landscapes",
      landscape: "studio-a",
    });
    expect(mapping.landscape).toBe("studio-a");
    expect(mapping.rows.find((row) => row.seedKey === "env.DOT_SHARED_VOLUMES")?.text).toContain("substituted");
    expect(mapping.rows.find((row) => row.seedKey === "env.AUTHOR")?.kind).toBe("not-applicable");
    expect(mapping.dotLandscapesUnknown).toBe(false);
  });

  test("an unknown placeholder without an env value is kept, for the schema to report", () => {
    const mapping = mapSeedConfig(seed({ flamenco_storage: "{GIT_ROOT}/flamenco" }));
    expect(entryValues(mapping)).toEqual({ storage: "{GIT_ROOT}/flamenco" });
  });

  test("an invalid env.LANDSCAPE is reported, not written", () => {
    const mapping = mapSeedConfig(seed({ env: { LANDSCAPE: "Studio A" } }));
    expect(mapping.landscape).toBeUndefined();
    expect(mapping.entries).toEqual([]);
    expect(mapping.attention.join("\n")).toContain("--stack studio-a");
    expect(suggestLandscapeName("Studio A")).toBe("studio-a");
  });

  test("newer seed keys: environment variables, the manager's yaml, bind volumes, unknown keys", () => {
    const mapping = mapSeedConfig(fixture("newer-seed"));
    const values = entryValues(mapping);
    expect(values).toEqual(
      expect.objectContaining({
        enabled: true,
        managerPortHost: 8484,
        flamencoVersion: "3.8.2",
        timezone: "Europe/Zurich",
        "environment.STUDIO": "acme",
        landscape: "2025-12-14-19-18-32-49ccd914b2a94c3480c99baed42570af",
        "manager.managerName": "OpenStudioLandscapes-Flamenco",
        "manager.taskTimeout": "10m0s",
        "manager.shaman.garbageCollect.maxAge": "744h0m0s",
        "manager.variables.blenderArgs": {
          values: [{ audience: "all", platform: "all", value: "--background --debug --enable-autoexec" }],
        },
      }),
    );
    expect(Object.keys(values).some((key) => key.startsWith("manager.mqtt"))).toBe(false);
    const attention = mapping.attention.join("\n");
    expect(attention).toContain("local_bind_volumes");
    expect(attention).toContain("render_farm_colour");
    expect(mapping.rows.find((row) => row.seedKey === "nvidia_container_toolkit_version")?.kind).toBe("not-applicable");
  });

  test("an MQTT password is never written, only pointed at the secret key", () => {
    const mapping = mapSeedConfig(
      seed({
        flamenco_manager_yaml: {
          mqtt: {
            client: {
              broker: "tcp://mqtt:1883",
              clientID: "f",
              topic_prefix: "farm",
              username: "u",
              password: "hunter2",
            },
          },
        },
      }),
    );
    expect(entryValues(mapping)).toEqual({
      "manager.mqtt.broker": "tcp://mqtt:1883",
      "manager.mqtt.clientID": "f",
      "manager.mqtt.topicPrefix": "farm",
      "manager.mqtt.username": "u",
    });
    expect(JSON.stringify(mapping)).not.toContain("hunter2");
    expect(mapping.attention.join("\n")).toContain("pulumi config set --secret mqttPassword");
  });

  test("the intermediate seed's blender variable keys become manager variables", () => {
    const mapping = mapSeedConfig(
      seed({
        flamenco_variables_blender_platform_windows: "C:/Blender/blender.exe",
        flamenco_variables_blender_commandline_args: ["--background", "--enable-autoexec"],
      }),
    );
    expect(entryValues(mapping)).toEqual({
      "manager.variables.blender": {
        values: [
          { platform: "linux", audience: "all", value: "blender" },
          { platform: "windows", audience: "all", value: "C:/Blender/blender.exe" },
          { platform: "darwin", audience: "all", value: "blender" },
        ],
      },
      "manager.variables.blenderArgs": {
        values: [{ platform: "all", audience: "all", value: "--background --enable-autoexec" }],
      },
    });
  });
});

const EXISTING_STACK = `# The "studio-a" landscape.
# Hand-written notes stay.
config:
  flamenco-landscape:managerPortHost: 8000 # old port
  flamenco-landscape:timezone: Europe/Zurich # keep me
  flamenco-landscape:manager:
    managerName: Studio farm
  flamenco-landscape:flamencoRelease:
    url: https://files.studio.example/builds/flamenco-3.9-studio-patched.tar.gz
    sha256: ${"ab".repeat(32)}
  aws:region: eu-central-1
`;

describe("merging into a stack file", () => {
  test("owned keys are set; foreign keys, nested keys and comments survive", () => {
    const document = loadStackDocument(EXISTING_STACK, "/p/Pulumi.studio-a.yaml", "unused");
    const changes = mergeEntries(document, [
      { path: ["managerPortHost"], value: 8484, seedKey: "flamenco_manager_port_host" },
      { path: ["manager", "taskTimeout"], value: "10m0s", seedKey: "flamenco_manager_yaml.task_timeout" },
      { path: ["storage"], value: "{DOT_LANDSCAPES}/{LANDSCAPE}/{FEATURE}/storage", seedKey: "flamenco_storage" },
    ]);
    const text = renderStackDocument(document);
    expect(text).toContain("# Hand-written notes stay.");
    expect(text).toContain("flamenco-landscape:managerPortHost: 8484 # old port");
    expect(text).toContain("flamenco-landscape:timezone: Europe/Zurich # keep me");
    expect(text).toContain("aws:region: eu-central-1");
    expect(text).toContain('flamenco-landscape:storage: "{DOT_LANDSCAPES}/{LANDSCAPE}/{FEATURE}/storage"');
    expect(parseDocument(text).toJS().config["flamenco-landscape:manager"]).toEqual({
      managerName: "Studio farm",
      taskTimeout: "10m0s",
    });
    expect(changes.map((change) => [change.key, change.status])).toEqual([
      ["managerPortHost", "changed"],
      ["manager.taskTimeout", "added"],
      ["storage", "added"],
    ]);
  });

  test("re-importing the same unknown url keeps the sha256 already added", () => {
    const document = loadStackDocument(EXISTING_STACK, "/p/Pulumi.studio-a.yaml", "unused");
    const url = "https://files.studio.example/builds/flamenco-3.9-studio-patched.tar.gz";
    const changes = mergeEntries(
      document,
      [{ path: ["flamencoRelease"], value: { url }, seedKey: "flamenco_version" }],
      { kind: "url", url, needsSha256: true },
    );
    expect(changes[0]).toEqual(
      expect.objectContaining({ status: "unchanged", note: expect.stringContaining("sha256") }),
    );
    expect(
      parseDocument(renderStackDocument(document)).toJS().config["flamenco-landscape:flamencoRelease"].sha256,
    ).toBe("ab".repeat(32));
  });

  test("a different url replaces the release, sha256 included", () => {
    const document = loadStackDocument(EXISTING_STACK, "/p/Pulumi.studio-a.yaml", "unused");
    const url = "https://files.studio.example/builds/other.tar.gz";
    mergeEntries(document, [{ path: ["flamencoRelease"], value: { url }, seedKey: "flamenco_version" }], {
      kind: "url",
      url,
      needsSha256: true,
    });
    expect(parseDocument(renderStackDocument(document)).toJS().config["flamenco-landscape:flamencoRelease"]).toEqual({
      url,
    });
  });

  test("an official version removes an old release override, and says so", () => {
    const document = loadStackDocument(EXISTING_STACK, "/p/Pulumi.studio-a.yaml", "unused");
    const changes = mergeEntries(document, [{ path: ["flamencoVersion"], value: "3.7", seedKey: "flamenco_version" }], {
      kind: "official",
      version: "3.7",
    });
    expect(changes).toContainEqual(expect.objectContaining({ key: "flamencoRelease", status: "removed" }));
    expect(renderStackDocument(document)).not.toContain("flamencoRelease");
  });

  test("an object stored as a JSON string keeps its content when keys are merged into it", () => {
    const document = loadStackDocument(
      `config:\n  flamenco-landscape:environment: '{"A":"1"}'\n`,
      "/p/Pulumi.x.yaml",
      "unused",
    );
    mergeEntries(document, [{ path: ["environment", "B"], value: "2", seedKey: "local_environment_variables.B" }]);
    expect(parseDocument(renderStackDocument(document)).toJS().config["flamenco-landscape:environment"]).toEqual({
      A: "1",
      B: "2",
    });
  });

  test("a new stack file gets a header comment and the config map", () => {
    const document = loadStackDocument(undefined, "/p/Pulumi.new.yaml", " imported");
    mergeEntries(document, [{ path: ["managerPortHost"], value: 8484, seedKey: "flamenco_manager_port_host" }]);
    expect(renderStackDocument(document)).toBe("# imported\n\nconfig:\n  flamenco-landscape:managerPortHost: 8484\n");
  });

  test("an unreadable stack file stops the import, naming it", () => {
    expect(caught(() => loadStackDocument("config:\n  a: [\n", "/p/Pulumi.x.yaml", "")).message).toContain(
      "/p/Pulumi.x.yaml: the existing stack file is not valid YAML",
    );
    expect(caught(() => loadStackDocument("config: 3\n", "/p/Pulumi.x.yaml", "")).message).toContain(
      '"config:" of the existing stack file',
    );
  });

  test("values reach validation as Pulumi hands them over: strings, objects as JSON, secrets marked", () => {
    const document = loadStackDocument(
      "config:\n  flamenco-landscape:managerPortHost: 8484\n  flamenco-landscape:flamencoVersion: 3.8.2\n  flamenco-landscape:manager: {managerName: x}\n  flamenco-landscape:mqttPassword:\n    secure: v1:abc\n  other:key: 1\n",
      "/p/Pulumi.x.yaml",
      "",
    );
    expect(namespacedConfig(document)).toEqual({
      values: {
        "flamenco-landscape:managerPortHost": "8484",
        "flamenco-landscape:flamencoVersion": "3.8.2",
        "flamenco-landscape:manager": '{"managerName":"x"}',
        "flamenco-landscape:mqttPassword": "[secret]",
      },
      secretKeys: ["mqttPassword"],
    });
  });
});

describe("validation with the program's schema", () => {
  const context = { stack: "studio-a", homeDirectory: HOME, allowMissingSha256: false };

  test("a valid config gives the settings pulumi up would use", () => {
    const result = validateStackConfig(
      { values: { "flamenco-landscape:managerPortHost": "9484" }, secretKeys: [] },
      context,
    );
    expect(result.problems).toEqual([]);
    expect(result.settings?.ports.host).toBe(9484);
    expect(result.settings?.landscape).toBe("studio-a");
  });

  test("a url without sha256 fails, unless the import allows it as the one pending problem", () => {
    const values = { "flamenco-landscape:flamencoRelease": JSON.stringify({ url: "https://x.example/a.tar.gz" }) };
    expect(validateStackConfig({ values, secretKeys: [] }, context).problems).toEqual([
      expect.objectContaining({ key: "flamenco-landscape:flamencoRelease.sha256" }),
    ]);
    const allowed = validateStackConfig({ values, secretKeys: [] }, { ...context, allowMissingSha256: true });
    expect(allowed).toEqual(expect.objectContaining({ problems: [], pendingSha256: true }));
    expect(allowed.settings?.release.url).toBe("https://x.example/a.tar.gz");
  });

  test("a missing sha256 does not hide other problems", () => {
    const values = {
      "flamenco-landscape:flamencoRelease": JSON.stringify({ url: "https://x.example/a.tar.gz" }),
      "flamenco-landscape:managerPortHost": "0",
    };
    const result = validateStackConfig({ values, secretKeys: [] }, { ...context, allowMissingSha256: true });
    expect(result.settings).toBeUndefined();
    expect(result.problems.map((problem) => problem.key)).toEqual(
      expect.arrayContaining(["flamenco-landscape:managerPortHost", "flamenco-landscape:flamencoRelease.sha256"]),
    );
  });

  test("a plain-text mqttPassword is refused, a secret one accepted", () => {
    const values = {
      "flamenco-landscape:manager": JSON.stringify({ mqtt: { broker: "tcp://m:1883" } }),
      "flamenco-landscape:mqttPassword": "pw",
    };
    expect(validateStackConfig({ values, secretKeys: [] }, context).problems[0]?.key).toBe(
      "flamenco-landscape:mqttPassword",
    );
    expect(validateStackConfig({ values, secretKeys: ["mqttPassword"] }, context).problems).toEqual([]);
  });
});

describe("atomic writes", () => {
  let directory: string;
  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "import-config-write-"));
  });
  afterEach(() => fs.rmSync(directory, { recursive: true, force: true }));

  test("a new file is written whole, with no temporary file left", () => {
    const file = path.join(directory, "Pulumi.a.yaml");
    expect(replaceStackFile(file, "config: {}\n", undefined)).toEqual({});
    expect(fs.readFileSync(file, "utf8")).toBe("config: {}\n");
    expect(fs.readdirSync(directory)).toEqual(["Pulumi.a.yaml"]);
  });

  test("replacing keeps a backup of the previous content and its permissions", () => {
    const file = path.join(directory, "Pulumi.a.yaml");
    fs.writeFileSync(file, "old\n", { mode: 0o600 });
    fs.chmodSync(file, 0o600);
    expect(replaceStackFile(file, "new\n", "old\n")).toEqual({ backup: `${file}.bak` });
    expect(fs.readFileSync(file, "utf8")).toBe("new\n");
    expect(fs.readFileSync(`${file}.bak`, "utf8")).toBe("old\n");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  test("a failure while writing leaves the existing file as it was, and no temporary file", () => {
    const file = path.join(directory, "Pulumi.a.yaml");
    fs.writeFileSync(file, "old\n");
    const failing: WriteOps = {
      ...nodeWriteOps,
      writeSync: (fd, text) => {
        nodeWriteOps.writeSync(fd, text.slice(0, 2));
        throw new Error("disk full");
      },
    };
    expect(() => writeAtomicallySync(file, "new content\n", 0o644, failing)).toThrow("disk full");
    expect(fs.readFileSync(file, "utf8")).toBe("old\n");
    expect(fs.readdirSync(directory)).toEqual(["Pulumi.a.yaml"]);
  });

  test("a failed rename leaves the existing file untouched", () => {
    const file = path.join(directory, "Pulumi.a.yaml");
    fs.writeFileSync(file, "old\n");
    const failing: WriteOps = {
      ...nodeWriteOps,
      renameSync: (from, to) => {
        if (to === file) throw new Error("rename failed");
        nodeWriteOps.renameSync(from, to);
      },
    };
    expect(() => replaceStackFile(file, "new\n", "old\n", failing)).toThrow("rename failed");
    expect(fs.readFileSync(file, "utf8")).toBe("old\n");
    expect(fs.readdirSync(directory).sort()).toEqual(["Pulumi.a.yaml", "Pulumi.a.yaml.bak"]);
  });
});

// The import reads flamenco-manager.yaml by the names the program writes it with, and its key
// lists come from the schema: a manager setting the program renders is imported back to the
// same setting, so a new key cannot be forgotten by the import.
const ROUND_TRIP_CONTEXT = { stack: "farm", homeDirectory: "/home/artist" };

/** Every manager setting away from its default. */
const EVERY_MANAGER_SETTING = {
  managerName: "Farm",
  databaseCheckPeriod: "5m",
  taskTimeout: "20m",
  workerTimeout: "2m",
  blocklistThreshold: 5,
  taskFailAfterSoftfailCount: 4,
  autodiscoverable: true,
  shaman: {
    enabled: false,
    garbageCollect: {
      period: "12h",
      maxAge: "100h",
      extraCheckoutPaths: ["/app/flamenco-manager-storage-shared/checkouts"],
    },
  },
  mqtt: { broker: "tcp://mqtt.studio.lan:1883", clientID: "farm", topicPrefix: "flamenco", username: "farm" },
  variables: {
    blender: { isTwoway: false, values: [{ platform: "linux", audience: "workers", value: "/opt/blender/blender" }] },
  },
};

function withEntry(target: Record<string, unknown>, keyPath: string[], value: unknown): void {
  let current = target;
  for (const segment of keyPath.slice(0, -1)) current = (current[segment] ??= {}) as Record<string, unknown>;
  current[keyPath[keyPath.length - 1]] = value;
}

describe("import of flamenco-manager.yaml as the program writes it", () => {
  it("gives back every manager setting", () => {
    const settings = parseSettings({ managerPortContainer: 9090, manager: EVERY_MANAGER_SETTING }, ROUND_TRIP_CONTEXT);
    const document = managerConfigDocument(settings);
    const mapping = mapSeedConfig({
      file: "config.yml",
      values: { flamenco_manager_port_container: 9090, flamenco_manager_yaml: document },
      sources: {},
    });
    expect(mapping.problems).toEqual([]);
    expect(mapping.attention.filter((line) => /not imported/.test(line))).toEqual([]);
    const raw: Record<string, unknown> = {};
    for (const entry of mapping.entries) withEntry(raw, entry.path, entry.value);
    expect(parseSettings(raw, ROUND_TRIP_CONTEXT).manager).toEqual(settings.manager);
    // The entries the program sets itself (storage paths, listen port) are recognised as such.
    const programSet = mapping.rows
      .filter((row) => row.text === "set by the program (same value)")
      .map((row) => row.seedKey);
    expect(programSet.sort()).toEqual(
      ["_meta", "database", "listen", "local_manager_storage_path", "shared_storage_path"]
        .map((key) => `flamenco_manager_yaml.${key}`)
        .sort(),
    );
  });
});
