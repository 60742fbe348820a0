/** Output streams for a command's main, keeping each write for the test to read. */
export function capturedStreams(): {
  streams: { stdout: { write(text: string): unknown }; stderr: { write(text: string): unknown } };
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
