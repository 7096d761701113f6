/** Exit codes of every `axum` command (docs/commands.md, "Exit codes"). */
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

/** Marks a CliError for `instanceof` across the CLI bundle's two copies of this module (below). */
const CLI_ERROR = Symbol.for('axum.cli-error');

/**
 * An expected failure of a command: printed as one line, exits with its code. Bugs throw plain errors.
 * `instanceof CliError` checks a mark, not the prototype: the terminal UI and the demo run from the
 * bundle's ES-module half, with their own copy of this class, and their CliErrors are caught by the
 * CommonJS half's cli.ts (packages/tui/bundle.mjs).
 */
export class CliError extends Error {
  readonly [CLI_ERROR] = true;
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[CLI_ERROR] === true;
  }
}
