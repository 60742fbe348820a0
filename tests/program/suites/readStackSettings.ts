/**
 * readStackSettings: the program's one read of the stack config, through Pulumi's runtime
 * config store (no engine, no mocks), with a fresh settings store per test.
 */
import * as os from "os";
import * as pulumi from "@pulumi/pulumi";
import * as read from "../../../components/config/read";

const NAMESPACE = "flamenco-landscape";

/**
 * Starts the SDK's process-wide settings store anew, as a `pulumi up` of stack `stack` would
 * make it from the environment, with these config values and secret keys.
 */
function withStack(stack: string, config: Record<string, string>, secretKeys: string[] = []): void {
  const previous = process.env.PULUMI_NODEJS_STACK;
  process.env.PULUMI_NODEJS_STACK = stack;
  delete (globalThis as { globalStore?: unknown }).globalStore;
  try {
    pulumi.runtime.setAllConfig(
      Object.fromEntries(Object.entries(config).map(([key, value]) => [`${NAMESPACE}:${key}`, value])),
      secretKeys.map((key) => `${NAMESPACE}:${key}`),
    );
  } finally {
    if (previous === undefined) delete process.env.PULUMI_NODEJS_STACK;
    else process.env.PULUMI_NODEJS_STACK = previous;
  }
}

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

describe("readStackSettings", () => {
  it("names the landscape after the stack and expands ~ against the home of the user running Pulumi", () => {
    withStack("studio-a", { managerPortHost: "9000" });
    const { settings, mqttPassword } = read.readStackSettings();
    expect(settings.landscape).toBe("studio-a");
    expect(settings.ports.host).toBe(9000);
    expect(settings.landscapesRoot).toBe(`${os.homedir()}/.openstudiolandscapes/landscapes`);
    expect(mqttPassword).toBeUndefined();
  });

  it("turns bad config into a RunError that Pulumi prints without a stack trace", () => {
    withStack("dev", { managerPortHost: "0", restart: "never" });
    let thrown: unknown;
    try {
      read.readStackSettings();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(pulumi.RunError);
    expect((thrown as Error).message).toContain('Invalid Flamenco landscape configuration (stack "dev"): 2 problems');
    expect((thrown as Error).message).toContain(
      "flamenco-landscape:managerPortHost: got 0; expected an integer from 1 to 65535",
    );
  });

  it("hands a secret mqttPassword on as a secret output", async () => {
    withStack("dev", { mqttPassword: "s3cret-broker", manager: '{"mqtt":{"broker":"tcp://mqtt.lan:1883"}}' }, [
      "mqttPassword",
    ]);
    const { settings, mqttPassword } = read.readStackSettings();
    expect(settings.hasMqttPassword).toBe(true);
    expect(mqttPassword).toBeDefined();
    expect(await pulumi.isSecret(mqttPassword!)).toBe(true);
    expect(await valueOf(mqttPassword!)).toBe("s3cret-broker");
  });

  it("refuses an mqttPassword stored in plain text, without echoing it", () => {
    withStack("dev", { mqttPassword: "plain-broker-pw" });
    expect(() => read.readStackSettings()).toThrow(
      'flamenco-landscape:mqttPassword: got "a plain-text value (not shown)"; expected a secret',
    );
    try {
      read.readStackSettings();
    } catch (error) {
      expect((error as Error).message).not.toContain("plain-broker-pw");
    }
  });
});
