// What people type where a command expects an id or a count, read the way they mean it.
import { CliError, EXIT } from './exit-codes.js';

/**
 * A release id as typed: `rel-3`, or the bare number `3` that `axum releases` shows after `rel-`,
 * as `axum logs 12` takes run-12. A number names one release only, so it is taken, not asked
 * about; the answer names the release by its id. `#3` is not one: `#N` is a revision everywhere
 * (`axum history` prints it), and revision #5 may hold rel-3 — a usage error says so.
 */
export function releaseIdOf(text: string): string {
  const trimmed = text.trim();
  if (/^#[0-9]+$/.test(trimmed)) throw new CliError(`${trimmed} is a revision (ENV${trimmed}, as axum history lists them), not a release: a release is rel-N (axum releases lists them)`, EXIT.usage);
  const bare = /^([0-9]+(?:-[0-9]+)?)$/.exec(trimmed);
  return bare ? `rel-${bare[1]}` : text;
}

/** `--limit N` of a listing: a positive whole number, or a usage error naming what was typed. */
export function limitOf(text: string | undefined, fallback: number | null): number | null {
  if (text === undefined) return fallback;
  const limit = Number(text);
  if (!/^[0-9]+$/.test(text.trim()) || !Number.isInteger(limit) || limit < 1) throw new CliError(`--limit ${text}: expected a positive whole number`, EXIT.usage);
  return limit;
}
