import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { z } from "zod";
import { decodeConfigValue, rawStackConfig } from "../../components/config/decode";
import { hostPathKind } from "../../components/config/pathKind";
import { KEY_KINDS, stackConfigSchema } from "../../components/config/schema";
import { takesText } from "./schemaRules";
import { parseSettings, PROJECT } from "../../components/config/settings";

describe("decodeConfigValue", () => {
  it("keeps string keys as strings, even when they look like JSON", () => {
    expect(decodeConfigValue("flamencoVersion", "3.10")).toBe("3.10");
    expect(decodeConfigValue("flamencoVersion", "3.7")).toBe("3.7");
    expect(decodeConfigValue("managerUser", "1000")).toBe("1000");
    expect(decodeConfigValue("landscape", "true")).toBe("true");
    expect(decodeConfigValue("timezone", "null")).toBe("null");
    expect(decodeConfigValue("mqttPassword", '{"not":"json"}')).toBe('{"not":"json"}');
  });

  it("parses JSON keys", () => {
    expect(decodeConfigValue("managerPortHost", "8484")).toBe(8484);
    expect(decodeConfigValue("enabled", "false")).toBe(false);
    expect(decodeConfigValue("network", '{"alias":"farm"}')).toEqual({ alias: "farm" });
    expect(decodeConfigValue("environment", '{"A":"1"}')).toEqual({ A: "1" });
    expect(decodeConfigValue("manager", '{"taskTimeout":"5m","blocklistThreshold":2}')).toEqual({
      taskTimeout: "5m",
      blocklistThreshold: 2,
    });
  });

  it("passes invalid JSON on as the string the user wrote", () => {
    expect(decodeConfigValue("enabled", "yes")).toBe("yes");
    expect(decodeConfigValue("managerPortHost", "84x84")).toBe("84x84");
    expect(decodeConfigValue("network", "{alias: farm}")).toBe("{alias: farm}");
  });

  it("treats unknown keys as JSON", () => {
    expect(decodeConfigValue("someNewKey", "5")).toBe(5);
    expect(decodeConfigValue("someNewKey", "text")).toBe("text");
  });

  it('reads a key as text exactly when its schema takes text, so 3.10 stays "3.10" and 8484 becomes a number', () => {
    const shape = stackConfigSchema.shape as Record<string, z.ZodType>;
    const kinds = KEY_KINDS as Record<string, string>;
    expect(Object.keys(kinds).sort()).toEqual([...Object.keys(shape), "mqttPassword"].sort());
    const wrong = Object.keys(shape).filter((key) => kinds[key] !== (takesText(shape[key]) ? "string" : "json"));
    expect(wrong).toEqual([]);
    // Read apart from the schema: a secret is text, never JSON.
    expect(KEY_KINDS.mqttPassword).toBe("string");
  });
});

describe("rawStackConfig", () => {
  const allConfig = {
    [`${PROJECT}:flamencoVersion`]: "3.10",
    [`${PROJECT}:managerPortHost`]: "9000",
    [`${PROJECT}:network`]: '{"domain":"studio.lan"}',
    [`${PROJECT}:enabled`]: "true",
    [`${PROJECT}:typoKey`]: '"x"',
    "docker:host": "unix:///var/run/docker.sock",
    "aws:region": "eu-central-1",
    [`${PROJECT}-other:landscape`]: "nope",
  };

  it("decodes every key of the project's namespace, without the namespace", () => {
    expect(rawStackConfig(allConfig)).toEqual({
      flamencoVersion: "3.10",
      managerPortHost: 9000,
      network: { domain: "studio.lan" },
      enabled: true,
      typoKey: "x",
    });
  });

  it("ignores other namespaces, including ones sharing the prefix", () => {
    const raw = rawStackConfig(allConfig);
    expect(Object.keys(raw)).not.toContain("host");
    expect(Object.keys(raw)).not.toContain("region");
    expect(Object.keys(raw)).not.toContain("landscape");
  });

  it("reads another namespace when asked", () => {
    expect(rawStackConfig({ "other:x": "1", [`${PROJECT}:y`]: "2" }, "other")).toEqual({ x: 1 });
  });

  it("keeps unknown keys so the schema can report them", () => {
    expect(() => parseSettings(rawStackConfig(allConfig), { stack: "dev", homeDirectory: "/h" })).toThrow(
      `${PROJECT}:typoKey`,
    );
  });

  it("hands a flamencoVersion like 3.10 to the settings unchanged", () => {
    const settings = parseSettings(rawStackConfig({ [`${PROJECT}:flamencoVersion`]: "3.10" }), {
      stack: "dev",
      homeDirectory: "/h",
    });
    expect(settings.release.version).toBe("3.10");
    expect(settings.release.url).toBe("https://flamenco.blender.org/downloads/flamenco-3.10-linux-amd64.tar.gz");
  });
});

describe("hostPathKind", () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "flamenco-path-kind-"));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("tells directories, missing paths and everything else apart, following symlinks", () => {
    fs.mkdirSync(path.join(tmp, "dir"));
    fs.writeFileSync(path.join(tmp, "file"), "x");
    fs.symlinkSync(path.join(tmp, "file"), path.join(tmp, "link-to-file"));
    fs.symlinkSync(path.join(tmp, "dir"), path.join(tmp, "link-to-dir"));
    fs.symlinkSync(path.join(tmp, "gone"), path.join(tmp, "dangling"));
    expect(hostPathKind(path.join(tmp, "dir"))).toBe("directory");
    expect(hostPathKind(path.join(tmp, "link-to-dir"))).toBe("directory");
    expect(hostPathKind(path.join(tmp, "file"))).toBe("other");
    expect(hostPathKind(path.join(tmp, "link-to-file"))).toBe("other");
    expect(hostPathKind(path.join(tmp, "missing"))).toBe("missing");
    expect(hostPathKind(path.join(tmp, "dangling"))).toBe("other");
  });
});
