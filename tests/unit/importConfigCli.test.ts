/**
 * `npm run import-config` end to end, on the fixture stores and a temporary project
 * directory. The round trip (the stack file it writes, run through the program) is with the
 * program tests, in tests/program/suites/importRoundTrip.ts.
 */
import * as fs from "fs";
import * as path from "path";
import { STORE_ENVIRONMENT_VARIABLE } from "../../tools/importConfig/store";
import { FEATURE, seedFile, store, useImportScratch } from "./support/importCli";

const SHA256 = "cd".repeat(32);
const importer = useImportScratch();
const { cli, stackFile, stackConfig, projectFiles } = importer;

describe("finding the store", () => {
  test("--store", () => {
    const run = cli(["--store", store("documented"), "--stack", "studio-a"]);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    expect(run.out).toContain(`store file:  ${seedFile("documented")} (store from --store)`);
  });

  test("$OPENSTUDIOLANDSCAPES__CONFIGSTORE_ROOT", () => {
    const run = cli(["--stack", "studio-a"], { [STORE_ENVIRONMENT_VARIABLE]: store("documented") });
    expect(run.code).toBe(0);
    expect(run.out).toContain("(store from $OPENSTUDIOLANDSCAPES__CONFIGSTORE_ROOT)");
  });

  test("the default location ~/.config/OpenStudioLandscapes/config-store", () => {
    fs.cpSync(store("documented"), path.join(importer.home, ".config", "OpenStudioLandscapes", "config-store"), {
      recursive: true,
    });
    const run = cli(["--stack", "studio-a"]);
    expect(run.code).toBe(0);
    expect(run.out).toContain(
      `${path.join(importer.home, ".config", "OpenStudioLandscapes", "config-store", FEATURE, "config.yml")} (store from default location)`,
    );
  });

  test("a missing store is one clear error, and nothing is written", () => {
    const run = cli(["--stack", "studio-a"]);
    expect(run.code).toBe(1);
    expect(run.out).toBe("");
    expect(run.err).toContain(
      `No config store at ${path.join(importer.home, ".config", "OpenStudioLandscapes", "config-store")} (the default location)`,
    );
    expect(run.err).toContain("--store");
    expect(projectFiles()).toEqual([]);
  });

  test("a store without the Flamenco feature names the file it looked for", () => {
    const run = cli(["--store", store("missing-feature"), "--stack", "studio-a"]);
    expect(run.code).toBe(1);
    expect(run.err).toContain(`${seedFile("missing-feature")} does not exist`);
    expect(run.err).toContain("it holds: OpenStudioLandscapes-Kitsu");
    expect(projectFiles()).toEqual([]);
  });
});

