// Words for a revision number that names none of an environment's revisions, shared by the daemon's
// refusal and the command line's usage error: a long history is not listed whole.

/** Up to this many revisions are listed whole; beyond it, the range and the nearest ones. */
const LISTED_WHOLE = 5;
const NEAREST = 3;

/** `no revision #999 (revisions: #1 to #40; the nearest: #40, #39, #38)`, or every revision when there are few. */
export function missingRevisionText(requested: number, revisions: readonly number[]): string {
  const sorted = [...revisions].sort((a, b) => a - b);
  if (sorted.length <= LISTED_WHOLE) return `no revision #${requested} (revisions: ${sorted.map((n) => `#${n}`).join(', ') || 'none'})`;
  const nearest = [...sorted].sort((a, b) => Math.abs(a - requested) - Math.abs(b - requested) || b - a).slice(0, NEAREST).sort((a, b) => b - a);
  return `no revision #${requested} (revisions: #${sorted[0]} to #${sorted.at(-1)}; the nearest: ${nearest.map((n) => `#${n}`).join(', ')})`;
}

/**
 * The message of a revision refused at the integrity check (nothing moved): written by the daemon,
 * read back by the command line, which says `refused`, not `deployed … failed`.
 */
export const integrityRefusalText = (releaseId: string, problem: string): string => `release ${releaseId} failed its integrity check: ${problem}`;

/** The problem of a revision's message written by integrityRefusalText for `releaseId`; null for any other message. */
export function integrityProblem(message: string | null, releaseId: string): string | null {
  const prefix = integrityRefusalText(releaseId, '');
  return message?.startsWith(prefix) ? message.slice(prefix.length) : null;
}
