// @ts-check
"use strict";
const fs = require("fs");
const path = require("path");

/**
 * The file operations an atomic write uses; tests pass failing ones.
 * @typedef {object} WriteOps
 * @property {(file: string, flags: string, mode: number) => number} openSync
 * @property {(fd: number, content: string | Buffer) => number} writeSync
 * @property {(fd: number) => void} fsyncSync
 * @property {(fd: number) => void} closeSync
 * @property {(file: string, mode: number) => void} chmodSync
 * @property {(file: string, uid: number, gid: number) => void} chownSync
 * @property {(from: string, to: string) => void} renameSync
 * @property {(file: string, options: { force: boolean }) => void} rmSync
 * @property {(file: string) => { mode: number }} statSync
 */

/** @type {WriteOps} */
const nodeWriteOps = {
  openSync: (file, flags, mode) => fs.openSync(file, flags, mode),
  writeSync: (fd, content) => {
    fs.writeFileSync(fd, content);
    return content.length;
  },
  fsyncSync: (fd) => fs.fsyncSync(fd),
  closeSync: (fd) => fs.closeSync(fd),
  chmodSync: (file, mode) => fs.chmodSync(file, mode),
  chownSync: (file, uid, gid) => fs.chownSync(file, uid, gid),
  renameSync: (from, to) => fs.renameSync(from, to),
  rmSync: (file, options) => fs.rmSync(file, options),
  statSync: (file) => fs.statSync(file),
};

/**
 * @param {WriteOps} ops
 * @param {string} file
 * @returns {number | undefined}
 */
function existingMode(ops, file) {
  try {
    return ops.statSync(file).mode;
  } catch {
    return undefined;
  }
}

/**
 * Writes `file` so that readers see either the old or the new content, never a part: the
 * content goes to a temporary file beside it, is flushed, given its mode (whatever the umask)
 * and owner, then renamed over it. On any failure the temporary file is removed and `file` is
 * untouched.
 *
 * The file gets `mode`, except that permission bits an existing file lacks stay off: an
 * admin's tighter mode is never loosened. With `owner`, the file is given to that uid:gid
 * before it replaces the old one, so it is never readable by anyone else on the way.
 * @param {string} file
 * @param {string | Buffer} content
 * @param {number} [mode]
 * @param {WriteOps} [ops]
 * @param {{ uid: number; gid: number }} [owner]
 */
function writeAtomicallySync(file, content, mode = 0o644, ops = nodeWriteOps, owner) {
  const previous = existingMode(ops, file);
  const finalMode = previous === undefined ? mode : previous & mode & 0o777;
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    ops.rmSync(temporary, { force: true });
    // "wx": a leftover or planted file (or symlink) of that name is never written through.
    const fd = ops.openSync(temporary, "wx", finalMode);
    try {
      ops.writeSync(fd, content);
      ops.fsyncSync(fd);
    } finally {
      ops.closeSync(fd);
    }
    if (owner) ops.chownSync(temporary, owner.uid, owner.gid);
    ops.chmodSync(temporary, finalMode);
    ops.renameSync(temporary, file);
  } catch (error) {
    ops.rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * {@link writeAtomicallySync} for async callers (the scripts run one write at a time, so the
 * synchronous write blocks nothing else).
 * @param {string} file
 * @param {string | Buffer} content
 * @param {number} [mode]
 * @param {{ uid: number; gid: number }} [owner]
 */
async function writeAtomically(file, content, mode = 0o644, owner) {
  writeAtomicallySync(file, content, mode, nodeWriteOps, owner);
}

module.exports = { nodeWriteOps, writeAtomically, writeAtomicallySync };
