// @ts-check
"use strict";
const fsp = require("fs/promises");

/**
 * Writes `file` so that readers see either the old or the new content, never a part:
 * the content goes to a temporary file beside it, is flushed, then renamed over it.
 *
 * The file gets `mode`, except that permission bits an existing file lacks stay off: an
 * admin's tighter mode is never loosened. With `owner`, the file is given to that uid:gid
 * before it replaces the old one, so it is never readable by anyone else on the way.
 * @param {string} file
 * @param {string | Buffer} content
 * @param {number} [mode]
 * @param {{ uid: number; gid: number }} [owner]
 */
async function writeAtomically(file, content, mode = 0o644, owner) {
  const existing = await fsp.stat(file).catch(() => undefined);
  const finalMode = existing ? existing.mode & mode & 0o777 : mode;
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await fsp.rm(temporary, { force: true });
    // "wx": a leftover or planted file (or symlink) of that name is never written through.
    const handle = await fsp.open(temporary, "wx", finalMode);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (owner) await fsp.chown(temporary, owner.uid, owner.gid);
    await fsp.chmod(temporary, finalMode);
    await fsp.rename(temporary, file);
  } finally {
    await fsp.rm(temporary, { force: true });
  }
}

module.exports = { writeAtomically };
