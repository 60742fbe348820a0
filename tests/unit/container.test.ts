import { parseSettings, Settings } from "../../components/config/settings";
import { managerCommand, managerContainerSpec, managerEnvironment, managerHealthcheck } from "../../components/render/container";

const HOME = "/home/artist";
const FEATURE = `${HOME}/.openstudiolandscapes/landscapes/dev/OpenStudioLandscapes-Flamenco`;

function settingsOf(raw: Record<string, unknown> = {}): Settings {
  return parseSettings(raw, { stack: "dev", homeDirectory: HOME });
}

describe("managerContainerSpec", () => {
  const spec = managerContainerSpec(settingsOf());

  it("names the container and its host after the landscape and domain", () => {
    expect(spec.name).toBe("flamenco-manager--dev");
    expect(spec.hostname).toBe("flamenco-manager.openstudiolandscapes.lan");
    expect(managerContainerSpec(settingsOf({ landscape: "studio-a" })).name).toBe("flamenco-manager--studio-a");
  });

  it("publishes the container port on the bind address", () => {
    expect(spec.ports).toEqual([{ internal: 8080, external: 8484, ip: "0.0.0.0" }]);
    const custom = managerContainerSpec(settingsOf({ managerPortHost: 9000, managerPortContainer: 9090, managerBindAddress: "127.0.0.1" }));
    expect(custom.ports).toEqual([{ internal: 9090, external: 9000, ip: "127.0.0.1" }]);
  });

  it("mounts the yaml read-only and both storages read-write, at the expanded host paths", () => {
    expect(spec.volumes).toEqual([
      { hostPath: `${FEATURE}/flamenco-manager.yaml`, containerPath: "/app/flamenco-manager.yaml", readOnly: true },
      { hostPath: `${FEATURE}/storage`, containerPath: "/app/flamenco-manager-storage", readOnly: false },
      { hostPath: `${FEATURE}/shared_storage`, containerPath: "/app/flamenco-manager-storage-shared", readOnly: false },
    ]);
    const custom = managerContainerSpec(settingsOf({ storage: "~/db/{LANDSCAPE}", sharedStorage: "/mnt/shared" }));
    expect(custom.volumes.map((volume) => volume.hostPath)).toEqual([`${FEATURE}/flamenco-manager.yaml`, `${HOME}/db/dev`, "/mnt/shared"]);
  });

  it("joins the landscape network under the short alias and the FQDN", () => {
    expect(spec.networksAdvanced).toEqual([
      { name: "openstudiolandscapes-dev", aliases: ["flamenco-manager", "flamenco-manager.openstudiolandscapes.lan"] },
    ]);
    const custom = managerContainerSpec(settingsOf({ network: { name: "studio-net", alias: "farm", domain: "studio.lan" } }));
    expect(custom.networksAdvanced).toEqual([{ name: "studio-net", aliases: ["farm", "farm.studio.lan"] }]);
  });

  it("sets TZ first, then the extra variables sorted by name", () => {
    const custom = managerContainerSpec(settingsOf({ timezone: "Europe/Zurich", environment: { ZETA: "z", ALPHA: "a", MIDDLE: 2 } }));
    expect(custom.envs).toEqual(["TZ=Europe/Zurich", "ALPHA=a", "MIDDLE=2", "ZETA=z"]);
    expect(spec.envs).toEqual(["TZ=UTC"]);
  });

  it("uses the configured restart policy, always by default", () => {
    expect(spec.restart).toBe("always");
    expect(managerContainerSpec(settingsOf({ restart: "unless-stopped" })).restart).toBe("unless-stopped");
  });

  it("runs the manager with the log-level flag", () => {
    expect(spec.command).toEqual(["/app/flamenco-manager"]);
    expect(managerContainerSpec(settingsOf({ logLevel: "debug" })).command).toEqual(["/app/flamenco-manager", "-debug"]);
  });

  it("waits for the manager to be healthy", () => {
    expect(spec.wait).toBe(true);
    expect(spec.waitTimeout).toBeGreaterThan(0);
  });

  it("checks health on the container port", () => {
    expect(spec.healthcheck).toEqual(managerHealthcheck(8080));
    expect(JSON.stringify(managerContainerSpec(settingsOf({ managerPortContainer: 9090 })).healthcheck.tests)).toContain("9090");
  });

  it("labels the container with its landscape", () => {
    expect(spec.labels).toContainEqual({ label: "org.openstudiolandscapes.landscape", value: "dev" });
  });

  it("is deterministic", () => {
    expect(managerContainerSpec(settingsOf({ environment: { B: "1", A: "2" } }))).toEqual(
      managerContainerSpec(settingsOf({ environment: { A: "2", B: "1" } })),
    );
  });
});

describe("managerCommand", () => {
  it.each([
    ["quiet", ["/app/flamenco-manager", "-quiet"]],
    ["info", ["/app/flamenco-manager"]],
    ["debug", ["/app/flamenco-manager", "-debug"]],
    ["trace", ["/app/flamenco-manager", "-trace"]],
  ] as const)("%s", (level, command) => {
    expect(managerCommand(level)).toEqual(command);
  });
});

describe("managerHealthcheck", () => {
  const check = managerHealthcheck(8080);
  const script = check.tests.join(" ");

  it("requests GET /api/v3/version on the container port", () => {
    expect(check.tests[0]).toBe("CMD");
    expect(script).toContain("/api/v3/version");
    expect(script).toContain("8080");
    expect(script).toMatch(/GET \/api\/v3\/version/);
  });

  it("works without curl or wget", () => {
    expect(script).not.toMatch(/\bcurl\b|\bwget\b/);
  });

  it("fails unless the manager answers 200", () => {
    expect(script).toContain("200");
  });
});

describe("managerEnvironment", () => {
  it("never lets an extra variable come before TZ", () => {
    expect(managerEnvironment({ timezone: "UTC", environment: { AAA: "1" } })[0]).toBe("TZ=UTC");
  });
});
