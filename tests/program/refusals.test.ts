/**
 * Config that would fail at `pulumi up`, clobber storage or leak a secret stops the program
 * at preview, in one error, before it declares any resource.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runRefused } from "./harness";

const ROOT = "/srv/landscapes";

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "flamenco-refusals-"));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test("every rule of the config reports in the same error, and nothing is declared", async () => {
  const storageFile = path.join(tmp, "storage-is-a-file");
  fs.writeFileSync(storageFile, "not a directory");
  const { message, declared } = await runRefused({
    config: {
      landscapesRoot: ROOT,
      network: { name: "bridge", domain: `${"d".repeat(60)}.lan` },
      flamencoVersion: `3.7-${"v".repeat(130)}`,
      environment: { PATH: "/opt/bin", NOTE: "a\u0000b" },
      workers: [
        { name: "local", count: 1, environment: { FLAMENCO_HOME: "/w" } },
        { name: "local-b", count: 1, workersRoot: `${ROOT}/.cache` },
      ],
      manager: { taskTimeout: "9999999h" },
      managerUser: "0:0",
      mqttPassword: "orphan-secret-42",
      storage: storageFile,
      sharedStorage: "/mnt/a:b",
      flamencoRelease: {
        url: `http://mirror:hunter2@mirror.studio.lan/flamenco-3.7-v${"v".repeat(129)}-linux-amd64.tar.gz`,
      },
    },
    secretKeys: ["mqttPassword"],
  });
  const expectedLines = [
    'network.name: got "bridge"; expected a network name of this landscape, not host, bridge or none',
    `network.domain: got "${"d".repeat(60)}.lan"; expected a shorter network.alias or network.domain`,
    "flamencoVersion: got",
    'environment.PATH: got "/opt/bin"',
    'environment.NOTE: got "a\\u0000b"',
    'workers.0.environment.FLAMENCO_HOME: got "/w"',
    `workers.1.workersRoot: got "${ROOT}/.cache"; expected a directory apart from every other one the program uses: it contains the release cache`,
    'manager.taskTimeout: got "9999999h"; expected a Go duration',
    'managerUser: got "0:0"; expected a uid other than 0 (root), unless allowRootUser is true',
    'mqttPassword: got "a value (not shown)"; expected manager.mqtt with a broker',
    `storage: got ${JSON.stringify(storageFile)}; expected a directory or a path that does not exist yet`,
    "sharedStorage: got \"/mnt/a:b\"; expected a path without ':' or ','",
    'flamencoRelease.url: got "http://mirror:(not shown)@mirror.studio.lan',
    "flamencoRelease.sha256: got nothing; expected a sha256",
  ];
  for (const line of expectedLines) expect(message).toContain(`flamenco-landscape:${line}`);
  expect(message).toContain(`: ${expectedLines.length} problems`);
  expect(message).not.toContain("hunter2");
  expect(message).not.toContain("orphan-secret-42");
  expect(declared).toEqual([]);
});
