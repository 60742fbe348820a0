/**
 * The config import reads flamenco-manager.yaml by the names the program writes it with, and
 * its key lists come from the schema: a manager setting the program renders is imported back
 * to the same setting, so a new key cannot be forgotten by the import.
 */
import { parseSettings } from "../../components/config/settings";
import { managerConfigDocument } from "../../components/render/managerYaml";
import { mapSeedConfig } from "../../tools/importConfig/mapping";

const CONTEXT = { stack: "farm", homeDirectory: "/home/artist" };

/** Every manager setting away from its default. */
const MANAGER = {
  managerName: "Farm",
  databaseCheckPeriod: "5m",
  taskTimeout: "20m",
  workerTimeout: "2m",
  blocklistThreshold: 5,
  taskFailAfterSoftfailCount: 4,
  autodiscoverable: true,
  shaman: { enabled: false, garbageCollect: { period: "12h", maxAge: "100h", extraCheckoutPaths: ["/mnt/checkouts"] } },
  mqtt: { broker: "tcp://mqtt.studio.lan:1883", clientID: "farm", topicPrefix: "flamenco", username: "farm" },
  variables: {
    blender: { isTwoway: false, values: [{ platform: "linux", audience: "workers", value: "/opt/blender/blender" }] },
  },
};

function withEntry(target: Record<string, unknown>, path: string[], value: unknown): void {
  let current = target;
  for (const segment of path.slice(0, -1)) current = (current[segment] ??= {}) as Record<string, unknown>;
  current[path[path.length - 1]] = value;
}

describe("import of flamenco-manager.yaml as the program writes it", () => {
  it("gives back every manager setting", () => {
    const settings = parseSettings({ managerPortContainer: 9090, manager: MANAGER }, CONTEXT);
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
    expect(parseSettings(raw, CONTEXT).manager).toEqual(settings.manager);
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
