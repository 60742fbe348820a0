/**
 * tools/run-scripts.js, which `npm test` and `npm run lint` run: package.json scripts side by
 * side, each one's output whole, a failure of any failing the run only after all have ended.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../tools/run-scripts";
import { capturedStreams } from "./support/streams";

let project: string;

beforeEach(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), "run-scripts-"));
});

afterEach(() => {
  fs.rmSync(project, { recursive: true, force: true });
});

function withScripts(scripts: Record<string, string>): void {
  fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "checks", scripts }));
}

/** Shell that waits up to 3 s for `file` to appear, and fails when it does not. */
function awaitFile(file: string): string {
  return `for i in $(seq 300); do [ -e ${file} ] && break; sleep 0.01; done; [ -e ${file} ] || exit 4`;
}

async function run(...names: string[]) {
  const captured = capturedStreams();
  const code = await main({ argv: names, cwd: project, ...captured.streams });
  return { code, stdout: captured.stdout.join(""), stderr: captured.stderr.join("") };
}

describe("node tools/run-scripts.js", () => {
  test("runs the scripts at the same time, each output whole under its name, and passes when all pass", async () => {
    withScripts({
      // Each waits (up to 3 s) until the other has started: run one after the other, the first fails.
      first: `touch first.started; ${awaitFile("second.started")}; echo one; echo uno`,
      second: `touch second.started; ${awaitFile("first.started")}; echo two`,
    });
    const { code, stdout, stderr } = await run("first", "second");
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toContain("\n> first: touch first.started;");
    expect(stdout).toMatch(/> first: [^\n]*\none\nuno\n/);
    expect(stdout).toMatch(/> second: [^\n]*\ntwo\n/);
    expect(stdout).toMatch(/\nfirst passed in \d+\.\d s\nsecond passed in \d+\.\d s\n$/);
  });

  test("a failing script fails the run with exit code 1, after the others ran to their end", async () => {
    withScripts({
      fails: "echo 'what went wrong' >&2; exit 3",
      slow: "sleep 0.3; echo finished > slow.done",
    });
    const { code, stdout } = await run("fails", "slow");
    expect(code).toBe(1);
    expect(stdout).toMatch(/> fails: [^\n]*\nwhat went wrong\n/);
    expect(stdout).toContain("fails FAILED (exit code 3) in");
    expect(stdout).toContain("slow passed in");
    expect(fs.readFileSync(path.join(project, "slow.done"), "utf8")).toBe("finished\n");
  });

  test("scripts find the project's node_modules/.bin commands, as under npm run", async () => {
    const binaries = path.join(project, "node_modules", ".bin");
    fs.mkdirSync(binaries, { recursive: true });
    fs.writeFileSync(path.join(binaries, "project-tool"), "#!/bin/sh\necho from the project tool\n", { mode: 0o755 });
    withScripts({ tool: "project-tool" });
    const { code, stdout } = await run("tool");
    expect(code).toBe(0);
    expect(stdout).toContain("from the project tool\n");
  });

  test("an unknown script name is refused with exit code 2 before any script runs", async () => {
    withScripts({ known: "touch ran", other: "true" });
    const { code, stdout, stderr } = await run("known", "unknwon", "missing");
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe('run-scripts: package.json has no script "unknwon", "missing"; it has: known, other\n');
    expect(fs.existsSync(path.join(project, "ran"))).toBe(false);
  });

  test("no script names is refused", async () => {
    withScripts({ known: "true" });
    const { code, stderr } = await run();
    expect(code).toBe(2);
    expect(stderr).toBe("run-scripts: name the package.json scripts to run\n");
  });
});
