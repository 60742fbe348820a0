// @ts-check
"use strict";
/**
 * Runs package.json scripts side by side: `npm test` and `npm run lint` use it.
 *
 *   node tools/run-scripts.js typecheck lint:code lint:format test:unit
 *
 * Each script runs through `sh -c` with node_modules/.bin on PATH, as `npm run` would run it,
 * but without starting npm once per script: on two cores four npm start-ups cost more CPU time
 * than the whole type check. Each script's output is printed whole when it ends, under its name,
 * so outputs never interleave; every script runs to its end, and the exit code is 1 when any
 * of them failed. A name package.json does not have fails before anything runs (exit code 2).
 */
const { spawn } = require("child_process");
const fs = require("fs");
const path = require("path");

const PROJECT_ROOT = path.resolve(__dirname, "..");

/**
 * @typedef {{ name: string, command: string, code: number, seconds: number, output: string }} ScriptResult
 * @typedef {{ write(text: string): unknown }} Writable
 */

/**
 * The commands of the named scripts; throws, naming every unknown one, when any is missing.
 * @param {Record<string, string>} scripts package.json's "scripts"
 * @param {string[]} names
 * @returns {{ name: string, command: string }[]}
 */
function selectScripts(scripts, names) {
  if (names.length === 0) throw new Error("name the package.json scripts to run");
  const unknown = names.filter((name) => typeof scripts[name] !== "string");
  if (unknown.length > 0) {
    const listed = unknown.map((name) => JSON.stringify(name)).join(", ");
    throw new Error(`package.json has no script ${listed}; it has: ${Object.keys(scripts).join(", ")}`);
  }
  return names.map((name) => ({ name, command: scripts[name] }));
}

/**
 * Runs one command in `cwd` and collects its stdout and stderr, in the order they came.
 * @param {{ name: string, command: string }} script
 * @param {string} cwd
 * @returns {Promise<ScriptResult>}
 */
function runScript({ name, command }, cwd) {
  const started = process.hrtime.bigint();
  const binaries = path.join(cwd, "node_modules", ".bin");
  const env = { ...process.env, PATH: [binaries, process.env.PATH].filter(Boolean).join(path.delimiter) };
  return new Promise((resolve) => {
    /** @type {Buffer[]} */
    const chunks = [];
    const child = spawn("sh", ["-c", command], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (chunk) => chunks.push(chunk));
    child.stderr.on("data", (chunk) => chunks.push(chunk));
    const finish = (/** @type {number} */ code, /** @type {string} */ extra = "") =>
      resolve({
        name,
        command,
        code,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        output: Buffer.concat(chunks).toString("utf8") + extra,
      });
    child.on("error", (error) => finish(127, `${error.message}\n`));
    child.on("close", (code, signal) => finish(code ?? 1, signal ? `ended by ${signal}\n` : ""));
  });
}

/**
 * Runs the scripts side by side; prints each one's output when it ends and a summary line per
 * script at the end. Resolves to the exit code: 0 when all passed, else 1.
 * @param {{ name: string, command: string }[]} selected
 * @param {{ cwd: string, stdout: Writable }} io
 * @returns {Promise<number>}
 */
async function runSideBySide(selected, { cwd, stdout }) {
  const results = await Promise.all(
    selected.map((script) =>
      runScript(script, cwd).then((result) => {
        stdout.write(`\n> ${result.name}: ${result.command}\n${result.output}`);
        return result;
      }),
    ),
  );
  stdout.write("\n");
  for (const { name, code, seconds } of results) {
    const verdict = code === 0 ? "passed" : `FAILED (exit code ${code})`;
    stdout.write(`${name} ${verdict} in ${seconds.toFixed(1)} s\n`);
  }
  return results.every((result) => result.code === 0) ? 0 : 1;
}

/**
 * @param {{ argv: string[], cwd: string, stdout: Writable, stderr: Writable }} io
 * @returns {Promise<number>} the exit code
 */
async function main({ argv, cwd, stdout, stderr }) {
  let selected;
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(cwd, "package.json"), "utf8"));
    selected = selectScripts(manifest.scripts ?? {}, argv);
  } catch (error) {
    stderr.write(`run-scripts: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  return runSideBySide(selected, { cwd, stdout });
}

if (require.main === module) {
  main({ argv: process.argv.slice(2), cwd: PROJECT_ROOT, stdout: process.stdout, stderr: process.stderr }).then(
    (code) => {
      process.exitCode = code;
    },
  );
}

module.exports = { main, selectScripts };
