/**
 * `npm run bench`: the time `npm run up` takes under the real Pulumi engine (the pulumi CLI,
 * with the provider stand-ins and the stand-in release of the engine tests), side by side with
 * what it cannot go below. Prints figures (min / median / max of RUNS runs) and their ratios;
 * asserts nothing.
 *
 *   cold up        a new landscape (manager only), Docker's build cache empty: `npm run up`
 *                  from the command to its end, the manager healthy;
 *   no-change up   `npm run up` again right after;
 *   empty program  `up` of a TypeScript program with no resources, started the same way
 *                  (node, ts-node transpiling, the Automation API, the CLI): the engine's fixed cost;
 *   floor          the same image context built with plain `docker build`, the same container
 *                  run, until the first 200 from /api/v3/version, build cache empty.
 *
 * Goals: cold up ≤ floor + empty program + 1 s; no-change up ≤ 1.5 × empty program.
 * Needs the engine and the CLI: `npm run engine:setup`, then `npm run bench`.
 */
import { execFile, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ProjectCopy, providerStandIns, TEST_PULUMI_HOME } from "../tests/engine/project";
import { dockerCli, freePort, requireEngine, serveFixtureRelease } from "../tests/engine/support";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function timed(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  return work().then(() => Number(process.hrtime.bigint() - started) / 1e6);
}

async function emptyBuildCache(): Promise<void> {
  await dockerCli(["builder", "prune", "--all", "--force"]);
}

async function untilAnswers(url: string): Promise<void> {
  for (;;) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The floor: plain `docker build` of the staged context, the container, until the first 200. */
async function floor(context: string, configFile: string, root: string): Promise<number> {
  const imageName = "flamenco-bench-floor:latest";
  const storage = fs.mkdtempSync(path.join(root, "floor-storage-"));
  const shared = fs.mkdtempSync(path.join(root, "floor-shared-"));
  fs.chownSync(storage, 1000, 1000);
  fs.chownSync(shared, 1000, 1000);
  const sha256 = fs.readFileSync(path.join(context, "Dockerfile"), "utf8").match(/ARG (\w+)/)?.[1];
  const archive = fs.readdirSync(context).find((file) => file.endsWith(".tar.gz"))!;
  const digest = await new Promise<string>((resolve, reject) =>
    execFile("sha256sum", [path.join(context, archive)], (error, stdout) =>
      error ? reject(error) : resolve(stdout.split(" ")[0]),
    ),
  );
  const port = await freePort();
  const milliseconds = await timed(async () => {
    await dockerCli(["build", "-q", "-t", imageName, "--build-arg", `${sha256}=${digest}`, context]);
    await dockerCli([
      "run",
      "-d",
      "--name",
      "flamenco-bench-floor",
      "-p",
      `127.0.0.1:${port}:8080`,
      "-v",
      `${configFile}:/app/flamenco-manager.yaml:ro`,
      "-v",
      `${storage}:/app/flamenco-manager-storage`,
      "-v",
      `${shared}:/app/flamenco-manager-storage-shared`,
      imageName,
    ]);
    await untilAnswers(`http://127.0.0.1:${port}/api/v3/version`);
  });
  await dockerCli(["rm", "-f", "flamenco-bench-floor"]);
  await dockerCli(["image", "rm", "-f", imageName]);
  return milliseconds;
}

/** `up` of a program without resources, started as `npm run up` starts the landscape's. */
async function emptyProgramUp(directory: string): Promise<number> {
  const script = path.join(directory, "empty-up.ts");
  if (!fs.existsSync(script)) {
    fs.writeFileSync(path.join(directory, "Pulumi.yaml"), "name: bench-empty\nruntime: nodejs\n");
    const hook = path.resolve(__dirname, "..", "tools", "transpile-on-load.js");
    fs.writeFileSync(
      path.join(directory, "package.json"),
      JSON.stringify({ private: true, scripts: { up: `node -r ${hook} empty-up.ts` } }),
    );
    fs.writeFileSync(
      script,
      [
        `import { LocalWorkspace } from "${require.resolve("@pulumi/pulumi/automation")}";`,
        "async function main() {",
        "  const stack = await LocalWorkspace.createOrSelectStack(",
        '    { stackName: "bench", projectName: "bench-empty", program: async () => ({}) },',
        `    { workDir: ${JSON.stringify(directory)}, envVars: { PULUMI_BACKEND_URL: "file://${directory}" } },`,
        "  );",
        "  await stack.up({ onOutput: () => undefined });",
        "}",
        "main().catch((error) => { console.error(error); process.exit(1); });",
        "",
      ].join("\n"),
    );
  }
  return timed(
    () =>
      new Promise<void>((resolve, reject) => {
        // Started as `npm run up` starts the program: npm, node, the same transpiling hook.
        const child = spawn("npm", ["run", "--silent", "up"], {
          cwd: directory,
          env: {
            ...process.env,
            PULUMI_HOME: TEST_PULUMI_HOME,
            PULUMI_CONFIG_PASSPHRASE: "bench",
            PULUMI_SKIP_UPDATE_CHECK: "true",
          },
          stdio: "inherit",
        });
        child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`empty program up exited ${code}`))));
      }),
  );
}

