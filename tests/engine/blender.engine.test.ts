/**
 * Blender on the workers, deployed with `npm run up` under the real Pulumi engine, with the
 * provider stand-ins on the real Docker engine and the stand-in Flamenco release: one landscape,
 * one worker on the manager's host.
 *
 *   1. Debian's `blender` package (workerPackages): Blender itself, in the worker image, makes a
 *      scene and renders a PNG of it onto shared storage as the worker user; then the commands of
 *      docs/blender.md submit a simple-blender-render job that the farm renders with it.
 *   2. The official build's path, with a stand-in archive (fixture/blender.ts) from a file:// url
 *      and its sha256: verified, cached, unpacked where the manager's variable points; a bad
 *      archive and a package apt does not know fail `up` and leave the running worker as it was;
 *      a new version replaces the worker and not the manager.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { documentedBlock, withParameters } from "../documented";
import { buildStandInBlender, StandInBlender } from "./fixture/blender";
import { changedSteps, CommandResult, ProjectCopy } from "./project";
import {
  dockerCli,
  freePort,
  removeLeftovers,
  requireEngine,
  serveFixtureRelease,
  ServedRelease,
  TEST_LANDSCAPE_PREFIX,
} from "./support";

const LANDSCAPE = `${TEST_LANDSCAPE_PREFIX}-blender`;
const LANDSCAPE_LABEL = "org.openstudiolandscapes.landscape";
const WORKER = `${LANDSCAPE}-local-1`;
const WORKER_RESOURCE = `${LANDSCAPE}-workers-local-1`;
const SHARED_IN_CONTAINER = "/app/flamenco-manager-storage-shared";
const WORKER_IMAGE = `openstudiolandscapes/flamenco-worker:${LANDSCAPE}-3.7`;
const DEBIAN = { workerPackages: ["blender"] };
/** Blender's messages when it cannot write where it needs to. */
const WRITE_FAILURES =
  /Permission denied|Failed to create|Cannot open file for writing|Unable to create|Read-only file system/;

let project: ProjectCopy;
let fixture: ServedRelease;
let landscapesRoot: string;
let port: number;
const timings: Record<string, string> = {};

const paths = {
  shared: () => path.join(landscapesRoot, "studio-shared"),
  feature: () => path.join(landscapesRoot, LANDSCAPE, "OpenStudioLandscapes-Flamenco"),
  storage: () => path.join(paths.feature(), "storage"),
  workerHome: () => path.join(paths.feature(), "workers", WORKER),
  cache: () => path.join(landscapesRoot, ".cache", "flamenco-releases"),
};

function stackConfig(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    landscape: LANDSCAPE,
    landscapesRoot,
    flamencoRelease: { url: fixture.archiveUrl, sha256: fixture.release.sha256 },
    managerPortHost: port,
    managerBindAddress: "127.0.0.1",
    sharedStorage: paths.shared(),
    workers: [{ name: "local", count: 1 }],
    ...extra,
  };
}

/** `npm run up` with this Blender config; the time it took is kept under `label`. */
async function upWith(extra: Record<string, unknown>, label: string, flags: string[] = []): Promise<CommandResult> {
  project.writeStackConfig(LANDSCAPE, stackConfig(extra));
  const started = Date.now();
  const result = await project.npmRun("up", LANDSCAPE, flags);
  timings[label] = `${((Date.now() - started) / 1000).toFixed(1)} s`;
  return result;
}

