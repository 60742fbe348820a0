import * as fs from "fs";
// The module object itself, which the script shares: spying on the namespace copy would miss its calls.
import sharedFs from "fs";
import * as os from "os";
import * as path from "path";
import { heldLocks, lockStack, stackLockDirectory } from "../../scripts/stack-lock";

describe("stackLockDirectory: where the file backend keeps a stack's locks", () => {
  test.each([
    ["file:///srv/state", "/srv/state/.pulumi/locks/organization/flamenco-landscape/show-42"],
    ["file:///srv/state?no_tmp_dir=true", "/srv/state/.pulumi/locks/organization/flamenco-landscape/show-42"],
    ["file://~/state", `${os.homedir()}/state/.pulumi/locks/organization/flamenco-landscape/show-42`],
    ["file://~", `${os.homedir()}/.pulumi/locks/organization/flamenco-landscape/show-42`],
    ["file://state", `${process.cwd()}/state/.pulumi/locks/organization/flamenco-landscape/show-42`],
  ])("%s", (url, directory) => {
    expect(stackLockDirectory(url, "flamenco-landscape", "show-42")).toBe(directory);
  });

  test("none for a backend that is not a file backend", () => {
    expect(stackLockDirectory("s3://bucket", "flamenco-landscape", "show-42")).toBeNull();
  });
});

describe("lockStack", () => {
  let directory: string;
  beforeEach(() => {
    directory = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "stack-lock-")), "locks", "show-42");
  });
  afterEach(() => fs.rmSync(path.dirname(path.dirname(directory)), { recursive: true, force: true }));

  test("writes a lock file as Pulumi does, which a second locker sees, and removes it when released", () => {
    const release = lockStack(directory, "show-42");
    const [name] = fs.readdirSync(directory);
    expect(name).toMatch(/^[0-9a-f-]{36}\.json$/);
    const content = JSON.parse(fs.readFileSync(path.join(directory, name), "utf8"));
    expect(content).toMatchObject({ pid: process.pid, username: os.userInfo().username, hostname: os.hostname() });
    expect(Number.isNaN(Date.parse(content.timestamp))).toBe(false);
    expect(() => lockStack(directory, "show-42")).toThrow(/stack show-42 is locked/);
    release();
    expect(fs.readdirSync(directory)).toEqual([]);
  });

  test("refuses while an update holds the lock, naming who holds it, and leaves its lock alone", () => {
    fs.mkdirSync(directory, { recursive: true });
    const update = path.join(directory, "9b2f.json");
    fs.writeFileSync(
      update,
      JSON.stringify({ pid: 4242, username: "td", hostname: "render-01", timestamp: "2026-12-04T10:00:00Z" }),
    );
    const written = jest.spyOn(sharedFs, "writeFileSync");
    try {
      expect(() => lockStack(directory, "show-42")).toThrow(
        new Error(
          [
            "stack show-42 is locked: an update (npm run up, preview or destroy) is running on it, and could start a manager on the database the restore would replace.",
            `  ${update}: created by td@render-01 (pid 4242) at 2026-12-04T10:00:00Z`,
            "Wait for it to end, then run the restore again. (A lock left by an update that was killed is removed with `pulumi cancel`.)",
          ].join("\n"),
        ),
      );
      // Not even for a moment: an update starting meanwhile would see a second lock and refuse.
      expect(written).not.toHaveBeenCalled();
    } finally {
      written.mockRestore();
    }
    expect(fs.readdirSync(directory)).toEqual(["9b2f.json"]);
    expect(heldLocks(directory)).toHaveLength(1);
  });

  test("a lock file it cannot read still locks the stack, as Pulumi counts every file", () => {
    fs.mkdirSync(directory, { recursive: true });
    fs.writeFileSync(path.join(directory, "half-written.json"), "{");
    expect(() => lockStack(directory, "show-42")).toThrow(
      `  ${path.join(directory, "half-written.json")}: created by an unreadable lock file\n`,
    );
  });

  test("backs off when an update took the lock while its own was being written, and removes its own", () => {
    const write = sharedFs.writeFileSync;
    const racing = path.join(directory, "racing-update.json");
    const written = jest
      .spyOn(sharedFs, "writeFileSync")
      .mockImplementation((...args: Parameters<typeof fs.writeFileSync>) => {
        write(
          racing,
          JSON.stringify({ pid: 7, username: "td", hostname: "render-02", timestamp: "2026-12-04T10:00:01Z" }),
        );
        write(...args);
      });
    try {
      expect(() => lockStack(directory, "show-42")).toThrow(
        `  ${racing}: created by td@render-02 (pid 7) at 2026-12-04T10:00:01Z\n`,
      );
    } finally {
      written.mockRestore();
    }
    expect(fs.readdirSync(directory)).toEqual(["racing-update.json"]);
  });

  test("releasing twice is harmless", () => {
    const release = lockStack(directory, "show-42");
    release();
    expect(() => release()).not.toThrow();
    expect(fs.readdirSync(directory)).toEqual([]);
  });
});
