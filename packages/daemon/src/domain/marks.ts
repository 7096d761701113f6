// Bad marks: the refusal words are shared with the CLI (@axum/protocol); what a `mark` request may change.
import { markTime, type ReleaseView } from '@axum/protocol';

export { badRefusal, markedBad, markTime, type BadMark } from '@axum/protocol';

/** Why a `mark` request changes nothing, or null when it may go ahead. */
export function markRefusal(release: Pick<ReleaseView, 'id' | 'bad'>, mark: 'good' | 'bad'): string | null {
  if (mark === 'bad' && release.bad) return `${release.id} is marked bad already (by ${release.bad.by}, ${markTime(release.bad.at)}: ${release.bad.why})`;
  if (mark === 'good' && !release.bad) return `${release.id} is not marked bad: nothing to clear`;
  return null;
}

/** What a mark says when its caller gave no reason. */
export const defaultReason = (mark: 'good' | 'bad'): string => (mark === 'good' ? 'cleared by hand' : 'marked by hand');