async function up(extra: Record<string, unknown>, label: string, flags: string[] = []): Promise<CommandResult> {
  const result = await upWith(extra, label, flags);
  if (result.code !== 0) throw new Error(`npm run up failed:\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** The docker CLI's output and exit status, without failing on a non-zero one. */
function docker(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("/usr/bin/docker", args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

async function inWorker(...command: string[]): Promise<string> {
  const result = await docker(["exec", WORKER, ...command]);
  if (result.code !== 0)
    throw new Error(`docker exec ${WORKER} ${command.join(" ")} exited ${result.code}:\n${result.output}`);
  return result.output;
}

/** Id and running state of the landscape's containers, by name. */
async function containers(): Promise<Record<string, string>> {
  const listed = await dockerCli([
    "ps",
    "-a",
    "--format",
    "{{.Names}} {{.ID}} {{.State}}",
    "--filter",
    `label=${LANDSCAPE_LABEL}=${LANDSCAPE}`,
  ]);
  return Object.fromEntries(
    listed
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [name, id, state] = line.split(" ");
        return [name, `${id} ${state}`];
      }),
  );
}

async function imageOf(container: string): Promise<string> {
  return (await dockerCli(["inspect", "--format", "{{.Image}}", container])).trim();
}

/** The Linux value of the manager's blender variable, as flamenco-manager.yaml on the host has it. */
function linuxBlender(): string | undefined {
  const config = parse(fs.readFileSync(path.join(paths.feature(), "flamenco-manager.yaml"), "utf8")) as {
    variables: { blender: { values: { platform?: string; value: string }[] } };
  };
  return config.variables.blender.values.find((entry) => entry.platform === "linux")?.value;
}

/** Width and height of a PNG, from its IHDR chunk; throws when the file is not a PNG. */
function pngSize(file: string): { width: number; height: number } {
  const bytes = fs.readFileSync(file);
  if (!bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    throw new Error(`${file} is not a PNG`);
  }
  expect(bytes.subarray(12, 16).toString("ascii")).toBe("IHDR");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Python for Blender: a 160×90 Cycles scene of 16 samples, saved at `file` (a path in the container). */
function sceneScript(file: string): string {
  return [
    "import os, bpy",
    `os.makedirs(os.path.dirname(${JSON.stringify(file)}), exist_ok=True)`,
    "scene = bpy.context.scene",
    "scene.render.engine = 'CYCLES'",
    "scene.cycles.samples = 16",
    // Debian's Blender 3.4.1 is built without OpenImageDenoise.
    "scene.cycles.use_denoising = False",
    "scene.render.resolution_x, scene.render.resolution_y, scene.render.resolution_percentage = 160, 90, 100",
    `bpy.ops.wm.save_as_mainfile(filepath=${JSON.stringify(file)})`,
  ].join("\n");
}

/** The commands of docs/blender.md's "Render a test frame", with its three parameters set to this farm's. */
function guideCommands(): string {
  return withParameters(documentedBlock("docs/blender.md", "MANAGER=http://127.0.0.1:8484"), {
    MANAGER: `http://127.0.0.1:${port}`,
    SHARED: paths.shared(),
    WORKER,
  });
}

function runBash(script: string, timeoutSeconds: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-euo", "pipefail", "-c", script], { stdio: ["ignore", "pipe", "pipe"] });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutSeconds * 1000);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  await requireEngine();
  await removeLeftovers([LANDSCAPE]);
  project = await ProjectCopy.create("blender");
  fixture = await serveFixtureRelease();
  landscapesRoot = fs.mkdtempSync(path.join(os.tmpdir(), "flamenco-blender-landscapes-"));
  port = await freePort();
  await up(DEBIAN, "first up with Debian's blender package (manager and worker images built)");
});

afterAll(async () => {
  if (project && fs.existsSync(project.stackFile(LANDSCAPE))) await project.npmRun("destroy", LANDSCAPE);
  await fixture?.served.close();
  project?.remove();
  if (landscapesRoot) fs.rmSync(landscapesRoot, { recursive: true, force: true });
  console.log(
    `Blender engine test timings:\n${Object.entries(timings)
      .map(([label, time]) => `  ${label}: ${time}`)
      .join("\n")}`,
  );
});