function summary(values: number[]): { min: number; median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1] };
}

const seconds = (milliseconds: number) => `${(milliseconds / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  await requireEngine();
  await providerStandIns();
  const fixture = await serveFixtureRelease();
  const project = await ProjectCopy.create("bench");
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "flamenco-bench-"));
  const emptyDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "flamenco-bench-empty-"));
  const results = { cold: [] as number[], noChange: [] as number[], empty: [] as number[], floor: [] as number[] };
  try {
    for (let run = 1; run <= RUNS; run += 1) {
      const landscape = `enginetest-bench-${run}`;
      project.writeStackConfig(landscape, {
        landscape,
        landscapesRoot: root,
        flamencoRelease: { url: fixture.archiveUrl, sha256: fixture.release.sha256 },
        managerPortHost: await freePort(),
        managerBindAddress: "127.0.0.1",
      });
      await emptyBuildCache();
      results.cold.push(
        await timed(async () => {
          const up = await project.npmRun("up", landscape);
          if (up.code !== 0) throw new Error(`cold up failed:\n${up.stdout}\n${up.stderr}`);
        }),
      );
      results.noChange.push(
        await timed(async () => {
          const up = await project.npmRun("up", landscape);
          if (up.code !== 0) throw new Error(`no-change up failed:\n${up.stderr}`);
        }),
      );
      const feature = path.join(root, landscape, "OpenStudioLandscapes-Flamenco");
      const destroy = await project.npmRun("destroy", landscape);
      if (destroy.code !== 0) throw new Error(`destroy failed:\n${destroy.stderr}`);
      await emptyBuildCache();
      results.floor.push(
        await floor(path.join(feature, "image-context"), path.join(feature, "flamenco-manager.yaml"), root),
      );
      results.empty.push(await emptyProgramUp(emptyDirectory));
    }
  } finally {
    await fixture.served.close();
    project.remove();
  }

  const cold = summary(results.cold);
  const noChange = summary(results.noChange);
  const empty = summary(results.empty);
  const floorTime = summary(results.floor);
  const rows: [string, { min: number; median: number; max: number }][] = [
    ["cold up (manager only, build cache empty)", cold],
    ["floor: docker build + run, to the first 200", floorTime],
    ["empty program up (the engine's fixed cost)", empty],
    ["no-change up", noChange],
  ];
  console.log(`\nnpm run up under the real engine, ${RUNS} runs (min / median / max)\n`);
  console.log("| measure | min | median | max |\n|---|---|---|---|");
  for (const [label, value] of rows) {
    console.log(`| ${label} | ${seconds(value.min)} | ${seconds(value.median)} | ${seconds(value.max)} |`);
  }
  const coldGoal = floorTime.median + empty.median + 1000;
  console.log(`\n| ratio (medians) | value | goal |\n|---|---|---|`);
  console.log(
    `| cold up / (floor + empty program + 1 s) | ${(cold.median / coldGoal).toFixed(2)} (${seconds(cold.median)} / ${seconds(coldGoal)}) | ≤ 1.00 |`,
  );
  console.log(
    `| no-change up / empty program | ${(noChange.median / empty.median).toFixed(2)} (${seconds(noChange.median)} / ${seconds(empty.median)}) | ≤ 1.50 |`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
