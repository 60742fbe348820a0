/**
 * The landscape from Python: a Python program (examples/python/flamenco_asset.py, a Dagster asset
 * on Pulumi's Automation API, run with the Pulumi Python SDK at the CLI's version) declares the
 * FlamencoLandscape component through the Python SDK generated into sdk/python. The engine runs the
 * component in its provider plugin (tools/pulumi-resource-flamenco-landscape, found on PATH), with
 * the provider stand-ins and the stand-in release, on the real Docker engine.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { settingsFromArgs } from "../../components/argsMapping";
import { ConfigError } from "../../components/config/errors";
import { ProjectCopy, TEST_PULUMI_HOME } from "./project";
import {
  freePort,
  httpGet,
  removeLeftovers,
  requireEngine,
  serveFixtureRelease,
  ServedRelease,
  listedWorkers,
  untilAwake,
} from "./support";

const STACK = "enginetest-python";
const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

let project: ProjectCopy;
let fixture: ServedRelease;
let python: string;
let sitePackages: string;
let pythonProject: string;
let landscapesRoot: string;
let port: number;

function run(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { env, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as NodeJS.ErrnoException).code ?? 1) || 1 : 0, stdout, stderr }),
    );
  });
}

/** Runs tests/python/run_example.py; its last line is JSON. */
async function example(args: string[]): Promise<Record<string, unknown>> {
  const result = await run(python, [path.join(project.directory, "tests", "python", "run_example.py"), ...args], {
    ...process.env,
    PATH: `${path.join(project.directory, "tools")}:${process.env.PATH}`,
    PULUMI_HOME: TEST_PULUMI_HOME,
    PULUMI_CONFIG_PASSPHRASE: "engine-tests-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PYTHONPATH: sitePackages,
  });
  const last = result.stdout.trim().split("\n").pop() ?? "";
  if (result.code !== 0 || !last.startsWith("{")) {
    throw new Error(`run_example.py ${args[0]} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  }
  return JSON.parse(last) as Record<string, unknown>;
}

function exampleConfig(): Record<string, unknown> {
  return {
    stack: STACK,
    project_dir: pythonProject,
    landscapes_root: landscapesRoot,
    manager_port_host: port,
    manager_bind_address: "127.0.0.1",
    workers: 1,
    flamenco_release_url: fixture.archiveUrl,
    flamenco_release_sha256: fixture.release.sha256,
  };
}

beforeAll(async () => {
  await requireEngine();
  await removeLeftovers([STACK]);
  project = await ProjectCopy.create("python");
  fs.cpSync(path.join(PROJECT_ROOT, "tests", "python"), path.join(project.directory, "tests", "python"), {
    recursive: true,
  });
  fs.cpSync(path.join(PROJECT_ROOT, "examples"), path.join(project.directory, "examples"), { recursive: true });
  fs.cpSync(path.join(PROJECT_ROOT, "sdk"), path.join(project.directory, "sdk"), { recursive: true });
  const setup = await run("bash", [path.join(PROJECT_ROOT, "scripts", "python-setup.sh")]);
  if (setup.code !== 0) throw new Error(`python-setup.sh failed:\n${setup.stderr}`);
  python = path.join(setup.stdout.trim().split("\n").pop() ?? "", "bin", "python");
  // The generated SDK, installed as a distribution (its version is read from its metadata), from
  // a copy: pip builds it in its own directory.
  sitePackages = fs.mkdtempSync(path.join(os.tmpdir(), "flamenco-python-sdk-"));
  const sdkSource = path.join(sitePackages, ".source");
  fs.cpSync(path.join(project.directory, "sdk", "python"), sdkSource, { recursive: true });
  const installed = await run(python, [
    "-m",
    "pip",
    "install",
    "--quiet",
    "--disable-pip-version-check",
    "--no-deps",
    "--no-build-isolation",
    "--target",
    sitePackages,
    sdkSource,
  ]);
  if (installed.code !== 0) throw new Error(`installing the Python SDK failed:\n${installed.stderr}`);
  pythonProject = fs.mkdtempSync(path.join(os.tmpdir(), "flamenco-python-project-"));
  fs.writeFileSync(path.join(pythonProject, "Pulumi.yaml"), "name: studio-flamenco\nruntime: python\n");
  fixture = await serveFixtureRelease();
  landscapesRoot = fs.mkdtempSync(path.join(os.tmpdir(), "flamenco-python-landscapes-"));
  port = await freePort();
});

afterAll(async () => {
  await fixture?.served.close();
  project?.remove();
});

describe("a landscape declared from Python", () => {
  test("materializing the Dagster asset deploys it: the manager answers, its worker registers, the outputs arrive in Python", async () => {
    const result = await example(["materialize", JSON.stringify(exampleConfig())]);
    expect(result.success).toBe(true);
    const metadata = result.metadata as { managerLocalUrl: string; workers: unknown; changes: Record<string, number> };
    expect(metadata.managerLocalUrl).toBe(`http://127.0.0.1:${port}`);
    expect(metadata.workers).toEqual({
      local: { manager_url: "http://flamenco-manager:8080", names: [`${STACK}-local-1`] },
    });
    expect(metadata.changes.create).toBeGreaterThan(10);
    const version = await httpGet(`http://127.0.0.1:${port}/api/v3/version`);
    expect(JSON.parse(version.body)).toMatchObject({ name: "OpenStudioLandscapes-Flamenco", version: "3.7" });
    expect(await untilAwake(port, [`${STACK}-local-1`], 30)).toEqual([`${STACK}-local-1`]);
    expect((await listedWorkers(port)).map((worker) => [worker.name, worker.status])).toEqual([
      [`${STACK}-local-1`, "awake"],
    ]);
  });

  test("a preview right after shows no changes", async () => {
    const result = await example(["preview", JSON.stringify(exampleConfig())]);
    const changes = result.changes as Record<string, number>;
    expect(Object.keys(changes)).toEqual(["same"]);
    expect(changes.same).toBeGreaterThan(10);
  });

  test("bad arguments fail with the same message as in TypeScript, and nothing is created", async () => {
    const stack = `${STACK}-bad`;
    const result = await example([
      "up-args",
      stack,
      pythonProject,
      JSON.stringify({
        landscapes_root: landscapesRoot,
        manager_port_host: 70000,
        workers: [{ name: "local", count: 1, gpu_count: 0 }],
      }),
    ]);
    expect(result.ok).toBe(false);
    let expected = "";
    try {
      settingsFromArgs(
        { landscapesRoot, managerPortHost: 70000, workers: [{ name: "local", count: 1, gpuCount: 0 }] },
        { name: stack, stack, homeDirectory: os.homedir() },
      );
    } catch (error) {
      if (error instanceof ConfigError) expected = error.message;
    }
    expect(expected.split("\n")).toHaveLength(4);
    for (const line of expected.split("\n")) expect(String(result.error)).toContain(line);
    expect(fs.existsSync(path.join(landscapesRoot, stack))).toBe(false);
  });

  test("destroy removes the containers and keeps the storage", async () => {
    const storage = path.join(landscapesRoot, STACK, "OpenStudioLandscapes-Flamenco", "storage");
    expect(fs.existsSync(path.join(storage, "flamenco-manager.sqlite"))).toBe(true);
    await example(["destroy", JSON.stringify(exampleConfig())]);
    await expect(httpGet(`http://127.0.0.1:${port}/api/v3/version`)).rejects.toThrow();
    expect(fs.existsSync(path.join(storage, "flamenco-manager.sqlite"))).toBe(true);
  });
});

describe("the committed Python SDK", () => {
  test("is what the generator writes from the committed schema", async () => {
    const output = fs.mkdtempSync(path.join(os.tmpdir(), "flamenco-python-sdk-generated-"));
    const target = path.join(output, "python");
    const generated = await run("flamenco-gen-python-sdk", [path.join(PROJECT_ROOT, "sdk", "schema.json"), target]);
    expect(generated.stderr).toBe("");
    expect(generated.code).toBe(0);
    const generatedFiles = (fs.readdirSync(target, { recursive: true }) as string[])
      .filter((file) => fs.statSync(path.join(target, file)).isFile())
      .sort();
    const committed = (await run("git", ["-C", PROJECT_ROOT, "ls-files", "sdk/python"])).stdout
      .split("\n")
      .filter(Boolean)
      .map((file) => path.relative("sdk/python", file))
      .sort();
    expect(committed).toEqual(generatedFiles);
    for (const file of generatedFiles) {
      expect(fs.readFileSync(path.join(PROJECT_ROOT, "sdk", "python", file), "utf8")).toBe(
        fs.readFileSync(path.join(target, file), "utf8"),
      );
    }
  });
});
