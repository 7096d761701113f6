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

/**
 * An incident and a revision's reason are one line wherever they are shown (status, the TUI's
 * header, history): an error's text may be a tool's whole stderr (git prints `Preparing worktree…`
 * before its `fatal:`). The line kept is the first that says what failed — git's `fatal:` or
 * `error:` line when there is one, else the first line with text; `more` when anything was left
 * out, which the daemon's log keeps whole.
 */
export function firstMeaningfulLine(text: string): { line: string; more: boolean } {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  if (lines.length <= 1) return { line: lines[0] ?? '', more: false };
  return { line: lines.find((l) => /^(fatal|error):/i.test(l)) ?? lines[0]!, more: true };
}
