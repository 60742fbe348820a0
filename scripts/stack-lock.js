// @ts-check
"use strict";
/**
 * The lock Pulumi's file backend takes on a stack while an update runs, read and taken the way
 * the backend does it (pkg/backend/diy/lock.go, pulumi/pulumi v3.259.0):
 *   - one file per lock, <backend>/.pulumi/locks/organization/<project>/<stack>/<id>.json,
 *     holding {"pid", "username", "hostname", "timestamp"};
 *   - a stack with any lock file but one's own is locked: `pulumi up` refuses to start
 *     ("the stack is currently locked by 1 lock(s)");
 *   - Lock writes its file, then checks again, and backs off when another appeared meanwhile.
 * Holding the lock keeps `pulumi up` (and `npm run up`) from starting until it is released.
 */
const crypto = require("crypto");
const fs = require("fs");
const os = require("os");
const path = require("path");

/**
 * The directory of the stack's lock files, or null when the backend is not a file backend.
 * The URL's path is read as the backend reads it (diy/backend.go massageBlobPath): the query
 * dropped, `~` for the home directory, relative to the working directory.
 * @param {string} backendUrl e.g. file:///srv/pulumi-state, file://~/.pulumi-state
 * @param {string} project
 * @param {string} stack
 */
function stackLockDirectory(backendUrl, project, stack) {
  if (!backendUrl.startsWith("file://")) return null;
  let root = backendUrl.slice("file://".length).split("?")[0];
  if (root.startsWith("~")) root = path.join(os.homedir(), root.slice(2));
  return path.join(path.resolve(root), ".pulumi", "locks", "organization", project, stack);
}

/**
 * The locks held on the stack, but `own`.
 * @param {string} directory
 * @param {string} [own]
 * @returns {{ file: string, holder: string }[]}
 */
function heldLocks(directory, own) {
  const names = fs.existsSync(directory) ? fs.readdirSync(directory) : [];
  return names
    .filter((name) => name.endsWith(".json") && name !== own)
    .map((name) => {
      const file = path.join(directory, name);
      let holder = "an unreadable lock file";
      try {
        const content = JSON.parse(fs.readFileSync(file, "utf8"));
        holder = `${content.username}@${content.hostname} (pid ${content.pid}) at ${content.timestamp}`;
      } catch {
        // Still a lock: Pulumi counts every file.
      }
      return { file, holder };
    });
}

/**
 * @param {string} stack
 * @param {{ file: string, holder: string }[]} locks
 */
function lockedError(stack, locks) {
  return new Error(
    [
      `stack ${stack} is locked: an update (npm run up, preview or destroy) is running on it, and could start a manager on the database the restore would replace.`,
      ...locks.map((lock) => `  ${lock.file}: created by ${lock.holder}`),
      "Wait for it to end, then run the restore again. (A lock left by an update that was killed is removed with `pulumi cancel`.)",
    ].join("\n"),
  );
}

/**
 * Takes the stack's lock, or throws when someone holds it. Returns the function that releases it.
 * @param {string} directory from stackLockDirectory
 * @param {string} stack for messages
 * @returns {() => void}
 */
function lockStack(directory, stack) {
  const before = heldLocks(directory);
  if (before.length > 0) throw lockedError(stack, before);
  fs.mkdirSync(directory, { recursive: true });
  const own = `${crypto.randomUUID()}.json`;
  const file = path.join(directory, own);
  const content = {
    pid: process.pid,
    username: os.userInfo().username,
    hostname: os.hostname(),
    timestamp: new Date().toISOString(),
  };
  fs.writeFileSync(file, JSON.stringify(content), { flag: "wx" });
  const release = () => fs.rmSync(file, { force: true });
  const after = heldLocks(directory, own);
  if (after.length > 0) {
    release();
    throw lockedError(stack, after);
  }
  return release;
}

module.exports = { stackLockDirectory, heldLocks, lockStack };
