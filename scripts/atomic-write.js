// @ts-check
"use strict";
const fsp = require("fs/promises");

/**
 * Writes `file` so that readers see either the old or the new content, never a part:
 * the content goes to a temporary file beside it, is flushed, then renamed over it.
 * @param {string} file
 * @param {string | Buffer} content
 * @param {number} [mode]
 */
async function writeAtomically(file, content, mode = 0o644) {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    const handle = await fsp.open(temporary, "w", mode);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.chmod(temporary, mode);
    await fsp.rename(temporary, file);
  } finally {
    await fsp.rm(temporary, { force: true });
  }
}

module.exports = { writeAtomically };
