import { describe, expect, it } from 'vitest';
import type { RevisionView } from '@axum/protocol';
import { autoRollbackText } from './auto-rollback-wait.js';

const rev = (revision: number, fields: Partial<RevisionView>) => ({ revision, kind: 'deploy', status: 'live', verified: true, rollbackTo: null, message: null, by: 'push run-1', ...fields }) as RevisionView;

describe('the line --wait says after the automatic rollback a failed deploy started', () => {
  const failed = rev(3, { status: 'failed', verified: false });
  it('says how it ended: live and verified, or failed too with why and where to read', () => {
    const back = rev(4, { kind: 'auto-rollback', rollbackTo: 2, by: 'auto: #3 failed verification' });
    expect(autoRollbackText('dev', 3, [back, failed])).toBe('dev#3 failed verification; rolled back automatically to #2 (dev#4, live, verified)');
    const broken = { ...back, status: 'failed' as const, verified: false, message: 'gates failed: accuracy = 0.1' };
    expect(autoRollbackText('dev', 3, [broken, failed])).toBe('dev#3 failed verification; the automatic rollback to #2 failed too (dev#4: gates failed: accuracy = 0.1; axum logs dev#4)');
  });
  it('says nothing when none followed, or the one there is followed another revision', () => {
    expect(autoRollbackText('dev', 3, [failed])).toBeNull();
    // #13's rollback is not #3's: the reason names its revision whole.
    expect(autoRollbackText('dev', 3, [rev(14, { kind: 'auto-rollback', rollbackTo: 2, by: 'auto: #13 failed verification' }), failed])).toBeNull();
  });
});
