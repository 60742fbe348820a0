/** Where the config rules and the error text change behaviour: the exact limits. */
import { ConfigError, formatProblem } from "../../components/config/errors";
import { isDnsName } from "../../components/config/network";
import { parseSettings } from "../../components/config/settings";

const CONTEXT = { stack: "dev", homeDirectory: "/home/artist" };

function accepts(raw: Record<string, unknown>): boolean {
  try {
    parseSettings(raw, CONTEXT);
    return true;
  } catch (error) {
    if (error instanceof ConfigError) return false;
    throw error;
  }
}

describe("how a problem shows the offending value", () => {
  it("shows a value of up to 120 characters whole", () => {
    const value = "x".repeat(118);
    expect(formatProblem({ key: "k", got: value, expected: "e" })).toBe(`k: got "${value}"; expected e`);
  });

  it("cuts a longer value to 117 characters and three dots", () => {
    const value = "y".repeat(119);
    expect(formatProblem({ key: "k", got: value, expected: "e" })).toBe(`k: got "${"y".repeat(116)}...; expected e`);
  });

  it("says nothing for a missing value", () => {
    expect(
      formatProblem({
        key: "flamenco-landscape:workers.0.count",
        got: undefined,
        expected: "a whole number from 0 upwards",
      }),
    ).toBe("flamenco-landscape:workers.0.count: got nothing; expected a whole number from 0 upwards");
  });

  it("counts problems in the header: 1 problem, 2 problems", () => {
    expect(new ConfigError([{ key: "a", got: 1, expected: "b" }], 'stack "x"').message.split("\n")[0]).toBe(
      'Invalid Flamenco landscape configuration (stack "x"): 1 problem',
    );
    expect(
      new ConfigError(
        [
          { key: "a", got: 1, expected: "b" },
          { key: "c", got: 2, expected: "d" },
        ],
        'stack "x"',
      ).message.split("\n")[0],
    ).toBe('Invalid Flamenco landscape configuration (stack "x"): 2 problems');
  });
});

describe("limits of the accepted values", () => {
  const label = (length: number) => "a".repeat(length);

  it("a network domain of up to 253 characters, labels of up to 63", () => {
    const domain253 = [label(63), label(63), label(63), label(61)].join(".");
    expect(domain253).toHaveLength(253);
    // The domain rule alone: with the alias, such a hostname is refused for its length (configRefusals).
    expect(isDnsName(domain253)).toBe(true);
    expect(isDnsName(`${domain253}a`)).toBe(false);
    expect(isDnsName(`${label(64)}.lan`)).toBe(false);
    expect(accepts({ network: { alias: "m", domain: [label(30), label(30)].join(".") } })).toBe(true);
  });

  it("ports 1 and 65535", () => {
    expect(accepts({ managerPortHost: 1, managerPortContainer: 65535 })).toBe(true);
  });

  it("a count of 0 workers and a threshold of 0", () => {
    expect(accepts({ workers: [{ name: "idle", count: 0 }], manager: { blocklistThreshold: 0 } })).toBe(true);
  });

  it("one GPU", () => {
    expect(accepts({ workers: [{ name: "gpu", count: 1, gpus: 1 }] })).toBe(true);
  });
});

describe("values Flamenco reads inside its container", () => {
  it("takes every broker scheme Flamenco's MQTT client dials, with a port where it dials TCP", () => {
    for (const broker of ["mqtt://b:1883", "tcp://b:1883", "ssl://b:8883", "tls://b:8883", "mqtts://b:8883"]) {
      expect(accepts({ manager: { mqtt: { broker } } })).toBe(true);
    }
    expect(accepts({ manager: { mqtt: { broker: "mqtt+ssl://b:8883" } } })).toBe(true);
    expect(accepts({ manager: { mqtt: { broker: "tcps://b:8883" } } })).toBe(true);
    expect(accepts({ manager: { mqtt: { broker: "ws://b/mqtt" } } })).toBe(true);
    expect(accepts({ manager: { mqtt: { broker: "wss://b/mqtt" } } })).toBe(true);
    expect(accepts({ manager: { mqtt: { broker: "mqtts://b" } } })).toBe(false);
  });

  it("takes checkout paths on the shared storage mount, the mount itself included", () => {
    const paths = (extraCheckoutPaths: string[]) => ({
      manager: { shaman: { garbageCollect: { extraCheckoutPaths } } },
    });
    expect(accepts(paths(["/app/flamenco-manager-storage-shared"]))).toBe(true);
    expect(accepts(paths(["/app/flamenco-manager-storage-shared/checkouts/"]))).toBe(true);
    expect(accepts(paths(["/app/flamenco-manager-storage-shared-2"]))).toBe(false);
    expect(accepts(paths(["/app/flamenco-manager-storage/checkouts"]))).toBe(false);
  });

  it("takes variable names that only start like the implicit one", () => {
    const variable = (name: string) => ({
      manager: { variables: { [name]: { values: [{ platform: "all", value: "x" }] } } },
    });
    expect(accepts(variable("jobs_root"))).toBe(true);
    expect(accepts(variable("Jobs"))).toBe(true);
  });
});
