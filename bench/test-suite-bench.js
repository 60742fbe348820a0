/**
 * Benchmark of `npm test`: wall time and CPU time of each of its steps run alone, then of
 * `npm test` itself, which runs them side by side. Prints figures; asserts nothing.
 *
 *   npm run bench:tests            # three runs of npm test with jest's cache cleared, three with it
 *   npm run bench:tests -- 5       # five of each
 *
 * CPU time is that of the step's whole process tree (read from /proc/self/stat, Linux
 * only): on a 2-core machine `npm test` cannot take less wall time than half of it.
 */
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const PROJECT_ROOT = path.resolve(__dirname, "..");
/** The scripts `npm test` runs side by side: the names after run-scripts.js in package.json. */
const STEPS = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8"))
  .scripts.test.split(/\s+/)
  .slice(2);
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds used so far by this process's finished children (and theirs, once waited for). */
function childrenCpuSeconds() {
  const stat = fs.readFileSync("/proc/self/stat", "utf8");
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const childUser = Number(fields[13]);
  const childSystem = Number(fields[14]);
  return (childUser + childSystem) / CLOCK_TICKS_PER_SECOND;
}

/** @typedef {{ wall: number, cpu: number, passed: boolean }} Measured */

/**
 * Runs a command quietly; returns its wall and CPU seconds and whether it passed.
 * @param {string[]} command
 * @returns {Measured}
 */
function measure([program, ...args]) {
  const cpuBefore = childrenCpuSeconds();
  const started = process.hrtime.bigint();
  const result = spawnSync(program, args, { cwd: PROJECT_ROOT, stdio: "ignore" });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  return { wall, cpu: childrenCpuSeconds() - cpuBefore, passed: result.status === 0 };
}

/** @param {number[]} values */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * @param {string} label
 * @param {Measured} measured
 */
function row(label, { wall, cpu, passed }) {
  const status = passed ? "" : "  (failed)";
  return `${label.padEnd(24)} ${wall.toFixed(2).padStart(6)} s wall ${cpu.toFixed(2).padStart(6)} s CPU${status}`;
}

function main() {
  const runs = Number(process.argv[2] ?? 3);
  if (!Number.isInteger(runs) || runs < 1) {
    console.error(`bench:tests: got ${JSON.stringify(process.argv[2])} runs; expected a whole number from 1`);
    process.exit(2);
  }
  console.log("each step alone:");
  // As npm test runs each step: through run-scripts, without an npm start-up of its own.
  for (const step of STEPS) console.log(row(`  ${step}`, measure(["node", "tools/run-scripts.js", step])));
  for (const cold of [true, false]) {
    console.log(
      cold
        ? `npm test, ${runs} run(s) with jest's cache cleared first, as on a fresh clone (CI):`
        : `npm test, ${runs} run(s) with jest's cache from the run before:`,
    );
    const results = [];
    for (let run = 1; run <= runs; run++) {
      if (cold) spawnSync("node", ["node_modules/.bin/jest", "--clearCache"], { cwd: PROJECT_ROOT, stdio: "ignore" });
      const result = measure(["npm", "test"]);
      results.push(result);
      console.log(row(`  run ${run}`, result));
    }
    const walls = results.map((result) => result.wall);
    console.log(
      `  median ${median(walls).toFixed(2)} s wall (fastest ${Math.min(...walls).toFixed(2)} s, slowest ${Math.max(...walls).toFixed(2)} s), median ${median(results.map((result) => result.cpu)).toFixed(2)} s CPU`,
    );
  }
}

main();
