// Under `axum history`: what serves when it is not plainly the live revision (serving failed, the pause), and the way back.
import type { EnvironmentView, RevisionView } from '@axum/protocol';
import { rollbackHint } from '../state/selectors.js';

/**
 * Serving, failed (ARCHITECTURE.md, glossary): a failed release still in front of users is said
 * plainly; paused over it, it is inconclusive, not failed, and the pause's line says so. The way
 * back is a rollback, unless an operation holds the environment (an automatic rollback under
 * way): then that is said, and no rollback the daemon would refuse as busy is advised.
 */
export function servingNotes(env: string, revisions: readonly RevisionView[], view: EnvironmentView | undefined): string[] {
  const lines: string[] = [];
  const back = rollbackHint({ name: env, rollbackTarget: view?.rollbackTarget ?? null, operation: view?.operation ?? null });
  const servingFailed = revisions.find((r) => r.serving && r.status === 'failed' && !r.paused);
  if (servingFailed) lines.push(``, `#${servingFailed.revision} is serving, failed: current still serves ${servingFailed.releaseId}, which failed (${back})`);
  // The pause (ARCHITECTURE.md, glossary: Inconclusive): automatic actions wait for a person.
  const paused = revisions.find((r) => r.paused);
  if (paused) lines.push(``, `${env} is paused over #${paused.revision}: its verification or monitor was inconclusive; commits build but do not deploy, nothing rolls back by itself (axum approve ${env} keeps it; ${back})`);
  return lines;
}
