import { describe, expect, it } from 'vitest';
import type { EnvironmentView, RevisionView } from '@axum/protocol';
import { servingNotes } from './history-notes.js';

const failed = { revision: 4, status: 'failed', serving: true, paused: false, releaseId: 'rel-4' } as RevisionView;
const env = (operation: EnvironmentView['operation']) => ({ name: 'dev', rollbackTarget: { revision: 3, releaseId: 'rel-3' }, operation }) as unknown as EnvironmentView;

describe('axum history: serving, failed', () => {
  it('advises the rollback when nothing is under way', () => {
    expect(servingNotes('dev', [failed], env(null))).toEqual(['', '#4 is serving, failed: current still serves rel-4, which failed (axum rollback dev goes back to #3 (rel-3))']);
  });

  it('says the automatic rollback in progress instead of advising one', () => {
    const rolling = env({ revision: 5, kind: 'auto-rollback', holder: 'daemon', startedAt: 't' });
    expect(servingNotes('dev', [failed], rolling)).toEqual(['', '#4 is serving, failed: current still serves rel-4, which failed (auto-rollback #5 in progress)']);
  });
});
