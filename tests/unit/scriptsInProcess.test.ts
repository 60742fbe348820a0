/**
 * The command scripts' functions called in-process (their command-line runs are tested in
 * ensureWorkerHome.test.ts and writeManagerFiles.test.ts): what they create, keep and report.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { ensureWorkerHome } from "../../scripts/ensure-worker-home";
import { ensureDirectories } from "../../scripts/write-manager-files";

let tmp: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tq-scripts-"));
});

afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("ensureDirectories", () => {
  it("creates the missing directories with their parents and lists only those it created", async () => {
    const existing = path.join(tmp, "storage");
    fs.mkdirSync(existing);
    fs.writeFileSync(path.join(existing, "flamenco-manager.sqlite"), "data");
    const missing = path.join(tmp, "a", "b", "shared");
    expect(await ensureDirectories([existing, missing], "1000:1000")).toEqual([missing]);
    expect(fs.statSync(missing).isDirectory()).toBe(true);
    expect(fs.readFileSync(path.join(existing, "flamenco-manager.sqlite"), "utf8")).toBe("data");
    expect(await ensureDirectories([existing, missing])).toEqual([]);
  });
});

describe("ensureWorkerHome in-process", () => {
  it("on the manager's host: creates the directory once, then keeps it", async () => {
    const home = path.join(tmp, "workers", "farm-local-1");
    expect(await ensureWorkerHome({ FLAMENCO_WORKER_HOME: home, FLAMENCO_WORKER_HOME_OWNER: "1000" })).toEqual({
      home,
      created: true,
    });
    fs.writeFileSync(path.join(home, "flamenco-worker-credentials.yaml"), "id: 1");
    expect(await ensureWorkerHome({ FLAMENCO_WORKER_HOME: home, FLAMENCO_WORKER_HOME_OWNER: "1000" })).toEqual({
      home,
      created: false,
    });
    expect(fs.readFileSync(path.join(home, "flamenco-worker-credentials.yaml"), "utf8")).toBe("id: 1");
  });

  it.each([
    [{ FLAMENCO_WORKER_HOME_OWNER: "1000" }, "FLAMENCO_WORKER_HOME must be an absolute path"],
    [
      { FLAMENCO_WORKER_HOME: "workers/a", FLAMENCO_WORKER_HOME_OWNER: "1000" },
      "FLAMENCO_WORKER_HOME must be an absolute path",
    ],
    [{ FLAMENCO_WORKER_HOME: "/srv/w/a" }, 'FLAMENCO_WORKER_HOME_OWNER must be "uid" or "uid:gid"'],
    [
      { FLAMENCO_WORKER_HOME: "/srv/w/a", FLAMENCO_WORKER_HOME_OWNER: "flamenco" },
      'FLAMENCO_WORKER_HOME_OWNER must be "uid" or "uid:gid"',
    ],
    [
      { FLAMENCO_WORKER_HOME: "/srv/w/a", FLAMENCO_WORKER_HOME_OWNER: "1000:1000x" },
      'FLAMENCO_WORKER_HOME_OWNER must be "uid" or "uid:gid"',
    ],
    [
      { FLAMENCO_WORKER_HOME: "/srv/w/a", FLAMENCO_WORKER_HOME_OWNER: "1000", FLAMENCO_DOCKER_HOST: "ssh://r" },
      "FLAMENCO_WORKER_IMAGE is not set",
    ],
  ])("refuses %j", async (env, message) => {
    await expect(ensureWorkerHome(env)).rejects.toThrow(message);
  });

  it("on another host: a docker run that fails names the directory, the engine, the image, docker's exit code and message", async () => {
    // An engine socket that does not exist: the docker CLI fails at once, without any network.
    const engine = `unix://${path.join(tmp, "no-engine.sock")}`;
    const home = path.join(tmp, "workers", "farm-render-01-2");
    const failure = ensureWorkerHome({
      FLAMENCO_WORKER_HOME: home,
      FLAMENCO_WORKER_HOME_OWNER: "1000:1000",
      FLAMENCO_DOCKER_HOST: engine,
      FLAMENCO_WORKER_IMAGE: "debian:bookworm-slim",
    });
    await expect(failure).rejects.toThrow(
      new RegExp(
        `^creating ${home} on ${engine} with image debian:bookworm-slim failed \\(docker exit code [1-9]\\d*\\): \\S.*${engine.replace(/[/.]/g, "\\$&")}`,
        "s",
      ),
    );
    expect(fs.existsSync(home)).toBe(false);
  });
});