describe("Debian's blender package in the worker image", () => {
  test("the worker runs the worker image, not the manager's, as the worker user with its identity directory as HOME", async () => {
    const workerImage = (await dockerCli(["image", "inspect", "--format", "{{.Id}}", WORKER_IMAGE])).trim();
    expect(await imageOf(WORKER)).toBe(workerImage);
    expect(await imageOf(`flamenco-manager--${LANDSCAPE}`)).not.toBe(workerImage);
    expect((await inWorker("sh", "-c", 'id -u; id -g; echo "$HOME"')).split("\n")).toEqual([
      "1000",
      "1000",
      "/var/lib/flamenco-worker",
      "",
    ]);
    expect((await inWorker("blender", "--version")).split("\n")[0]).toBe("Blender 3.4.1");
  });

  test("the manager's blender variable points Linux workers at it", () => {
    expect(linuxBlender()).toBe("/usr/bin/blender");
  });

  test("blender -b as the worker user writes a PNG of a .blend it made into shared storage on the host", async () => {
    const blendfile = `${SHARED_IN_CONTAINER}/engine-test/scene.blend`;
    const started = Date.now();
    const made = await inWorker("blender", "-b", "--python-expr", sceneScript(blendfile));
    const rendered = await inWorker(
      "blender",
      "-b",
      "-y",
      blendfile,
      "--render-output",
      `${SHARED_IN_CONTAINER}/engine-test/frame-####`,
      "--render-format",
      "PNG",
      "--render-frame",
      "1",
    );
    timings["blender -b: make the scene, render the frame"] = `${((Date.now() - started) / 1000).toFixed(1)} s`;
    expect(made).toContain('Info: Saved "scene.blend"');
    expect(rendered).toMatch(/Saved: '\/app\/flamenco-manager-storage-shared\/engine-test\/frame-0001\.png'/);
    expect(`${made}\n${rendered}`).not.toMatch(WRITE_FAILURES);

    const blend = path.join(paths.shared(), "engine-test", "scene.blend");
    expect(fs.readFileSync(blend).subarray(0, 7).toString("ascii")).toBe("BLENDER");
    const frame = path.join(paths.shared(), "engine-test", "frame-0001.png");
    expect(pngSize(frame)).toEqual({ width: 160, height: 90 });
    expect(fs.statSync(frame).size).toBeGreaterThan(1000);
    expect(fs.statSync(frame).uid).toBe(1000);
    // Blender's user files went to HOME, the worker's identity directory on the host.
    expect(fs.existsSync(path.join(paths.workerHome(), ".config"))).toBe(true);
    expect(fs.existsSync(path.join(paths.workerHome(), "flamenco-worker-credentials.yaml"))).toBe(true);
  });

  test("the commands of docs/blender.md have the farm render a frame with it", async () => {
    const started = Date.now();
    const run = await runBash(guideCommands(), 180);
    timings["docs/blender.md's job, from submission to the frame listed"] =
      `${((Date.now() - started) / 1000).toFixed(1)} s`;
    if (run.code !== 0) throw new Error(`the guide's commands exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
    expect(run.stdout).toContain('"status":"completed"');
    expect(run.stdout).toContain("frame-000001.png");
    const frame = path.join(paths.shared(), "blender-check", "render", "frame-000001.png");
    expect(pngSize(frame)).toEqual({ width: 160, height: 90 });

    // The render task ran the worker image's Blender as the manager's variable names it.
    const job = /^job ([0-9a-f-]{36})$/m.exec(run.stdout)![1];
    const jobDirectory = path.join(paths.storage(), `job-${job.slice(0, 4)}`, job);
    const logs = fs
      .readdirSync(jobDirectory)
      .map((file) => fs.readFileSync(path.join(jobDirectory, file), "utf8"))
      .join("\n");
    expect(logs).toContain(
      `going to run:\n\n    /usr/bin/blender -b -y ${SHARED_IN_CONTAINER}/blender-check/check.blend --scene Scene --render-output '${SHARED_IN_CONTAINER}/blender-check/render/frame-######' --render-format PNG --render-frame 1\n`,
    );
    expect(logs).toMatch(/pid=\d+ > Saved: '.*frame-000001\.png'/);
    expect(logs).not.toMatch(WRITE_FAILURES);
  });

  test("an up right after changes nothing", async () => {
    const before = await containers();
    const again = await up(DEBIAN, "no-change up", ["--expect-no-changes"]);
    expect(changedSteps(again.events)).toEqual([]);
    expect(await containers()).toEqual(before);
  });
});

describe("the official build, from a file:// archive with its sha256", () => {
  let blender423: StandInBlender;
  let blender424: StandInBlender;
  const official = (blender: StandInBlender, sha256: string = blender.sha256, extra: Record<string, unknown> = {}) => ({
    blenderVersion: blender.version,
    blenderRelease: { url: blender.url, sha256 },
    ...extra,
  });

  beforeAll(async () => {
    const mirror = path.join(landscapesRoot, "blender-mirror");
    blender423 = await buildStandInBlender(mirror, "4.2.3");
    blender424 = await buildStandInBlender(mirror, "4.2.4");
  });

  test("is verified, cached and unpacked at /opt/blender, where the manager's variable points, with its libraries", async () => {
    await up(official(blender423), "up to the official build 4.2.3 (worker image with its libraries)");
    expect(linuxBlender()).toBe("/opt/blender/blender");
    expect(await inWorker("/opt/blender/blender")).toBe(`${blender423.versionLine}\n`);
    expect(await inWorker("blender")).toBe(`${blender423.versionLine}\n`);
    // Root's, though uid 1000 owned them in the archive: the worker cannot change its Blender.
    expect(await inWorker("stat", "-c", "%u %a", "/opt/blender/blender", "/opt/blender/4.2")).toBe("0 755\n0 755\n");
    expect(await inWorker("dpkg-query", "-W", "-f", "${Status}\n", "libgl1", "libxkbcommon0", "libsm6")).toBe(
      "install ok installed\n".repeat(3),
    );
    const cached = fs
      .readdirSync(paths.cache())
      .filter((entry) => fs.existsSync(path.join(paths.cache(), entry, "blender-4.2.3-linux-x64.tar.xz")));
    expect(cached).toHaveLength(1);
    expect(fs.readFileSync(path.join(paths.cache(), cached[0], "blender-4.2.3-linux-x64.tar.xz.sha256"), "utf8")).toBe(
      `${blender423.sha256}  blender-4.2.3-linux-x64.tar.xz\n`,
    );
    expect(fs.readdirSync(path.join(paths.feature(), "worker-image-context")).sort()).toEqual(
      ["Dockerfile", "blender-release.tar.xz", "flamenco-release.tar.gz"].sort(),
    );
  });

  test("an up right after changes nothing", async () => {
    const again = await up(official(blender423), "no-change up (official build)", ["--expect-no-changes"]);
    expect(changedSteps(again.events)).toEqual([]);
  });

  test("an archive that does not match its sha256 fails up; the running worker and the manager stay as they are", async () => {
    const before = await containers();
    const result = await upWith(official(blender424, blender423.sha256), "failed up: checksum mismatch");
    expect(result.code).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain(
      `flamenco-landscape:blenderRelease {"url":"${blender424.url}","sha256":"${blender423.sha256}"} (expected the archive at that url, with that sha256): Checksum mismatch for ${blender424.url}: expected sha256 ${blender423.sha256}, got ${blender424.sha256}.`,
    );
    expect(await containers()).toEqual(before);
    expect(Object.values(before).every((state) => state.endsWith(" running"))).toBe(true);
    expect(await inWorker("blender")).toBe(`${blender423.versionLine}\n`);
    const entries = fs.readdirSync(paths.cache()).flatMap((entry) => fs.readdirSync(path.join(paths.cache(), entry)));
    expect(entries.filter((name) => name.includes("4.2.4"))).toEqual([]);
  });

  test("a package apt does not know fails up; the running worker stays as it is", async () => {
    const before = await containers();
    const missing = "flamenco-engine-test-no-such-package";
    const result = await upWith(official(blender423, undefined, { workerPackages: [missing] }), "failed up: package");
    expect(result.code).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain(`Unable to locate package ${missing}`);
    expect(await containers()).toEqual(before);
    expect(await inWorker("blender")).toBe(`${blender423.versionLine}\n`);
  });

  test("a new version replaces the worker and not the manager", async () => {
    const before = await containers();
    const result = await up(official(blender424), "up to the official build 4.2.4");
    const steps = changedSteps(result.events);
    expect(steps).toContain(`replace ${WORKER_RESOURCE}`);
    expect(steps).toEqual(
      expect.arrayContaining([`update ${LANDSCAPE}-worker-release-fetch`, `update ${LANDSCAPE}-worker-image`]),
    );
    expect(steps.filter((entry) => entry.endsWith(`${LANDSCAPE}-manager`) || entry.includes("manager-"))).toEqual([]);
    const after = await containers();
    expect(after[`flamenco-manager--${LANDSCAPE}`]).toBe(before[`flamenco-manager--${LANDSCAPE}`]);
    expect(after[WORKER]).not.toBe(before[WORKER]);
    expect(await inWorker("blender")).toBe(`${blender424.versionLine}\n`);
    expect(linuxBlender()).toBe("/opt/blender/blender");
  });
});
