// An environment's history as a user's script reads it: `axum history ENV --json`, newest first.
import type { RevisionView } from '@axum/protocol';
import { expect } from 'vitest';
import { axum, waitFor } from './axum.js';

export type Revision = RevisionView;

/** `axum history ENV --json`; a command that fails fails the test with its stderr. */
export async function history(dir: string, env = 'staging'): Promise<Revision[]> {
  const result = await axum(['history', env, '--json', '--repo', dir]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Revision[];
}

/**
 * The history once it has `count` revisions and none is still deploying or verifying. An answer
 * that is not one yet (the daemon starting, a request refused while busy) counts as nothing yet.
 */
export async function settled(dir: string, count: number, options: { env?: string; timeoutMs?: number } = {}): Promise<Revision[]> {
  const env = options.env ?? 'staging';
  let revisions: Revision[] = [];
  await waitFor(
    async () => {
      const result = await axum(['history', env, '--json', '--repo', dir]);
      revisions = result.code === 0 ? (JSON.parse(result.stdout) as Revision[]) : [];
      return revisions.length >= count && revisions.every((r) => r.status !== 'deploying' && r.status !== 'verifying');
    },
    options.timeoutMs ?? 30_000,
    `${count} settled revisions in ${env}`,
  );
  return revisions;
}
