import type { RevisionView } from '@axum/protocol';

/** Where to read what a revision's steps printed: its first failed step, else all of it. */
export function outputPointer(env: string, revision: RevisionView | undefined): string {
  if (!revision || revision.steps.length === 0) return '';
  const failed = revision.steps.find((s) => s.status === 'failed' || s.status === 'timed-out' || s.status === 'interrupted');
  return ` (axum logs ${env}#${revision.revision}${failed ? ` --step ${failed.name}` : ''})`;
}

/**
 * The incident an automatic rollback leaves: what went wrong, where its output is, and where the
 * environment went — it fixed the symptom, not the cause. `by` is the rollback's `auto: …` cause.
 */
export function autoRollbackIncident(env: string, by: string, rollbackTo: number | null, revisions: readonly RevisionView[]): string {
  const cause = by.replace(/^auto: /, '');
  const failed = /#(\d+) failed/.exec(cause)?.[1];
  const pointer = cause.includes('axum logs') || !failed ? '' : outputPointer(env, revisions.find((r) => r.revision === Number(failed)));
  return `${cause}${pointer}; rolled back to #${rollbackTo}`;
}
