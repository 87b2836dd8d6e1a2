/** Exit codes every command keeps to. */
export const EXIT = {
  /** The task succeeded. */
  OK: 0,
  /** The task ran and found problems (an invalid manifest, missing files). */
  PROBLEMS: 1,
  /** Usage or input error: bad flags, unreadable input. Nothing was written. */
  USAGE: 2,
} as const;

/** Throw to end a command with a given exit code after its message has been printed. */
export class ExitError extends Error {
  override readonly name = 'ExitError';
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}
