import * as path from "path";

/**
 * How Flamenco 3.7 turns a path it reads into the path it opens. Each rule names the
 * Flamenco source that applies it (commit d7eca929, "Bump version to 3.7").
 */
export type PathRule =
  /**
   * `filepath.Join(filepath.Dir(os.Executable()), value)`: joined onto the directory of the
   * executable even when the value is absolute ("/app" + "/app/x" is "/app/app/x").
   * internal/manager/local_storage/local_storage.go, NewNextToExe and getSuitableStorageRoot.
   */
  | "next-to-executable"
  /**
   * Opened as given: a relative value resolves against the process's working directory
   * (os.ReadFile, sql.Open("sqlite", dsn), filepath.Abs), an absolute one stays.
   */
  | "working-directory";

/** Where the process runs: its executable's directory and its working directory. */
export interface ProcessDirectories {
  readonly executableDirectory: string;
  readonly workingDirectory: string;
}

/** Go's filepath.Clean: Node's normalize, without the trailing slash Go drops. */
function clean(value: string): string {
  const normalized = path.posix.normalize(value);
  return normalized.length > 1 ? normalized.replace(/\/+$/, "") : normalized;
}

/** The path Flamenco opens for `value` under `rule`, cleaned as Go's filepath.Join cleans it. */
export function resolveFlamencoPath(rule: PathRule, value: string, where: ProcessDirectories): string {
  switch (rule) {
    case "next-to-executable":
      return clean(path.posix.join(where.executableDirectory, value));
    case "working-directory":
      return clean(path.posix.isAbsolute(value) ? value : path.posix.join(where.workingDirectory, value));
  }
}

/**
 * The value to write so that a `next-to-executable` path lands on `target`: relative to the
 * executable's directory. Undefined when no such value exists (target outside that directory).
 */
export function valueNextToExecutable(executableDirectory: string, target: string): string | undefined {
  const relative = path.posix.relative(executableDirectory, target);
  return relative === "" || relative.startsWith("..") ? undefined : relative;
}

/** True when `candidate` is `directory` or lies below it (both absolute, POSIX). */
export function isWithin(directory: string, candidate: string): boolean {
  const relative = path.posix.relative(directory, candidate);
  return relative === "" || (!relative.startsWith("..") && !path.posix.isAbsolute(relative));
}
