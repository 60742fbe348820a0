/**
 * The README's and docs/migrating-from-openstudiolandscapes.md's commands, run as written
 * (tests/documented.ts) in a copy of the project, on the real Pulumi engine and Docker. The stack
 * files are the tests' own: the landscape names carry the test prefix, the release is the
 * fixture's and the ports are free ones, so nothing here touches a studio's own `dev`.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ProjectCopy, shippedStackKeys } from "./project";
import {
  dockerCli,
  freePort,
  httpGet,
  localLandscapeConfig,
  removeLeftovers,
  requireEngine,
  serveFixtureRelease,
  ServedRelease,
  TEST_LANDSCAPE_PREFIX,
  untilAwake,
} from "./support";

const DEV = `${TEST_LANDSCAPE_PREFIX}-doc-dev`;
const SHOW = `${TEST_LANDSCAPE_PREFIX}-doc-show-42`;
const FEATURE = "OpenStudioLandscapes-Flamenco";

let project: ProjectCopy;
let fixture: ServedRelease;
let landscapesRoot: string;
let home: string;
const ports: Record<string, number> = {};

/** Pulumi.dev.yaml as the README deploys it (and copies it), with a free port, test paths and the stand-in release. */
function stackConfig(name: string, port: number): Record<string, unknown> {
  return { ...shippedStackKeys("dev"), ...localLandscapeConfig({ name, landscapesRoot, release: fixture, port }) };
}

async function managerAnswers(port: number): Promise<boolean> {
  return (await httpGet(`http://127.0.0.1:${port}/api/v3/version`).catch(() => ({ status: 0 }))).status === 200;
}

async function containerExists(name: string): Promise<boolean> {
  return (await dockerCli(["ps", "-aq", "--filter", `name=^${name}$`])).trim() !== "";
}

function expectSuccess(run: { code: number; stdout: string; stderr: string }): void {
  if (run.code !== 0) throw new Error(`the documented commands exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
}

beforeAll(async () => {
  await requireEngine();
  await removeLeftovers([DEV, SHOW]);
  project = await ProjectCopy.create("documented");
  fixture = await serveFixtureRelease();
  landscapesRoot = fs.mkdtempSync(path.join(os.tmpdir(), "flamenco-documented-landscapes-"));
  home = fs.mkdtempSync(path.join(os.tmpdir(), "flamenco-documented-home-"));
  ports.dev = await freePort();
  ports.show = await freePort();
});

afterAll(async () => {
  for (const stack of ["dev", "show-42"]) {
    if (project && fs.existsSync(project.stackFile(stack))) await project.npmRun("destroy", stack);
  }
  await fixture?.served.close();
  project?.remove();
});

describe("the README", () => {
  test("npm run up -- dev deploys the dev landscape: the manager answers", async () => {
    project.writeStackConfig("dev", stackConfig(DEV, ports.dev));
    expectSuccess(await project.runDocumented("README.md", "npm run up -- dev"));
    expect(await managerAnswers(ports.dev)).toBe(true);
    expect(project.outputs("dev").managerLocalUrl).toBe(`http://127.0.0.1:${ports.dev}`);
  });

  test("the dev landscape's worker is awake at its manager, with Blender in its image", async () => {
    const worker = `${DEV}-manager-host-1`;
    expect(await untilAwake(ports.dev, [worker])).toEqual([worker]);
    expect((await dockerCli(["exec", worker, "blender", "--version"])).split("\n")[0]).toBe("Blender 3.4.1");
  });

  test("npm run preview -- dev, right after, shows no changes", async () => {
    const run = await project.runDocumented("README.md", "npm run preview -- dev");
    expectSuccess(run);
    expect(run.stdout).toMatch(/\d+ unchanged/);
    expect(run.stdout).not.toMatch(/to (create|update|replace|delete)/);
  });

  test("a second landscape: preview lists what it creates, up deploys it beside dev", async () => {
    // As the README says: a copy of Pulumi.dev.yaml with its own managerPortHost.
    project.writeStackConfig("show-42", stackConfig(SHOW, ports.show));
    const run = await project.runDocumented("README.md", "npm run preview -- show-42");
    expectSuccess(run);
    expect(run.stdout).toMatch(/\+ \d+ to create/);
    expect(await managerAnswers(ports.show)).toBe(true);
    expect(await managerAnswers(ports.dev)).toBe(true);
  });

  test("npm run destroy -- show-42 removes that landscape's manager and keeps its storage; dev runs on", async () => {
    const storage = String(project.outputs("show-42").storagePath);
    expectSuccess(await project.runDocumented("README.md", "npm run destroy -- show-42"));
    expect(await containerExists(`flamenco-manager--${SHOW}`)).toBe(false);
    expect(fs.existsSync(path.join(storage, "flamenco-manager.sqlite"))).toBe(true);
    expect(await managerAnswers(ports.dev)).toBe(true);
  });
});

describe("docs/migrating-from-openstudiolandscapes.md", () => {
  test("import-config reads the store at its default location, and the preview of the new stack lists what it creates", async () => {
    const store = path.join(__dirname, "..", "fixtures", "config-stores", "documented");
    fs.cpSync(store, path.join(home, ".config", "OpenStudioLandscapes", "config-store"), { recursive: true });
    const run = await project.runDocumented(
      "docs/migrating-from-openstudiolandscapes.md",
      "npm run import-config -- --stack studio-a",
      {
        env: { HOME: home },
      },
    );
    expectSuccess(run);
    expect(run.stdout).toContain(
      path.join(home, ".config", "OpenStudioLandscapes", "config-store", FEATURE, "config.yml"),
    );
    expect(fs.existsSync(project.stackFile("studio-a"))).toBe(true);
    expect(run.stdout).toMatch(/\+ \d+ to create/);
  });
});
