import type { CommandIo } from "../../../scripts/command";

/** Output streams for a command's main, keeping each write for the test to read. */
export function capturedStreams(): {
  streams: Pick<CommandIo, "stdout" | "stderr">;
  stdout: string[];
  stderr: string[];
} {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    streams: { stdout: { write: (text) => stdout.push(text) }, stderr: { write: (text) => stderr.push(text) } },
    stdout,
    stderr,
  };
}
