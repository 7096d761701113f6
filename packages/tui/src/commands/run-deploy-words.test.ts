import type { RunView } from '@axum/protocol';
import { describe, expect, it } from 'vitest';
import { deployEndText, notDeployedReason } from './run-deploy-words.js';

const run = (deploy: RunView['deploy'], message: string | null, status: RunView['status'] = 'succeeded'): RunView => ({
  ...{ id: 'run-7', number: 7, status, commit: '1f22f4b3aaaaaaaa', branch: 'develop', env: 'dev', trigger: 'push', createdAt: '', startedAt: null, finishedAt: null },
  ...{ steps: [], subject: 'v2', releaseId: 'rel-7', reused: false, message, warnings: [], deploy },
});

describe("run --wait's last line about the deploy", () => {
  const left = '1f22f4b3 is no longer on develop, whose head 9c0d1e2f does not contain it (reset, amended or force-pushed away)';

  it('a release superseded before it deployed: not deployed, and why', () => {
    expect(deployEndText(run({ env: 'dev', revision: null, outcome: 'superseded' }, `built rel-7; not deployed: ${left}`))).toBe(`run-7 succeeded, but its release rel-7 was not deployed to dev (superseded): ${left}`);
  });

  it('a release a newer one replaced in the wait: the reason after the lead', () => {
    expect(notDeployedReason('built rel-7; a newer release (rel-8) is held by the pin of staging instead')).toBe('a newer release (rel-8) is held by the pin of staging instead');
    expect(notDeployedReason('rel-7: a newer run of it (run-9) follows its deploy to dev instead')).toBe('rel-7: a newer run of it (run-9) follows its deploy to dev instead');
    expect(notDeployedReason(null)).toBeNull();
  });

  it('a deploy that went live says nothing more; held or waiting says who moves it', () => {
    expect(deployEndText(run({ env: 'dev', revision: 2, outcome: 'live' }, null))).toBeNull();
    expect(deployEndText(run({ env: 'dev', revision: null, outcome: 'held-by-pin' }, null))).toBe('run-7 succeeded; its deploy is held-by-pin (axum unpin dev)');
    expect(deployEndText(run({ env: 'dev', revision: null, outcome: 'awaiting-approval' }, null))).toBe('run-7 succeeded; its deploy is awaiting-approval (axum approve dev)');
  });

  it('a deploy that failed or could not decide names its revision', () => {
    expect(deployEndText(run({ env: 'dev', revision: 3, outcome: 'rolled-back' }, null))).toBe('the deploy failed: axum logs dev#3 shows what its steps printed');
    expect(deployEndText(run({ env: 'dev', revision: 3, outcome: 'inconclusive' }, null))).toBe('the deploy was inconclusive (dev is paused: axum approve dev keeps it): axum logs dev#3 shows what its steps printed');
  });

  it('a run that failed is said by its failure, not by its deploy', () => {
    expect(deployEndText(run({ env: 'dev', revision: null, outcome: 'none' }, 'step train failed', 'failed'))).toBeNull();
  });
});
