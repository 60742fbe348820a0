import * as fs from "fs";
import * as path from "path";

/** The file operations the writer uses; tests pass failing ones. */
export interface WriteOps {
  openSync(file: string, flags: string, mode: number): number;
  writeSync(fd: number, text: string): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  rmSync(file: string, options: { force: boolean }): void;
  statSync(file: string): { mode: number };
}

export const nodeWriteOps: WriteOps = {
  openSync: (file, flags, mode) => fs.openSync(file, flags, mode),
  writeSync: (fd, text) => fs.writeSync(fd, text),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  closeSync: (fd) => fs.closeSync(fd),
  renameSync: (from, to) => fs.renameSync(from, to),
  rmSync: (file, options) => fs.rmSync(file, options),
  statSync: (file) => fs.statSync(file),
};

/**
 * Writes `file` so readers see the old content or the new, never part of either: the
 * text goes to a temporary file in the same directory, is flushed, then renamed over it.
 * On any failure the temporary file is removed and `file` is untouched.
 */
export function writeFileAtomically(file: string, text: string, mode: number, ops: WriteOps = nodeWriteOps): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    const fd = ops.openSync(temporary, "w", mode);
    try {
      ops.writeSync(fd, text);
      ops.fsyncSync(fd);
    } finally {
      ops.closeSync(fd);
    }
    ops.renameSync(temporary, file);
  } catch (error) {
    ops.rmSync(temporary, { force: true });
    throw error;
  }
}

export function backupFileName(file: string): string {
  return `${file}.bak`;
}

/**
 * Replaces the stack file: first a backup of the current content (`<file>.bak`, itself
 * written atomically), then the new content, atomically, with the old file's permissions.
 */
export function replaceStackFile(
  file: string,
  text: string,
  existing: string | undefined,
  ops: WriteOps = nodeWriteOps,
): { backup?: string } {
  if (existing === undefined) {
    writeFileAtomically(file, text, 0o644, ops);
    return {};
  }
  const mode = ops.statSync(file).mode & 0o777;
  const backup = backupFileName(file);
  writeFileAtomically(backup, existing, mode, ops);
  writeFileAtomically(file, text, mode, ops);
  return { backup };
}
