import { nodeWriteOps, writeAtomicallySync, WriteOps } from "../../scripts/atomic-write";

function backupFileName(file: string): string {
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
    writeAtomicallySync(file, text, 0o644, ops);
    return {};
  }
  const mode = ops.statSync(file).mode & 0o777;
  const backup = backupFileName(file);
  writeAtomicallySync(backup, existing, mode, ops);
  writeAtomicallySync(file, text, mode, ops);
  return { backup };
}
