/** A problem the user must fix; the CLI prints the message alone (no stack trace). */
export class ImportError extends Error {
  constructor(
    message: string,
    /** Process exit code: 1 for a store or stack file problem, 2 for a usage problem. */
    readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = "ImportError";
  }
}
