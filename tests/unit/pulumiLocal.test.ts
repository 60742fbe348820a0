/**
 * The README's run command (`npm run up`, scripts/pulumi-local.sh) against a STAND-IN
 * `pulumi` executable that records how it was called: the real CLI cannot be installed here.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
const SCRIPT = path.join(PROJECT_ROOT, "scripts", "pulumi-local.sh");

function withStandInPulumi(knownStacks: string[], run: (bin: string, calls: () => string[]) => void): void {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-standin-"));
  const log = path.join(bin, "calls.log");
  fs.writeFileSync(
    path.join(bin, "pulumi"),
    `#!/bin/sh\n# STAND-IN for the Pulumi CLI: records its arguments and backend.\necho "$PULUMI_BACKEND_URL $*" >> "${log}"\n` +
      `if [ "$1 $2" = "stack select" ]; then case " ${knownStacks.join(" ")} " in *" $3 "*) exit 0;; *) exit 1;; esac; fi\nexit 0\n`,
    { mode: 0o755 },
  );
  try {
    run(bin, () => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : []));
  } finally {
    fs.rmSync(bin, { recursive: true, force: true });
  }
}

function runScript(bin: string, args: string[]): string {
  return execFileSync("bash", [SCRIPT, ...args], {
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
    encoding: "utf8",
  });
}

const BACKEND = `file://${PROJECT_ROOT}/.pulumi-state`;

test("npm run up: a file backend under the project, the dev stack created when missing, then pulumi up", () => {
  withStandInPulumi([], (bin, calls) => {
    runScript(bin, ["up"]);
    expect(calls()).toEqual([`${BACKEND} stack select dev`, `${BACKEND} stack init dev`, `${BACKEND} up --stack dev`]);
  });
});

test("another landscape and extra flags; an existing stack is selected, not created", () => {
  withStandInPulumi(["show-42"], (bin, calls) => {
    runScript(bin, ["up", "show-42", "--yes"]);
    expect(calls()).toEqual([`${BACKEND} stack select show-42`, `${BACKEND} up --stack show-42 --yes`]);
  });
});

test("npm run preview shows the diff", () => {
  withStandInPulumi(["dev"], (bin, calls) => {
    runScript(bin, ["preview"]);
    expect(calls()).toEqual([`${BACKEND} stack select dev`, `${BACKEND} preview --stack dev --diff`]);
  });
});

test("without the Pulumi CLI it says where to get it", () => {
  const emptyBin = fs.mkdtempSync(path.join(os.tmpdir(), "no-pulumi-"));
  try {
    expect(() =>
      execFileSync("/bin/bash", [SCRIPT, "up"], {
        env: { PATH: `${emptyBin}:/usr/bin:/bin` },
        encoding: "utf8",
        stdio: "pipe",
      }),
    ).toThrow(/Pulumi CLI is not installed/);
  } finally {
    fs.rmSync(emptyBin, { recursive: true, force: true });
  }
});
