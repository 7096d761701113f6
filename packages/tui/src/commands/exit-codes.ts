/** Exit codes of every `axum` command (README.md, "Commands"). */
export const EXIT = {
  /** Success. */
  ok: 0,
  /** The operation failed: a run failed under --wait, a rollback was refused. */
  failed: 1,
  /** Usage or configuration error. */
  usage: 2,
  /** The daemon could not be reached or started. */
  unreachable: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An expected failure of a command: printed as one line, exits with its code. Bugs throw plain errors. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}
