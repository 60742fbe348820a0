import * as childProcess from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ENSURE_WORKER_HOME_COMMAND } from "../../components/render/commands";

import script = require("../../scripts/ensure-worker-home");

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
const IS_ROOT = typeof process.getuid === "function" && process.getuid() === 0;

let tmp: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "flamenco-worker-home-test-"));
});

afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs the script the way the worker home command does: from the project directory. */
function run(env: Record<string, string>) {
  const [program, file] = ENSURE_WORKER_HOME_COMMAND.split(" ");
  expect(program).toBe("node");
  const result = childProcess.spawnSync(process.execPath, [file], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? "", ...env },
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("node scripts/ensure-worker-home.js on the manager's host", () => {
  it("creates the missing identity directory (and its parents) and says so", () => {
    const home = path.join(tmp, "landscapes", "farm", "workers", "farm-local-1");
    const result = run({ FLAMENCO_WORKER_HOME: home, FLAMENCO_WORKER_HOME_OWNER: "1000:1000" });
    expect(result.status).toBe(0);
    expect(fs.statSync(home).isDirectory()).toBe(true);
    expect(JSON.parse(result.stdout.trim())).toEqual({ home, created: true });
    if (IS_ROOT) expect([fs.statSync(home).uid, fs.statSync(home).gid]).toEqual([1000, 1000]);
  });

  it("keeps an existing directory and its content exactly as they are", () => {
    const home = path.join(tmp, "farm-local-1");
    fs.mkdirSync(home, { mode: 0o700 });
    fs.writeFileSync(path.join(home, "flamenco-worker-credentials.yaml"), "worker_id: x\n");
    const before = fs.statSync(home);
    const result = run({ FLAMENCO_WORKER_HOME: home, FLAMENCO_WORKER_HOME_OWNER: "1234:1234" });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout.trim())).toEqual({ home, created: false });
    const after = fs.statSync(home);
    expect([after.uid, after.gid, after.mode]).toEqual([before.uid, before.gid, before.mode]);
    expect(fs.readFileSync(path.join(home, "flamenco-worker-credentials.yaml"), "utf8")).toBe("worker_id: x\n");
  });

  it("refuses a relative path or a bad owner without touching anything", () => {
    const relative = run({ FLAMENCO_WORKER_HOME: "workers/farm-local-1", FLAMENCO_WORKER_HOME_OWNER: "1000" });
    expect(relative.status).toBe(1);
    expect(relative.stderr).toContain("FLAMENCO_WORKER_HOME must be an absolute path");
    const owner = run({ FLAMENCO_WORKER_HOME: path.join(tmp, "w"), FLAMENCO_WORKER_HOME_OWNER: "flamenco" });
    expect(owner.status).toBe(1);
    expect(owner.stderr).toContain("FLAMENCO_WORKER_HOME_OWNER");
    expect(fs.existsSync(path.join(tmp, "w"))).toBe(false);
  });
});

describe("node scripts/ensure-worker-home.js on another render host", () => {
  it("asks that host's engine for a root helper container of the worker image, without network", () => {
    expect(
      script.remoteArguments(
        "ssh://render@render-01",
        "registry.studio.lan/flamenco-worker:3.7",
        "/srv/workers/farm-render-01-1",
        "1000:1000",
      ),
    ).toEqual([
      "--host",
      "ssh://render@render-01",
      "run",
      "--rm",
      "--user",
      "0:0",
      "--network",
      "none",
      "--entrypoint",
      "",
      "--label",
      "org.openstudiolandscapes.feature=flamenco-worker-home",
      "--volume",
      "/srv/workers:/workers",
      "registry.studio.lan/flamenco-worker:3.7",
      "sh",
      "-c",
      script.REMOTE_SCRIPT,
      "sh",
      "farm-render-01-1",
      "1000:1000",
    ]);
  });

  it("the helper's shell creates a missing directory for the owner and keeps an existing one", () => {
    const shell = script.REMOTE_SCRIPT.replaceAll("/workers", tmp);
    const owner = IS_ROOT ? "1000:1000" : `${process.getuid?.()}:${process.getgid?.()}`;
    const first = childProcess.spawnSync("sh", ["-c", shell, "sh", "farm-render-01-1", owner], { encoding: "utf8" });
    expect(first.stdout.trim()).toBe("created");
    const home = path.join(tmp, "farm-render-01-1");
    if (IS_ROOT) expect([fs.statSync(home).uid, fs.statSync(home).gid]).toEqual([1000, 1000]);
    fs.writeFileSync(path.join(home, "flamenco-worker-credentials.yaml"), "worker_id: x\n");
    const second = childProcess.spawnSync("sh", ["-c", shell, "sh", "farm-render-01-1", "0:0"], { encoding: "utf8" });
    expect(second.stdout.trim()).toBe("kept");
    if (IS_ROOT) expect(fs.statSync(home).uid).toBe(1000);
    expect(fs.readFileSync(path.join(home, "flamenco-worker-credentials.yaml"), "utf8")).toBe("worker_id: x\n");
  });

  it("reports what the helper printed, and fails with docker's message", () => {
    const bin = path.join(tmp, "bin");
    fs.mkdirSync(bin);
    const calls = path.join(tmp, "calls");
    fs.writeFileSync(
      path.join(bin, "docker"),
      `#!/bin/sh\nprintf '%s\\n' "$@" > '${calls}'\nif [ "$2" = "tcp://broken:2376" ]; then echo "Cannot connect to the Docker daemon at tcp://broken:2376" >&2; exit 1; fi\necho kept\n`,
      { mode: 0o755 },
    );
    const env = {
      PATH: `${bin}:${process.env.PATH ?? ""}`,
      FLAMENCO_WORKER_HOME: "/srv/workers/farm-r-1",
      FLAMENCO_WORKER_HOME_OWNER: "1000:1000",
      FLAMENCO_WORKER_IMAGE: "flamenco:3.7",
    };

    const kept = run({ ...env, FLAMENCO_DOCKER_HOST: "tcp://render:2376" });
    expect(kept.status).toBe(0);
    expect(JSON.parse(kept.stdout.trim())).toEqual({ home: "/srv/workers/farm-r-1", created: false });
    expect(fs.readFileSync(calls, "utf8").split("\n").slice(0, 2)).toEqual(["--host", "tcp://render:2376"]);

    const broken = run({ ...env, FLAMENCO_DOCKER_HOST: "tcp://broken:2376" });
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain(
      "creating /srv/workers/farm-r-1 on tcp://broken:2376 with image flamenco:3.7 failed",
    );
    expect(broken.stderr).toContain("Cannot connect to the Docker daemon");
    expect(fs.existsSync("/srv/workers/farm-r-1")).toBe(false);
  });

  it("needs the image to run the helper with", () => {
    const result = run({
      FLAMENCO_WORKER_HOME: "/srv/workers/farm-r-1",
      FLAMENCO_WORKER_HOME_OWNER: "1000",
      FLAMENCO_DOCKER_HOST: "tcp://render:2376",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("FLAMENCO_WORKER_IMAGE is not set");
  });
});
