// Bad marks: the refusal words are shared with the CLI (@axum/protocol); what a `mark` request changes.
import type { ReleaseView } from '@axum/protocol';

export { badRefusal, markedBad, markTime, type BadMark } from '@axum/protocol';

/**
 * What a `mark` request changes: `set` a bad mark, `clear` it, give a bad mark a new `reason`, or
 * nothing (null) — asked again, a mark is an answer, not a refusal (`kubectl apply` of what is
 * there already): bad when bad with no new reason, good when not marked bad. `reason` is the
 * reason as it would be kept (trimmed, masked); undefined when none was given.
 */
export function markChange(release: Pick<ReleaseView, 'bad'>, mark: 'good' | 'bad', reason: string | undefined): 'set' | 'clear' | 'reason' | null {
  if (mark === 'good') return release.bad ? 'clear' : null;
  if (!release.bad) return 'set';
  return reason !== undefined && reason !== release.bad.why ? 'reason' : null;
}

/** What a mark says when its caller gave no reason. */
export const defaultReason = (mark: 'good' | 'bad'): string => (mark === 'good' ? 'cleared by hand' : 'marked by hand');