describe("importing", () => {
  test("a minimal store creates a stack file and reports every documented key", () => {
    const run = cli(["--store", store("minimal"), "--stack", "studio-a"]);
    expect(run.code).toBe(0);
    expect(projectFiles()).toEqual(["Pulumi.studio-a.yaml"]);
    expect(stackConfig("studio-a")).toEqual({});
    for (const key of [
      "group_name",
      "key_prefixes",
      "enabled",
      "flamenco_manager_port_host",
      "flamenco_version",
      "flamenco_shared_storage",
    ]) {
      expect(run.out).toContain(` ${key} `);
    }
    expect(run.out).toContain("not applicable: Dagster asset group name");
    expect(run.out).toContain("flamenco_version is not in the store");
    expect(run.out).toContain(": created");
  });

  test("every documented key of the README's config.yml", () => {
    const run = cli(["--store", store("documented"), "--stack", "studio-a"]);
    expect(run.code).toBe(0);
    expect(stackConfig("studio-a")).toEqual({
      "flamenco-landscape:enabled": true,
      "flamenco-landscape:managerPortHost": 8484,
      "flamenco-landscape:managerPortContainer": 8080,
      "flamenco-landscape:flamencoVersion": "3.7",
      "flamenco-landscape:storage": "{DOT_LANDSCAPES}/{LANDSCAPE}/{FEATURE}/storage",
      "flamenco-landscape:sharedStorage": "{DOT_LANDSCAPES}/{LANDSCAPE}/{FEATURE}/shared_storage",
    });
    expect(run.out).toContain("compose_scope");
    expect(run.out).toContain("set in the stack file: flamenco-landscape:landscapesRoot: <checkout>/.landscapes");
    expect(run.out).toContain("Next: npm run preview -- studio-a");
  });

  test("--stack defaults to the store's env.LANDSCAPE", () => {
    const run = cli(["--store", store("custom-placeholders")]);
    expect(run.code).toBe(0);
    expect(run.out).toContain("stack:       studio-a (from env.LANDSCAPE");
    expect(stackConfig("studio-a")["flamenco-landscape:landscape"]).toBe("studio-a");
  });

  test("a store for another landscape than the stack's is imported, with a warning", () => {
    fs.writeFileSync(stackFile("dev"), "config:\n  flamenco-landscape:landscape: dev\n");
    const run = cli(["--store", store("custom-placeholders"), "--stack", "dev"]);
    expect(run.code).toBe(0);
    expect(stackConfig("dev")["flamenco-landscape:landscape"]).toBe("studio-a");
    expect(run.out).toContain('landscape: this stack was for landscape "dev" and is now for "studio-a"');
    expect(run.out).toContain("--stack studio-a");
  });

  test("without --stack and env.LANDSCAPE the user is asked for --stack", () => {
    const run = cli(["--store", store("documented")]);
    expect(run.code).toBe(2);
    expect(run.err).toContain("pass --stack <name>");
    expect(projectFiles()).toEqual([]);
  });

  test("--dry-run prints the report and the stack file, and writes nothing", () => {
    const run = cli(["--store", store("documented"), "--stack", "studio-a", "--dry-run"]);
    expect(run.code).toBe(0);
    expect(run.out).toContain("(dry run: nothing was written)");
    expect(run.out).toContain(`----- ${stackFile("studio-a")} (dry run, not written) -----`);
    expect(run.out).toContain("  flamenco-landscape:managerPortHost: 8484\n");
    expect(projectFiles()).toEqual([]);
  });

  test("an existing stack file is merged: comments and other keys are kept, a backup is made", () => {
    const before = [
      "# Studio A. Ask Jo before changing the port.",
      "encryptionsalt: v1:abc",
      "config:",
      "  flamenco-landscape:managerPortHost: 8000 # the old port",
      "  flamenco-landscape:logLevel: debug",
      "  flamenco-landscape:mqttPassword:",
      "    secure: v1:def",
      "  flamenco-landscape:manager:",
      "    managerName: Studio A farm",
      "    mqtt:",
      "      broker: tcp://mqtt:1883",
      "",
    ].join("\n");
    fs.writeFileSync(stackFile("studio-a"), before);
    const run = cli(["--store", store("documented"), "--stack", "studio-a"]);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    const after = fs.readFileSync(stackFile("studio-a"), "utf8");
    expect(after).toContain("# Studio A. Ask Jo before changing the port.");
    expect(after).toContain("flamenco-landscape:managerPortHost: 8484 # the old port");
    expect(after).toContain("flamenco-landscape:logLevel: debug");
    expect(after).toContain("encryptionsalt: v1:abc");
    expect(stackConfig("studio-a")["flamenco-landscape:manager"]).toEqual({
      managerName: "Studio A farm",
      mqtt: { broker: "tcp://mqtt:1883" },
    });
    expect(stackConfig("studio-a")["flamenco-landscape:mqttPassword"]).toEqual({ secure: "v1:def" });
    expect(fs.readFileSync(`${stackFile("studio-a")}.bak`, "utf8")).toBe(before);
    expect(run.out).toContain("[was 8000]");
    expect(run.out).toContain("the previous version is kept as");

    const again = cli(["--store", store("documented"), "--stack", "studio-a"]);
    expect(again.code).toBe(0);
    expect(again.out).toContain(": unchanged");
    expect(fs.readFileSync(stackFile("studio-a"), "utf8")).toBe(after);
    expect(fs.readFileSync(`${stackFile("studio-a")}.bak`, "utf8")).toBe(before);
  });

  test("a broken YAML store file: one error naming the file and line; the stack file is untouched", () => {
    fs.writeFileSync(stackFile("studio-a"), "config: {}\n");
    const run = cli(["--store", store("broken-yaml"), "--stack", "studio-a"]);
    expect(run.code).toBe(1);
    expect(run.out).toBe("");
    expect(run.err).toMatch(
      new RegExp(
        `^import-config: ${seedFile("broken-yaml").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: not valid YAML at line 6, column \\d+`,
      ),
    );
    expect(fs.readFileSync(stackFile("studio-a"), "utf8")).toBe("config: {}\n");
    expect(projectFiles()).toEqual(["Pulumi.studio-a.yaml"]);
  });

  test("an invalid value: one error naming the file, the seed key and the stack key; nothing written", () => {
    const run = cli(["--store", store("invalid-value"), "--stack", "studio-a"]);
    expect(run.code).toBe(1);
    expect(run.err).toContain(
      `${seedFile("invalid-value")}: flamenco_manager_port_host (imported as flamenco-landscape:managerPortHost): got 84840; expected an integer from 1 to 65535`,
    );
    expect(run.err).toContain("Nothing was written");
    expect(projectFiles()).toEqual([]);
  });

  test("a bad key already in the stack file is named as such, and blocks the write", () => {
    fs.writeFileSync(stackFile("studio-a"), "config:\n  flamenco-landscape:restart: sometimes\n");
    const run = cli(["--store", store("documented"), "--stack", "studio-a"]);
    expect(run.code).toBe(1);
    expect(run.err).toContain(
      `${stackFile("studio-a")}: flamenco-landscape:restart (already in the stack file, not from the store)`,
    );
    expect(fs.readFileSync(stackFile("studio-a"), "utf8")).toBe("config:\n  flamenco-landscape:restart: sometimes\n");
  });

  test("a stack name that is not a valid landscape is reported against --stack", () => {
    const run = cli(["--store", store("documented"), "--stack", "Studio_A"]);
    expect(run.code).toBe(1);
    expect(run.err).toContain("the stack name (from --stack) is used as the landscape");
  });

  test("an unknown version url is written, the missing sha256 reported, and the exit code is 0", () => {
    const url = "https://files.studio.example/builds/flamenco-3.9-studio-patched.tar.gz";
    const run = cli(["--store", store("unknown-version-url"), "--stack", "studio-a"]);
    expect(run.code).toBe(0);
    expect(stackConfig("studio-a")["flamenco-landscape:flamencoRelease"]).toEqual({ url });
    expect(run.out).toContain("sha256 REQUIRED before pulumi up");
    expect(run.out).toContain("Add the archive's sha256 to flamencoRelease in the stack file");
    expect(run.out).toContain('NOT READY for "pulumi up"');

    // The admin adds the sha256 to the stack file; a re-import keeps it.
    const text = fs
      .readFileSync(stackFile("studio-a"), "utf8")
      .replace(`url: ${url}`, `url: ${url}\n    sha256: ${SHA256}`);
    fs.writeFileSync(stackFile("studio-a"), text);
    const again = cli(["--store", store("unknown-version-url"), "--stack", "studio-a"]);
    expect(again.code).toBe(0);
    expect(stackConfig("studio-a")["flamenco-landscape:flamencoRelease"]).toEqual({ url, sha256: SHA256 });
    expect(again.out).not.toContain("NOT READY");
    expect(again.out).toContain("(pinned sha256)");
  });

  test("a problem in a nested key names the nested seed key", () => {
    const root = path.join(importer.scratch, "store");
    fs.mkdirSync(path.join(root, FEATURE), { recursive: true });
    fs.writeFileSync(
      path.join(root, FEATURE, "config.yml"),
      "local_environment_variables:\n  BAD-NAME: x\nflamenco_manager_yaml:\n  task_timeout: soon\n",
    );
    const run = cli(["--store", root, "--stack", "studio-a"]);
    expect(run.code).toBe(1);
    expect(run.err).toContain("2 problems");
    expect(run.err).toContain(
      "local_environment_variables.BAD-NAME (imported as flamenco-landscape:environment.BAD-NAME)",
    );
    expect(run.err).toContain(
      'flamenco_manager_yaml.task_timeout (imported as flamenco-landscape:manager.taskTimeout): got "soon"',
    );
    expect(projectFiles()).toEqual([]);
  });

  test("enabled: false is imported and the report says nothing will be deployed", () => {
    const root = path.join(importer.scratch, "store");
    fs.mkdirSync(path.join(root, FEATURE), { recursive: true });
    fs.writeFileSync(path.join(root, FEATURE, "config.yml"), "enabled: false\n");
    const run = cli(["--store", root, "--stack", "studio-a"]);
    expect(run.code).toBe(0);
    expect(stackConfig("studio-a")).toEqual({ "flamenco-landscape:enabled": false });
    expect(run.out).toContain("enabled is false");
  });

  test("usage errors exit with 2; --help exits with 0", () => {
    expect(cli(["--nonsense"]).code).toBe(2);
    const help = cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("Usage: npm run import-config --");
  });
});
