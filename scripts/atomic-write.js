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
  renameSync: (from, to) => fs.renameSync(from, to),
  rmSync: (file, options) => fs.rmSync(file, options),
  statSync: (file) => fs.statSync(file),
};

/**
 * Writes `file` so that readers see either the old or the new content, never a part: the
 * content goes to a temporary file beside it, is flushed, given `mode` (whatever the umask),
 * then renamed over it. On any failure the temporary file is removed and `file` is untouched.
 * @param {string} file
 * @param {string | Buffer} content
 * @param {number} [mode]
 * @param {WriteOps} [ops]
 */
function writeAtomicallySync(file, content, mode = 0o644, ops = nodeWriteOps) {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    const fd = ops.openSync(temporary, "w", mode);
    try {
      ops.writeSync(fd, content);
      ops.fsyncSync(fd);
    } finally {
      ops.closeSync(fd);
    }
    ops.chmodSync(temporary, mode);
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
 */
async function writeAtomically(file, content, mode = 0o644) {
  writeAtomicallySync(file, content, mode);
}

module.exports = { nodeWriteOps, writeAtomically, writeAtomicallySync };
