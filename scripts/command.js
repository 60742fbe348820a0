// @ts-check
"use strict";
/**
 * How a command script ends when its work fails: one line on stderr, "<prefix>: <message>",
 * which Pulumi shows as the command's error, and exit code 1. Each script's cleanup (partial
 * files, staging directories) is awaited before its main rejects, so nothing is cut short.
 */

/**
 * Runs `main`, turning a rejection into that line and exit code.
 * @param {string} prefix
 * @param {() => Promise<void>} main
 */
function runCommand(prefix, main) {
  main().catch((error) => {
    process.stderr.write(`${prefix}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}

module.exports = { runCommand };
