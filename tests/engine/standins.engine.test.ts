/**
 * The stand-ins of the fixture release (tests/engine/fixture/flamenco-standin/), run
 * directly on this machine on 127.0.0.1: no Docker. The other engine tests rely on them
 * behaving like Flamenco 3.7, so each test here pins one rule of the real binaries
 * (see /docs/flamenco-values.md and the comments in the Go sources) from outside: HTTP
 * answers, exit codes, log lines and files on disk.
 *
 * The manager reads a flamenco-manager.yaml rendered by the program's own
 * managerConfigDocument, with the container paths replaced by host paths; like in the
 * image, the executable sits in the directory it runs from, so the relative
 * `local_manager_storage_path` lands next to it.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { parseSettings } from "../../components/config/settings";
import { managerConfigDocument } from "../../components/render/managerYaml";
import { buildFixtureRelease } from "./fixture/release";
import { freePort } from "./support";

const VERSION = "3.7";
const UNPRIVILEGED = 1000;

let root: string;
let release: string;
const running = new Set<Started>();

interface Started {
  child: ChildProcess;
  /** stdout and stderr so far, ANSI colours removed */
  output(): string;
  exited: Promise<number | null>;
}

// Both binaries log through zerolog's console writer, which colours even when not on a terminal.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

function start(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Started {
  const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env } });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const started: Started = { child, output: () => output.replace(ANSI, ""), exited };
  running.add(started);
  void exited.then(() => running.delete(started));
  return started;
}

async function stop(started: Started, signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
  if (started.child.exitCode === null && started.child.signalCode === null) started.child.kill(signal);
  return exitCode(started);
}

