/**
 * `npm run import-config` end to end, on the fixture stores and a temporary project
 * directory; then the round trip: the stack file it writes, run through the program under
 * mocks, gives the manager container the seed would have run.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { main } from "../../tools/import-config";
import { STORE_ENVIRONMENT_VARIABLE } from "../../tools/importConfig/store";
import { runProgram } from "../program/harness";

const STORES = path.resolve(__dirname, "..", "fixtures", "config-stores");
const FEATURE = "OpenStudioLandscapes-Flamenco";
const SHA256 = "cd".repeat(32);

interface Run {
  code: number;
  out: string;
  err: string;
}

let scratch: string;
let project: string;
let home: string;

beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "import-config-"));
  project = path.join(scratch, "project");
  home = path.join(scratch, "home");
  fs.mkdirSync(project);
  fs.mkdirSync(home);
});
afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}): Run {
  let out = "";
  let err = "";
  const code = main([...args, "--project-dir", project], {
    out: (text) => (out += text),
    err: (text) => (err += text),
    env,
    cwd: scratch,
    homeDirectory: home,
  });
  return { code, out, err };
}

function store(name: string): string {
  return path.join(STORES, name);
}

function seedFile(name: string): string {
  return path.join(store(name), FEATURE, "config.yml");
}

function stackFile(stack: string): string {
  return path.join(project, `Pulumi.${stack}.yaml`);
}

function stackConfig(stack: string): Record<string, unknown> {
  return (parse(fs.readFileSync(stackFile(stack), "utf8")) as { config: Record<string, unknown> }).config;
}

function projectFiles(): string[] {
  return fs.readdirSync(project).sort();
}

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
    fs.cpSync(store("documented"), path.join(home, ".config", "OpenStudioLandscapes", "config-store"), {
      recursive: true,
    });
    const run = cli(["--stack", "studio-a"]);
    expect(run.code).toBe(0);
    expect(run.out).toContain(
      `${path.join(home, ".config", "OpenStudioLandscapes", "config-store", FEATURE, "config.yml")} (store from default location)`,
    );
  });

  test("a missing store is one clear error, and nothing is written", () => {
    const run = cli(["--stack", "studio-a"]);
    expect(run.code).toBe(1);
    expect(run.out).toBe("");
    expect(run.err).toContain(
      `No config store at ${path.join(home, ".config", "OpenStudioLandscapes", "config-store")} (the default location)`,
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
    expect(run.out).toContain("pulumi config set landscapesRoot");
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
    expect(run.out).toContain("pulumi config set --path flamencoRelease.sha256");
    expect(run.out).toContain('NOT READY for "pulumi up"');

    // The admin adds the sha256 (as `pulumi config set --path` would); a re-import keeps it.
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
    const root = path.join(scratch, "store");
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
    const root = path.join(scratch, "store");
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

describe("round trip: import, then run the program with the resulting stack file", () => {
  async function deploy(stack: string) {
    const run = await runProgram({ stack, config: stackConfig(stack) });
    const containers = run.ofType("docker:index/container:Container");
    expect(containers).toHaveLength(1);
    const fetches = run
      .ofType("command:local:Command")
      .filter((command) => String(command.inputs.create).includes("fetch-release"));
    expect(fetches).toHaveLength(1);
    return { run, container: containers[0].inputs, release: fetches[0].inputs.environment as Record<string, string> };
  }

  test("the README's config.yml: the seed's manager container", async () => {
    expect(cli(["--store", store("documented"), "--stack", "studio-a"]).code).toBe(0);
    const { container, release } = await deploy("studio-a");
    const feature = path.join(os.homedir(), ".openstudiolandscapes", "landscapes", "studio-a", FEATURE);
    expect(container.name).toBe("flamenco-manager--studio-a");
    expect(container.restart).toBe("always");
    expect(container.ports).toEqual([{ internal: 8080, external: 8484, ip: "0.0.0.0" }]);
    expect(container.volumes).toEqual([
      { hostPath: `${feature}/flamenco-manager.yaml`, containerPath: "/app/flamenco-manager.yaml", readOnly: true },
      { hostPath: `${feature}/storage`, containerPath: "/app/flamenco-manager-storage", readOnly: false },
      { hostPath: `${feature}/shared_storage`, containerPath: "/app/flamenco-manager-storage-shared", readOnly: false },
    ]);
    expect(release.FLAMENCO_RELEASE_URL).toBe("https://flamenco.blender.org/downloads/flamenco-3.7-linux-amd64.tar.gz");
  });

  test("custom placeholders: ports and storage paths as the store had them", async () => {
    expect(cli(["--store", store("custom-placeholders")]).code).toBe(0);
    const { container, release } = await deploy("studio-a");
    expect(container.name).toBe("flamenco-manager--studio-a");
    expect(container.ports).toEqual([{ internal: 8080, external: 9484, ip: "0.0.0.0" }]);
    expect(container.volumes).toEqual([
      {
        hostPath: `/srv/openstudiolandscapes/.landscapes/studio-a/${FEATURE}/flamenco-manager.yaml`,
        containerPath: "/app/flamenco-manager.yaml",
        readOnly: true,
      },
      {
        hostPath: path.join(os.homedir(), "flamenco", "studio-a", FEATURE, "manager-storage"),
        containerPath: "/app/flamenco-manager-storage",
        readOnly: false,
      },
      {
        hostPath: "/mnt/studio/.shared_volumes/render/studio-a",
        containerPath: "/app/flamenco-manager-storage-shared",
        readOnly: false,
      },
    ]);
    expect(release.FLAMENCO_RELEASE_URL).toBe(
      "https://flamenco.blender.org/downloads/flamenco-3.8.2-linux-amd64.tar.gz",
    );
  });

  test("a newer seed: landscape id, environment and the manager's yaml settings", async () => {
    expect(cli(["--store", store("newer-seed"), "--stack", "studio-a"]).code).toBe(0);
    const landscape = "2025-12-14-19-18-32-49ccd914b2a94c3480c99baed42570af";
    const { run, container } = await deploy("studio-a");
    expect(container.name).toBe(`flamenco-manager--${landscape}`);
    expect(container.envs).toEqual(["TZ=Europe/Zurich", "STUDIO=acme"]);
    expect(container.volumes).toContainEqual({
      hostPath: `/srv/openstudiolandscapes/.landscapes/${landscape}/${FEATURE}/storage`,
      containerPath: "/app/flamenco-manager-storage",
      readOnly: false,
    });
    const files = run
      .ofType("command:local:Command")
      .find((command) => String(command.inputs.create).includes("write-manager-files"));
    const managerYaml = parse(String(files?.inputs.stdin)) as Record<string, unknown>;
    expect(managerYaml).toEqual(
      expect.objectContaining({
        manager_name: "OpenStudioLandscapes-Flamenco",
        task_timeout: "10m0s",
        database_check_period: "10m0s",
        listen: ":8080",
      }),
    );
    expect((managerYaml.variables as Record<string, unknown>).blenderArgs).toEqual({
      values: [{ platform: "all", audience: "all", value: "--background --debug --enable-autoexec" }],
    });
  });

  test("an unknown version url: pulumi up refuses until the sha256 is added", async () => {
    expect(cli(["--store", store("unknown-version-url"), "--stack", "studio-a"]).code).toBe(0);
    await expect(runProgram({ stack: "studio-a", config: stackConfig("studio-a") })).rejects.toThrow(
      /flamencoRelease\.sha256/,
    );
  });

  test("an unknown version url with the sha256 added: the release is fetched from it and checked against it", async () => {
    expect(cli(["--store", store("unknown-version-url"), "--stack", "studio-a"]).code).toBe(0);
    const config = stackConfig("studio-a");
    const withSha = {
      ...config,
      "flamenco-landscape:flamencoRelease": {
        ...(config["flamenco-landscape:flamencoRelease"] as object),
        sha256: SHA256,
      },
    };
    const run = await runProgram({ stack: "studio-a", config: withSha });
    const fetch = run
      .ofType("command:local:Command")
      .find((command) => String(command.inputs.create).includes("fetch-release"));
    expect((fetch?.inputs.environment as Record<string, string>).FLAMENCO_RELEASE_SHA256).toBe(SHA256);
  });
});
