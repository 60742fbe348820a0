// @ts-check
"use strict";
/**
 * How a command script ends when its work fails: one line on stderr, "<prefix>: <message>",
 * which Pulumi shows as the command's error, and exit code 1. Each script's cleanup (partial
 * files, staging directories) is awaited before its main rejects, so nothing is cut short.
 */

/**
 * What a command's main runs with: its environment, and where it writes its result line
 * (stdout) and its progress (stderr). Tests hand it their own.
 * @typedef {{ write(text: string): unknown }} TextOutput
 * @typedef {{ env: NodeJS.ProcessEnv, stdout: TextOutput, stderr: TextOutput }} CommandIo
 */

/**
 * Runs `main` with this process's environment and streams, turning a rejection into that line
 * and exit code.
 * @param {string} prefix
 * @param {(io: CommandIo) => Promise<void>} main
 */
function runCommand(prefix, main) {
  main({ env: process.env, stdout: process.stdout, stderr: process.stderr }).catch((error) => {
    process.stderr.write(`${prefix}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}

module.exports = { runCommand };
