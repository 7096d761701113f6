// After a deploy that failed, `--wait` waits for the automatic rollback it starts: a script that
// reads the status next must find where the environment ended, not the rollback on its way.
import type { RevisionView } from '@axum/protocol';
import type { RequestFn } from '../client/daemon-connection.js';
import { stderrLine } from './output.js';
import { call } from './runs.js';

/** An automatic rollback verifies as a deploy does: give it as long as a verify may take. */
const SETTLE_TIMEOUT_MS = 60 * 60 * 1000;

/** The automatic rollback failed revision `n` started: its reason begins `auto: #N ` (the daemon words it so). */
export function autoRollbackAfter(revisions: readonly RevisionView[], n: number): RevisionView | null {
  return revisions.findLast((r) => r.revision > n && r.kind === 'auto-rollback' && r.by.startsWith(`auto: #${n} `)) ?? null;
}

/**
 * One line on how the automatic rollback after `env#n` ended: `staging#2 failed verification;
 * rolled back automatically to #1 (staging#3, live, verified)`; null when none followed.
 */
export function autoRollbackText(env: string, n: number, revisions: readonly RevisionView[]): string | null {
  const rollback = autoRollbackAfter(revisions, n);
  if (!rollback) return null;
  const why = rollback.by.slice(`auto: #${n} `.length);
  const at = `${env}#${rollback.revision}`;
  if (rollback.status === 'live') return `${env}#${n} ${why}; rolled back automatically to #${rollback.rollbackTo} (${at}, live${rollback.verified ? ', verified' : ''})`;
  const reason = rollback.message ? `: ${rollback.message}` : '';
  return `${env}#${n} ${why}; the automatic rollback to #${rollback.rollbackTo} ${rollback.status === 'failed' ? 'failed too' : `is ${rollback.status}`} (${at}${reason}; axum logs ${at})`;
}

/**
 * Waits until failed revision `env#n` has ended with what it started, and says how its automatic
 * rollback ended (null: none followed). A daemon older than `env.settled` answers nothing to wait on.
 * Ctrl-C meanwhile stops the waiting, not the rollback: `ended` prints what has ended already (the
 * run, the revision), then it is said where to see the rest (exit 130; under `json`, the error
 * document, as every wait of an operation ends).
 */
export async function awaitAutoRollback(connection: { request: RequestFn }, env: string, n: number, interrupted: { ended?: () => void; json?: boolean } = {}): Promise<string | null> {
  const onInterrupt = () => {
    interrupted.ended?.();
    const message = `stopped waiting for the automatic rollback after ${env}#${n}; it goes on in the daemon (see how it ends: axum history ${env})`;
    if (interrupted.json) process.stdout.write(`${JSON.stringify({ error: { message, exitCode: 130 } })}\n`);
    stderrLine(`axum: ${message}`);
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  try {
    const revisions = await call(connection, 'env.settled', { env, revision: n }, SETTLE_TIMEOUT_MS).catch(() => null);
    return revisions ? autoRollbackText(env, n, revisions) : null;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