/** The exit code, or a failure with the output when the process is still running after `seconds`. */
async function exitCode(started: Started, seconds = 30): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`still running after ${seconds}s:\n${started.output()}`)),
      seconds * 1000,
    );
  });
  try {
    return await Promise.race([started.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, seconds = 30): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${seconds}s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function mkdir(...parts: string[]): string {
  const dir = path.join(...parts);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** A directory like the image's /app: the manager binary, run from there. */
function appDirectory(name: string): string {
  const dir = mkdir(root, name);
  fs.copyFileSync(path.join(release, "flamenco-manager"), path.join(dir, "flamenco-manager"));
  fs.chmodSync(path.join(dir, "flamenco-manager"), 0o755);
  return dir;
}

/** The program's flamenco-manager.yaml (default stack), with host paths and a free port. */
function managerYaml(app: string, port: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const settings = parseSettings(
    { manager: { managerName: "Standin Farm" } },
    {
      stack: "standins",
      homeDirectory: os.homedir(),
    },
  );
  return {
    ...managerConfigDocument(settings),
    database: path.join(app, "flamenco-manager-storage", "flamenco-manager.sqlite"),
    listen: `127.0.0.1:${port}`,
    shared_storage_path: path.join(app, "flamenco-manager-storage-shared"),
    ...overrides,
  };
}

function writeYaml(app: string, document: Record<string, unknown>): void {
  fs.writeFileSync(path.join(app, "flamenco-manager.yaml"), stringify(document));
}

interface Manager {
  manager: Started;
  url: string;
}

async function startManager(
  app: string,
  port: number,
  env: NodeJS.ProcessEnv = {},
  wrapper: string[] = [],
): Promise<Manager> {
  const exe = path.join(app, "flamenco-manager");
  const manager =
    wrapper.length > 0
      ? start(wrapper[0], [...wrapper.slice(1), exe], { cwd: app, env })
      : start(exe, [], { cwd: app, env });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`the manager on ${url}`, async () => {
    if (manager.child.exitCode !== null)
      throw new Error(`manager exited ${manager.child.exitCode}:\n${manager.output()}`);
    try {
      return (await fetch(`${url}/api/v3/version`)).status === 200 ? true : undefined;
    } catch {
      return undefined;
    }
  });
  return { manager, url };
}

function startWorker(managerUrl: string, home: string, name: string, env: NodeJS.ProcessEnv = {}): Started {
  mkdir(home);
  return start(path.join(release, "flamenco-worker"), ["-manager", managerUrl], {
    cwd: home,
    env: { FLAMENCO_HOME: home, FLAMENCO_WORKER_NAME: name, ...env },
  });
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function postJson(url: string, body: unknown, auth?: string): Promise<Response> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (auth !== undefined) headers.Authorization = `Basic ${Buffer.from(auth).toString("base64")}`;
  return fetch(url, { method: "POST", headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

interface Job {
  id: string;
  status: string;
}
interface TaskSummary {
  id: string;
  name: string;
  status: string;
}

async function submitJob(url: string, type: string, settings: Record<string, unknown>): Promise<Job> {
  const response = await postJson(`${url}/api/v3/jobs`, {
    name: `standin ${type}`,
    type,
    priority: 50,
    submitter_platform: "linux",
    settings,
    metadata: { "user.name": "standins.engine.test" },
  });
  expect(response.status).toBe(200);
  const job = (await response.json()) as Job;
  expect(job.status).toBe("queued");
  return job;
}

async function jobCompleted(url: string, job: Job, seconds = 60): Promise<void> {
  await waitFor(
    `job ${job.id} completed`,
    async () => {
      const current = await getJson<Job>(`${url}/api/v3/jobs/${job.id}`);
      if (current.status === "failed") throw new Error(`job ${job.id} failed`);
      return current.status === "completed" ? true : undefined;
    },
    seconds,
  );
}

async function tasksOf(url: string, job: Job): Promise<TaskSummary[]> {
  return (await getJson<{ tasks: TaskSummary[] }>(`${url}/api/v3/jobs/${job.id}/tasks`)).tasks;
}

/** task_logs.go Filepath: <storage root>/job-<first 4 of job id>/<job id>/task-<task id>.txt */
function taskLogPath(storageRoot: string, jobId: string, taskId: string): string {
  return path.join(storageRoot, `job-${jobId.slice(0, 4)}`, jobId, `task-${taskId}.txt`);
}

function mode(file: string): string {
  return (fs.statSync(file).mode & 0o777).toString(8);
}

beforeAll(async () => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "flamenco-standins-")));
  // uid 1000 must reach the app directories below.
  fs.chmodSync(root, 0o755);
  const built = await buildFixtureRelease(mkdir(root, "release"), VERSION);
  execFileSync("tar", ["-xzf", built.tarballPath, "-C", mkdir(root, "extracted")]);
  release = path.join(root, "extracted", `flamenco-${VERSION}-linux-amd64`);
});

afterEach(async () => {
  await Promise.all([...running].map((started) => stop(started, "SIGKILL")));
});

afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe("the stand-in Flamenco binaries", () => {
  it("answer -version, and the manager's version and configuration as Flamenco 3.7 does", async () => {
    expect(execFileSync(path.join(release, "flamenco-worker"), ["-version"]).toString()).toBe(`${VERSION}\n`);
    const versionRun = start(path.join(release, "flamenco-manager"), ["-version"], { cwd: root });
    expect(await exitCode(versionRun)).toBe(0);
    expect(versionRun.output()).toMatch(
      new RegExp(`INF starting Flamenco .*version=${VERSION.replace(".", "\\.")}\\n$`),
    );

    const app = appDirectory("meta");
    const port = await freePort();
    writeYaml(app, managerYaml(app, port));
    mkdir(app, "flamenco-manager-storage");
    const { url } = await startManager(app, port);

    const version = await fetch(`${url}/api/v3/version`);
    expect(version.headers.get("content-type")).toBe("application/json; charset=UTF-8");
    expect(await version.json()).toEqual({
      git: "standin",
      name: "Standin Farm",
      shortversion: VERSION,
      version: VERSION,
    });
    expect(await getJson(`${url}/api/v3/configuration`)).toEqual({
      isFirstRun: false,
      shamanEnabled: true,
      storageLocation: path.join(app, "flamenco-manager-storage-shared", "jobs"),
    });
    for (const dir of ["file-store/uploading", "file-store/stored", "jobs"]) {
      expect(fs.statSync(path.join(app, "flamenco-manager-storage-shared", dir)).isDirectory()).toBe(true);
    }
    const unknown = await fetch(`${url}/api/v3/no-such-thing`);
    expect([unknown.status, await unknown.json()]).toEqual([404, { message: "Not Found" }]);
  });

  it("start in first-run mode without flamenco-manager.yaml, and refuse a config of another version", async () => {
    const app = appDirectory("first-run");
    const port = await freePort();
    // Without a config the manager listens on :8080; the stand-in knob moves it to a free port.
    const { url, manager } = await startManager(app, port, { FLAMENCO_STANDIN_LISTEN: `127.0.0.1:${port}` });
    expect(await getJson(`${url}/api/v3/configuration`)).toEqual({
      isFirstRun: true,
      shamanEnabled: false,
      storageLocation: path.join(app, "jobs"),
    });
    expect(manager.output()).toContain(
      "INF This seems to be your first run of Flamenco! A webbrowser will open to help you set things up.",
    );
    // The default database, relative to the working directory.
    expect(fs.existsSync(path.join(app, "flamenco-manager.sqlite"))).toBe(true);
    expect(await stop(manager)).toBe(0);

    writeYaml(app, { ...managerYaml(app, port), _meta: { version: 2 } });
    const refused = start(path.join(app, "flamenco-manager"), [], { cwd: app });
    expect(await exitCode(refused)).toBe(1);
    expect(refused.output()).toContain(
      'FTL unable to determine whether this is the first run of Flamenco or not error="loading flamenco-manager.yaml: ' +
        'configuration file flamenco-manager.yaml version 2, but only version 3 is supported"',
    );
  });

  it("run an echo-sleep-test job with one worker and write its task logs next to the executable", async () => {
    const app = appDirectory("echo");
    const port = await freePort();
    writeYaml(app, managerYaml(app, port));
    mkdir(app, "flamenco-manager-storage");
    const { url, manager } = await startManager(app, port);
    startWorker(url, path.join(root, "echo-worker"), "standin-w1");

    const job = await submitJob(url, "echo-sleep-test", {
      message: "hello from the stand-ins",
      sleep_duration_seconds: 1,
      sleep_repeats: 1,
    });
    await jobCompleted(url, job);
    const tasks = await tasksOf(url, job);
    expect(tasks.map((task) => [task.name, task.status])).toEqual([
      ["echo", "completed"],
      ["sleep", "completed"],
    ]);

    const storageRoot = path.join(app, "flamenco-manager-storage");
    const echoLog = taskLogPath(storageRoot, job.id, tasks[0].id);
    const sleepLog = taskLogPath(storageRoot, job.id, tasks[1].id);
    const stamp = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ";
    const assigned = `${stamp} Task assigned to worker standin-w1 \\([0-9a-f-]{36}\\)`;
    expect(fs.readFileSync(echoLog, "utf8")).toMatch(
      new RegExp(
        `^${assigned}\\n${stamp} task changed status queued -> active\\n` +
          `echo: "hello from the stand-ins"\\n${stamp} task changed status active -> completed\\n$`,
      ),
    );
    expect(fs.readFileSync(sleepLog, "utf8")).toMatch(
      new RegExp(
        `^${assigned}\\n${stamp} task changed status queued -> active\\nslept 1s\\n${stamp} task changed status active -> completed\\n$`,
      ),
    );
    expect([mode(sleepLog), mode(path.dirname(sleepLog)), mode(path.dirname(path.dirname(sleepLog)))]).toEqual([
      "644",
      "755",
      "755",
    ]);
    expect(await getJson(`${url}/api/v3/tasks/${tasks[1].id}/log`)).toEqual({
      job_id: job.id,
      size: fs.statSync(sleepLog).size,
      task_id: tasks[1].id,
      url: `/job-files/job-${job.id.slice(0, 4)}/${job.id}/task-${tasks[1].id}.txt`,
    });

    // A clean stop closes the database: the WAL files go, the data stays.
    expect(await stop(manager, "SIGINT")).toBe(0);
    expect(fs.readdirSync(storageRoot).filter((name) => name.startsWith("flamenco-manager.sqlite"))).toEqual([
      "flamenco-manager.sqlite",
    ]);
    const again = await startManager(app, port);
    expect((await getJson<Job>(`${again.url}/api/v3/jobs/${job.id}`)).status).toBe("completed");
    const workers = await getJson<{ workers: { name: string }[] }>(`${again.url}/api/v3/worker-mgt/workers`);
    expect(workers.workers.map((worker) => worker.name)).toEqual(["standin-w1"]);
  });

  it("join an absolute local_manager_storage_path onto the executable's directory", async () => {
    const app = appDirectory("absolute");
    const port = await freePort();
    const absolute = path.join(app, "abs-storage");
    writeYaml(
      app,
      managerYaml(app, port, {
        database: path.join(app, "db", "flamenco-manager.sqlite"),
        local_manager_storage_path: absolute,
      }),
    );
    mkdir(app, "db");
    const { url } = await startManager(app, port);
    startWorker(url, path.join(root, "absolute-worker"), "standin-abs");

    // Without sleep_repeats the job has only its echo task: the manager fills in no defaults.
    const job = await submitJob(url, "echo-sleep-test", { message: "absolute" });
    await jobCompleted(url, job);
    const [echo, ...others] = await tasksOf(url, job);
    expect(others).toEqual([]);
    expect(fs.existsSync(taskLogPath(path.join(app, absolute), job.id, echo.id))).toBe(true);
    expect(fs.existsSync(absolute)).toBe(false);
  });

  it("exit 1 with Flamenco's FTL line when the database directory is missing", async () => {
    const app = appDirectory("no-db-dir");
    const port = await freePort();
    const database = path.join(app, "flamenco-manager-storage", "flamenco-manager.sqlite");
    writeYaml(app, managerYaml(app, port, { database }));
    const manager = start(path.join(app, "flamenco-manager"), [], { cwd: app });
    expect(await exitCode(manager)).toBe(1);
    expect(manager.output()).toContain(
      `FTL error opening database error="enabling foreign keys: unable to open database file: out of memory (14)" dsn=${database}\n`,
    );
    expect(fs.readdirSync(app).sort()).toEqual(["flamenco-manager", "flamenco-manager.yaml"]);
  });

  it("answer 500 to task requests and keep the job queued when local storage cannot be created", async () => {
    const app = appDirectory("uncreatable");
    fs.chmodSync(app, 0o755);
    const port = await freePort();
    const rootOwned = mkdir(app, "rootdir");
    fs.chmodSync(rootOwned, 0o755);
    const storage = path.join(rootOwned, "flamenco-manager-storage");
    for (const dir of [mkdir(app, "db"), mkdir(app, "shared")]) fs.chownSync(dir, UNPRIVILEGED, UNPRIVILEGED);
    writeYaml(
      app,
      managerYaml(app, port, {
        database: path.join(app, "db", "flamenco-manager.sqlite"),
        local_manager_storage_path: "rootdir/flamenco-manager-storage",
        shared_storage_path: path.join(app, "shared"),
      }),
    );
    const wrapper = ["setpriv", `--reuid=${UNPRIVILEGED}`, `--regid=${UNPRIVILEGED}`, "--clear-groups"];
    const { url, manager } = await startManager(app, port, {}, wrapper);

    // A worker of our own, speaking the worker API directly.
    const secret = "0123456789abcdef".repeat(4);
    const registered = await postJson(`${url}/api/v3/worker/register-worker`, {
      name: "standin-direct",
      platform: "linux",
      secret,
      supported_task_types: ["misc"],
    });
    const { uuid } = (await registered.json()) as { uuid: string };
    const auth = `${uuid}:${secret}`;
    expect(
      (
        await postJson(
          `${url}/api/v3/worker/sign-on`,
          { name: "standin-direct", software_version: VERSION, supported_task_types: ["misc"] },
          auth,
        )
      ).status,
    ).toBe(200);
    expect((await postJson(`${url}/api/v3/worker/state-changed`, { status: "awake" }, auth)).status).toBe(204);
    expect((await postJson(`${url}/api/v3/worker/task`, undefined, auth)).status).toBe(204);

    const job = await submitJob(url, "echo-sleep-test", {
      message: "nowhere to log",
      sleep_duration_seconds: 1,
      sleep_repeats: 1,
    });
    const refused = await postJson(`${url}/api/v3/worker/task`, undefined, auth);
    expect(refused.status).toBe(500);
    expect(await refused.json()).toEqual({
      code: 500,
      message: `internal error appending to task log: creating directory: mkdir ${storage}: permission denied`,
    });
    expect(manager.output()).toContain(
      `ERR unable to create directory for log file error="mkdir ${storage}: permission denied"`,
    );
    expect((await getJson<Job>(`${url}/api/v3/jobs/${job.id}`)).status).toBe("queued");
    const [echo] = await tasksOf(url, job);
    const task = await getJson<{ status: string; worker: { id: string } }>(`${url}/api/v3/tasks/${echo.id}`);
    expect([task.status, task.worker.id]).toEqual(["queued", uuid]);
    expect(fs.existsSync(storage)).toBe(false);
  });

  it("refuse a deleted worker with 403, which registers anew when restarted with the same FLAMENCO_HOME", async () => {
    const app = appDirectory("deleted");
    const port = await freePort();
    writeYaml(app, managerYaml(app, port));
    mkdir(app, "flamenco-manager-storage");
    const { url } = await startManager(app, port);
    const home = path.join(root, "deleted-worker");
    const credentialsFile = path.join(home, "flamenco-worker-credentials.yaml");
    const workerIds = async () =>
      (await getJson<{ workers: { id: string }[] }>(`${url}/api/v3/worker-mgt/workers`)).workers.map(
        (worker) => worker.id,
      );

    const first = startWorker(url, home, "standin-deleted");
    await waitFor("the worker to sign on", () =>
      first.output().includes("state change curState=starting newState=awake") ? true : undefined,
    );
    const credentials = fs.readFileSync(credentialsFile, "utf8");
    const oldId = /^worker_id: ([0-9a-f-]{36})$/m.exec(credentials)![1];
    const oldSecret = /^worker_secret: ([0-9a-f]{64})$/m.exec(credentials)![1];
    expect(await workerIds()).toEqual([oldId]);

    const deleted = await fetch(`${url}/api/v3/worker-mgt/workers/${oldId}`, { method: "DELETE" });
    expect(deleted.status).toBe(204);
    const again = await fetch(`${url}/api/v3/worker-mgt/workers/${oldId}`, { method: "DELETE" });
    expect([again.status, await again.json()]).toEqual([404, { code: 404, message: `worker "${oldId}" not found` }]);
    const signOn = await postJson(
      `${url}/api/v3/worker/sign-on`,
      { name: "x", software_version: VERSION, supported_task_types: ["misc"] },
      `${oldId}:${oldSecret}`,
    );
    expect([signOn.status, await signOn.json()]).toEqual([403, { message: "Security requirements failed" }]);

    // The running worker is refused and waits; it does not register again by itself.
    await waitFor("the worker to be refused", () =>
      first.output().includes('ERR access denied error="Security requirements failed" code=403') ? true : undefined,
    );
    expect(await workerIds()).toEqual([]);
    expect(first.output().match(/registered at Manager/g)).toHaveLength(1);
    // Flamenco's worker exits 1 when stopped by a signal (main.go stopProcess, ReasonContextClosed).
    expect(await stop(first)).toBe(1);
    // Its task-update buffer is a real SQLite file, closed cleanly: no WAL files left.
    expect(fs.readdirSync(home).sort()).toEqual(["flamenco-worker-credentials.yaml", "flamenco-worker.sqlite"]);
    expect(fs.readFileSync(path.join(home, "flamenco-worker.sqlite")).subarray(0, 16).toString()).toBe(
      "SQLite format 3\0",
    );

    const second = startWorker(url, home, "standin-deleted");
    await waitFor("the restarted worker to sign on", () =>
      second.output().includes("manager accepted sign-on") ? true : undefined,
    );
    expect(second.output()).toContain("WRN unable to sign on at Manager code=403");
    const rewritten = fs.readFileSync(credentialsFile, "utf8");
    const newId = /^worker_id: ([0-9a-f-]{36})$/m.exec(rewritten)![1];
    expect(newId).not.toBe(oldId);
    expect(await workerIds()).toEqual([newId]);
    expect(rewritten).toMatch(/^# Credentials file for Flamenco Worker\.\n/);
    expect(mode(credentialsFile)).toBe("600");
    expect(fs.existsSync(`${credentialsFile}~`)).toBe(false);
  });

  it("render a simple-blender-render job with the blender named by the manager's variable, then the video", async () => {
    const app = appDirectory("render");
    const port = await freePort();
    const shared = path.join(app, "flamenco-manager-storage-shared");
    writeYaml(app, managerYaml(app, port));
    mkdir(app, "flamenco-manager-storage");
    const { url } = await startManager(app, port);

    // A fake `blender` on the worker's PATH: records its arguments, writes the frame.
    const fakeBin = mkdir(root, "fake-bin");
    const argsFile = path.join(root, "blender-args.txt");
    fs.writeFileSync(
      path.join(fakeBin, "blender"),
      [
        "#!/bin/sh",
        'if [ "$1" = "--version" ]; then echo "Blender 4.2.0 (stand-in)"; exit 0; fi',
        `for arg in "$@"; do printf '%s\\n' "$arg"; done >> '${argsFile}'`,
        `echo ---- >> '${argsFile}'`,
        "while [ $# -gt 0 ]; do",
        '  case "$1" in',
        '    --render-output) out="$2"; shift ;;',
        '    --render-frame) frame="$2"; shift ;;',
        "  esac",
        "  shift",
        "done",
        "hashes=$(printf '%s' \"$out\" | tr -cd '#' | wc -c)",
        'padded=$(printf "%0${hashes}d" "$frame")',
        'file=$(printf \'%s\' "$out" | sed "s/#\\{1,\\}/$padded/").png',
        'mkdir -p "$(dirname "$file")"',
        'echo "rendered frame $frame" > "$file"',
        "echo \"Saved: '$file'\"",
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    const worker = startWorker(url, path.join(root, "render-worker"), "standin-render", {
      PATH: `${fakeBin}${path.delimiter}${process.env.PATH}`,
    });

    const job = await submitJob(url, "simple-blender-render", {
      frames: "1-2",
      chunk_size: 1,
      render_output_root: path.join(shared, "render"),
      add_path_components: 0,
      render_output_path: path.join(shared, "render", "shot", "{timestamp}", "######"),
      blendfile: path.join(shared, "jobs", "shot.flamenco.blend"),
      fps: 24,
      format: "PNG",
      image_file_extension: ".png",
      scene: "Scene",
    });
    await jobCompleted(url, job);
    const tasks = await tasksOf(url, job);
    expect(tasks.map((task) => task.name)).toEqual(["render-1", "render-2", "preview-video"]);
    expect(worker.output()).toContain(
      `INF Blender found on this system, it will be used unless the Flamenco Manager configuration specifies a different path. path=${path.join(fakeBin, "blender")} version="Blender 4.2.0 (stand-in)"`,
    );

    // The task carries the variables; the worker got them expanded.
    const render1 = await getJson<{ commands: { parameters: Record<string, unknown> }[] }>(
      `${url}/api/v3/tasks/${tasks[0].id}`,
    );
    expect(render1.commands[0].parameters).toMatchObject({ exe: "{blender}", exeArgs: "{blenderArgs}" });
    const renderDir = path.dirname(
      (await getJson<{ settings: { render_output_path: string } }>(`${url}/api/v3/jobs/${job.id}`)).settings
        .render_output_path,
    );
    expect(path.basename(renderDir)).toMatch(/^\d{4}-\d\d-\d\d_\d{6}$/);
    const invocations = fs.readFileSync(argsFile, "utf8").split("----\n").filter(Boolean);
    expect(invocations.map((lines) => lines.trimEnd().split("\n"))).toEqual(
      ["1", "2"].map((frame) => [
        "-b",
        "-y",
        path.join(shared, "jobs", "shot.flamenco.blend"),
        "--scene",
        "Scene",
        "--render-output",
        path.join(renderDir, "######"),
        "--render-format",
        "PNG",
        "--render-frame",
        frame,
      ]),
    );
    expect(fs.readFileSync(path.join(renderDir, "000001.png"), "utf8")).toBe("rendered frame 1\n");
    const renderLog = fs.readFileSync(
      taskLogPath(path.join(app, "flamenco-manager-storage"), job.id, tasks[0].id),
      "utf8",
    );
    expect(renderLog).toContain(
      `going to run:\n\n    blender -b -y ${path.join(shared, "jobs", "shot.flamenco.blend")} --scene Scene`,
    );
    expect(renderLog).toMatch(/pid=\d+ > Saved: '.*000001\.png'\n/);

    // frames-to-video ran the FFmpeg bundled next to the worker, on the rendered frames.
    const video = fs.readFileSync(path.join(renderDir, "shot-1-2.mp4"), "utf8");
    expect(video).toContain("STAND-IN video");
    const videoLog = fs.readFileSync(
      taskLogPath(path.join(app, "flamenco-manager-storage"), job.id, tasks[2].id),
      "utf8",
    );
    expect(videoLog).toContain(
      `going to run:\n\n    ${path.join(release, "tools", "ffmpeg-linux-amd64")} -r 24 -pattern_type glob -i '${path.join(renderDir, "*.png")}' -c:v h264`,
    );
  });
});
