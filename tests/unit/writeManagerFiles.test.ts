/**
 * scripts/write-manager-files.js: what it writes and creates, and who may read it. Most cases
 * call its main in this process; the first case, the refusals (exit code, stderr) and the run
 * as another user start `node scripts/write-manager-files.js` the way the manager-files command
 * does.
 */
import * as childProcess from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Readable } from "stream";
import { parseSettings, Settings } from "../../components/config/settings";
import {
  managerFilesCommandEnvironment,
  parseWrittenManagerFiles,
  WRITE_MANAGER_FILES_COMMAND,
} from "../../components/render/commands";
import { renderManagerYaml } from "../../components/render/managerYaml";
import { main, storageDirectories, writeManagerFiles } from "../../scripts/write-manager-files";
import { capturedStreams } from "./support/streams";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
const IS_ROOT = typeof process.getuid === "function" && process.getuid() === 0;

let tmp: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "flamenco-files-test-"));
});

afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function settingsIn(root: string): Settings {
  return parseSettings({ landscapesRoot: path.join(root, "landscapes") }, { stack: "dev", homeDirectory: root });
}

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the script the way the manager-files command does: from the project directory, yaml on stdin. */
function runCommandLine(env: Record<string, string>, input: string, as?: { uid: number; gid: number }): Ran {
  const [program, script] = WRITE_MANAGER_FILES_COMMAND.split(" ");
  expect(program).toBe("node");
  const result = childProcess.spawnSync(process.execPath, [script], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? "", ...env },
    input,
    encoding: "utf8",
    ...as,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The command's main in this process, with that environment and stdin: what it printed. Rejects as main does. */
async function run(env: Record<string, string>, input: string): Promise<{ stdout: string; stderr: string }> {
  const { streams, stdout, stderr } = capturedStreams();
  await main({ env, stdin: Readable.from([Buffer.from(input)]), ...streams });
  return { stdout: stdout.join(""), stderr: stderr.join("") };
}

/** Every file and directory below `root`, relative to it, sorted. */
function tree(root: string): string[] {
  return (fs.readdirSync(root, { recursive: true }) as string[]).map(String).sort();
}

describe("write-manager-files", () => {
  it("writes the yaml, creates the storage directories and prints the result", () => {
    const settings = settingsIn(tmp);
    const env = managerFilesCommandEnvironment(settings);
    const yaml = renderManagerYaml(settings);

    const result = runCommandLine(env, yaml);
    expect(result.status).toBe(0);
    expect(fs.readFileSync(env.FLAMENCO_CONFIG_FILE, "utf8")).toBe(yaml);
    expect(fs.statSync(settings.storage.manager).isDirectory()).toBe(true);
    expect(fs.statSync(settings.storage.shared).isDirectory()).toBe(true);
    expect(parseWrittenManagerFiles(result.stdout)).toEqual({
      configFile: env.FLAMENCO_CONFIG_FILE,
      createdDirectories: [settings.storage.manager, settings.storage.shared],
      configDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it("leaves existing storage directories and their files untouched", async () => {
    const settings = settingsIn(tmp);
    const env = managerFilesCommandEnvironment(settings);
    fs.mkdirSync(settings.storage.manager, { recursive: true });
    fs.chmodSync(settings.storage.manager, 0o750);
    const database = path.join(settings.storage.manager, "flamenco-manager.sqlite");
    fs.writeFileSync(database, "existing database");
    fs.mkdirSync(path.join(settings.storage.manager, "job-logs"));
    fs.writeFileSync(path.join(settings.storage.manager, "job-logs", "task.txt"), "log");
    const before = fs.statSync(settings.storage.manager);

    const result = await run(env, "listen: ':8080'\n");
    expect(fs.readFileSync(database, "utf8")).toBe("existing database");
    expect(tree(settings.storage.manager)).toEqual(["flamenco-manager.sqlite", "job-logs", "job-logs/task.txt"]);
    const after = fs.statSync(settings.storage.manager);
    expect(after.mode).toBe(before.mode);
    expect([after.uid, after.gid]).toEqual([before.uid, before.gid]);
    expect(JSON.parse(result.stdout.trim()).createdDirectories).toEqual([settings.storage.shared]);
  });

  it("replaces an existing yaml and leaves no temporary files", async () => {
    const settings = settingsIn(tmp);
    const env = managerFilesCommandEnvironment(settings);
    fs.mkdirSync(path.dirname(env.FLAMENCO_CONFIG_FILE), { recursive: true });
    fs.writeFileSync(env.FLAMENCO_CONFIG_FILE, "old: content\n", { mode: 0o600 });
    fs.chmodSync(env.FLAMENCO_CONFIG_FILE, 0o600);

    await run(env, "new: content\n");
    expect(fs.readFileSync(env.FLAMENCO_CONFIG_FILE, "utf8")).toBe("new: content\n");
    expect(fs.statSync(env.FLAMENCO_CONFIG_FILE).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(path.dirname(env.FLAMENCO_CONFIG_FILE)).sort()).toEqual([
      "flamenco-manager.yaml",
      "shared_storage",
      "storage",
    ]);
  });

  it("is idempotent: a second run writes the same content and creates nothing", async () => {
    const settings = settingsIn(tmp);
    const env = managerFilesCommandEnvironment(settings);
    const yaml = renderManagerYaml(settings);
    await run(env, yaml);
    const listing = tree(tmp);
    const second = await run(env, yaml);
    expect(JSON.parse(second.stdout.trim()).createdDirectories).toEqual([]);
    expect(tree(tmp)).toEqual(listing);
    expect(fs.readFileSync(env.FLAMENCO_CONFIG_FILE, "utf8")).toBe(yaml);
  });

  it("gives the directories it creates to the storage owner when it runs as root", async () => {
    const settings = settingsIn(tmp);
    const owner = IS_ROOT ? "4321:4322" : `${process.getuid?.()}:${process.getgid?.()}`;
    const env = { ...managerFilesCommandEnvironment(settings), FLAMENCO_STORAGE_OWNER: owner };
    await run(env, "a: 1\n");
    const [uid, gid] = owner.split(":").map(Number);
    for (const directory of [settings.storage.manager, settings.storage.shared]) {
      const stat = fs.statSync(directory);
      expect([stat.uid, stat.gid]).toEqual([uid, gid]);
    }
  });

  it("refuses empty stdin with a clear message, and changes nothing", () => {
    const settings = settingsIn(tmp);
    const env = managerFilesCommandEnvironment(settings);
    const result = runCommandLine(env, "");
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("no flamenco-manager.yaml content on stdin");
    expect(result.stdout).toBe("");
    expect(tree(tmp)).toEqual([]);
  });

  it("refuses to run without FLAMENCO_CONFIG_FILE", () => {
    const result = runCommandLine({ FLAMENCO_STORAGE_DIRECTORIES: "[]" }, "a: 1\n");
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("FLAMENCO_CONFIG_FILE is not set");
  });

  it("refuses a storage list that is not a JSON list of paths", () => {
    const result = runCommandLine(
      { FLAMENCO_CONFIG_FILE: path.join(tmp, "f.yaml"), FLAMENCO_STORAGE_DIRECTORIES: '{"a": 1}' },
      "a: 1\n",
    );
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("FLAMENCO_STORAGE_DIRECTORIES must be a JSON list of paths");
    expect(tree(tmp)).toEqual([]);
  });
});

describe("the config file holds secrets: who may read it", () => {
  /** The user the script runs as in the second test: another user when the tests run as root. */
  const OTHER = IS_ROOT ? { uid: 4321, gid: 4322 } : { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

  it("run by root: 0640 owned by managerUser; run by another user: 0600 owned by that user; the directory 0750", async () => {
    const settings = parseSettings(
      { landscapesRoot: path.join(tmp, "landscapes"), managerUser: "4321:4322" },
      { stack: "dev", homeDirectory: tmp },
    );
    const env = managerFilesCommandEnvironment(settings);
    await run(env, "manager_name: x\n");
    const stat = fs.statSync(env.FLAMENCO_CONFIG_FILE);
    if (IS_ROOT) {
      expect(stat.mode & 0o777).toBe(0o640);
      expect([stat.uid, stat.gid]).toEqual([4321, 4322]);
    } else {
      expect(stat.mode & 0o777).toBe(0o600);
      expect(stat.uid).toBe(process.getuid?.());
    }
    expect(modeOf(path.dirname(env.FLAMENCO_CONFIG_FILE))).toBe(0o750);
  });

  it("run by a user other than root: 0600, owned by that user, whatever managerUser says", () => {
    const home = path.join(tmp, "home");
    fs.mkdirSync(home);
    fs.chownSync(home, OTHER.uid, OTHER.gid);
    fs.chmodSync(tmp, 0o755);
    const env = managerFilesCommandEnvironment(settingsIn(home));
    const result = runCommandLine(env, "manager_name: x\n", OTHER);
    expect(result.stderr).not.toContain("EPERM");
    expect(result.status).toBe(0);
    const stat = fs.statSync(env.FLAMENCO_CONFIG_FILE);
    expect(stat.mode & 0o777).toBe(0o600);
    expect([stat.uid, stat.gid]).toEqual([OTHER.uid, OTHER.gid]);
    expect(modeOf(path.dirname(env.FLAMENCO_CONFIG_FILE))).toBe(0o750);
  });

  it.each([
    [
      "tightens a file and directory an earlier version left readable by all",
      0o755,
      0o644,
      0o750,
      IS_ROOT ? 0o640 : 0o600,
    ],
    ["never loosens an admin's tighter mode on the file or its directory", 0o700, 0o400, 0o700, 0o400],
  ])("%s", async (_title, directoryBefore, fileBefore, directoryAfter, fileAfter) => {
    const env = managerFilesCommandEnvironment(settingsIn(tmp));
    const directory = path.dirname(env.FLAMENCO_CONFIG_FILE);
    fs.mkdirSync(directory, { recursive: true });
    fs.chmodSync(directory, directoryBefore);
    fs.writeFileSync(env.FLAMENCO_CONFIG_FILE, "old\n");
    fs.chmodSync(env.FLAMENCO_CONFIG_FILE, fileBefore);
    await run(env, "new: 1\n");
    expect(fs.readFileSync(env.FLAMENCO_CONFIG_FILE, "utf8")).toBe("new: 1\n");
    expect(modeOf(env.FLAMENCO_CONFIG_FILE)).toBe(fileAfter);
    expect(modeOf(directory)).toBe(directoryAfter);
  });
});

describe("the digest of what was written", () => {
  const digestOf = (stdout: string) => parseWrittenManagerFiles(stdout).configDigest;

  it("is salted with bytes it does not keep: it differs on every write and is no hash of the content", async () => {
    const env = managerFilesCommandEnvironment(settingsIn(tmp));
    const yaml = "mqtt:\n  client:\n    password: hunter2\n";
    const first = await run(env, yaml);
    const second = await run(env, yaml);
    expect(digestOf(first.stdout)).toMatch(/^[0-9a-f]{64}$/);
    expect(digestOf(second.stdout)).not.toBe(digestOf(first.stdout));
    expect(digestOf(first.stdout)).not.toBe(crypto.createHash("sha256").update(yaml).digest("hex"));
    expect(first.stdout + first.stderr).not.toContain("hunter2");
  });
});

describe("writeManagerFiles", () => {
  const modeOf = (file: string) => fs.statSync(file).mode & 0o777;
  const ownerOf = (file: string) => {
    const stat = fs.statSync(file);
    return [stat.uid, stat.gid];
  };
  const ME = [process.getuid?.() ?? 0, process.getgid?.() ?? 0];

  let logs: string[];
  const log = (line: string) => {
    logs.push(line);
  };
  beforeEach(() => {
    logs = [];
  });

  it("creates the missing storage directories, writes the yaml 0600 and says what it did", async () => {
    const configFile = path.join(tmp, "config", "flamenco-manager.yaml");
    const storage = path.join(tmp, "storage");
    const existing = path.join(tmp, "shared");
    fs.mkdirSync(existing);
    const result = await writeManagerFiles({
      configFile,
      directories: [storage, existing],
      content: Buffer.from("manager_name: x\n"),
      asRoot: false,
      log,
    });
    expect(result).toEqual({ configFile, createdDirectories: [storage], configDigest: expect.any(String) });
    expect(result.configDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.readFileSync(configFile, "utf8")).toBe("manager_name: x\n");
    expect(modeOf(configFile)).toBe(0o600);
    expect(modeOf(path.dirname(configFile))).toBe(0o750);
    expect(logs).toEqual([`created ${storage}`, `wrote ${configFile}`]);
  });

  it("not run as root: the manager's user changes no owner; file and directories stay the runner's", async () => {
    const configFile = path.join(tmp, "flamenco-manager.yaml");
    const storage = path.join(tmp, "storage");
    await writeManagerFiles({
      configFile,
      directories: [storage],
      content: Buffer.from("a: 1\n"),
      owner: "4321:4322",
      asRoot: false,
    });
    expect(modeOf(configFile)).toBe(0o600);
    expect(ownerOf(configFile)).toEqual(ME);
    expect(ownerOf(storage)).toEqual(ME);
  });

  // Giving files away needs root (CI runs the tests as root); any other user is refused by the system.
  it("run as root: 0640 and the created directories owned by the manager's user", async () => {
    const configFile = path.join(tmp, "flamenco-manager.yaml");
    const storage = path.join(tmp, "storage");
    const existing = path.join(tmp, "existing");
    fs.mkdirSync(existing);
    const written = writeManagerFiles({
      configFile,
      directories: [storage, existing],
      content: Buffer.from("a: 1\n"),
      owner: "4321:4322",
      asRoot: true,
    });
    if (!IS_ROOT) return expect(written).rejects.toThrow(/EPERM/);
    await written;
    expect(modeOf(configFile)).toBe(0o640);
    expect(ownerOf(configFile)).toEqual([4321, 4322]);
    expect(ownerOf(storage)).toEqual([4321, 4322]);
    expect(ownerOf(existing)).toEqual(ME);
  });

  it("a user without a group given is also the group", async () => {
    const configFile = path.join(tmp, "flamenco-manager.yaml");
    const written = writeManagerFiles({
      configFile,
      directories: [],
      content: Buffer.from("a: 1\n"),
      owner: "4321",
      asRoot: true,
    });
    if (!IS_ROOT) return expect(written).rejects.toThrow(/EPERM/);
    await written;
    expect(ownerOf(configFile)).toEqual([4321, 4321]);
  });

  it("refuses empty content before creating anything", async () => {
    const configFile = path.join(tmp, "config", "flamenco-manager.yaml");
    await expect(
      writeManagerFiles({ configFile, directories: [path.join(tmp, "storage")], content: Buffer.alloc(0) }),
    ).rejects.toThrow("no flamenco-manager.yaml content on stdin");
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  it("gives each write its own digest, of the content under a key it does not keep", async () => {
    const configFile = path.join(tmp, "flamenco-manager.yaml");
    const content = Buffer.from("mqtt:\n  client:\n    password: hunter2\n");
    const first = await writeManagerFiles({ configFile, directories: [], content, asRoot: false });
    const second = await writeManagerFiles({ configFile, directories: [], content, asRoot: false });
    expect(second.configDigest).not.toBe(first.configDigest);
    expect(first.configDigest).not.toBe(crypto.createHash("sha256").update(content).digest("hex"));
  });
});

describe("storageDirectories (FLAMENCO_STORAGE_DIRECTORIES)", () => {
  it("reads a JSON list of paths; unset means none", async () => {
    expect(storageDirectories('["/srv/storage","/srv/shared"]')).toEqual(["/srv/storage", "/srv/shared"]);
    expect(storageDirectories(undefined)).toEqual([]);
  });

  it.each(['"/srv/storage"', '{"storage":"/srv"}', '["/srv", 7]'])("refuses %s", (text) => {
    expect(() => storageDirectories(text)).toThrow("FLAMENCO_STORAGE_DIRECTORIES must be a JSON list of paths");
  });
});
