import { describe, expect, it } from 'vitest';
import type { RunView } from '@axum/protocol';
import { alreadyText, builtAgainText } from './runs.js';

const run = (deploy: RunView['deploy']): RunView =>
  ({ id: 'run-11', number: 11, status: 'succeeded', commit: '794e1f77'.padEnd(40, '0'), branch: 'main', env: 'dev', trigger: 'push', deploy }) as RunView;

describe('the answer to axum run of a head built already', () => {
  it('says the run built it, and how to have it again (its release reused)', () => {
    const live = run({ env: 'dev', revision: 18, outcome: 'live' });
    expect(alreadyText(live)).toBe('run-11 already built 794e1f77 on main (succeeded)');
    expect(builtAgainText(live)).toBe('axum run --again runs it again (its release reused; axum run --rebuild builds it anew)');
  });

  it('never says a plain "succeeded" of a run whose deploy did not go live, and names --rebuild, not --again', () => {
    const failed = run({ env: 'dev', revision: 18, outcome: 'failed' });
    expect(alreadyText(failed)).toBe('run-11 already built 794e1f77 on main (succeeded; deploy dev#18 failed)');
    expect(builtAgainText(failed)).toBe('axum run --rebuild builds it anew (axum run --again would hand the same release on)');
    expect(alreadyText(run({ env: 'dev', revision: null, outcome: 'refused-bad' }))).toBe('run-11 already built 794e1f77 on main (succeeded; deploy dev refused-bad)');
  });
});
