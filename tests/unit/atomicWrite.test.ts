import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { writeAtomically } from "../../scripts/atomic-write";

describe("writeAtomically", () => {
  let directory: string;
  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "tq-atomic-"));
  });
  afterEach(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it("replaces the file's content and leaves no temporary file beside it", async () => {
    const file = path.join(directory, "flamenco-manager.yaml");
    fs.writeFileSync(file, "old: true\n");
    await writeAtomically(file, "new: true\n");
    expect(fs.readFileSync(file, "utf8")).toBe("new: true\n");
    expect(fs.readdirSync(directory)).toEqual(["flamenco-manager.yaml"]);
  });

  it("gives the file the requested mode, 0644 by default, whatever the umask", async () => {
    const umask = process.umask(0o077);
    try {
      const plain = path.join(directory, "plain");
      const secret = path.join(directory, "secret");
      await writeAtomically(plain, "a");
      await writeAtomically(secret, Buffer.from("b"), 0o600);
      expect(fs.statSync(plain).mode & 0o777).toBe(0o644);
      expect(fs.statSync(secret).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(secret, "utf8")).toBe("b");
    } finally {
      process.umask(umask);
    }
  });

  it("leaves the old content and no temporary file when the rename fails", async () => {
    // A directory in the file's place: the temporary file is written, the rename over it fails.
    const target = path.join(directory, "config");
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, "keep"), "kept");
    await expect(writeAtomically(target, "new")).rejects.toThrow();
    expect(fs.readdirSync(directory)).toEqual(["config"]);
    expect(fs.readFileSync(path.join(target, "keep"), "utf8")).toBe("kept");
  });

  it("fails without creating anything when the directory does not exist", async () => {
    await expect(writeAtomically(path.join(directory, "missing", "file"), "x")).rejects.toThrow(/ENOENT/);
    expect(fs.readdirSync(directory)).toEqual([]);
  });
});
