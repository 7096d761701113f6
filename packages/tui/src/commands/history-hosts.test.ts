import { describe, expect, it } from 'vitest';
import type { RevisionView } from '@axum/protocol';
import { historyHostLines } from './history-hosts.js';

const revision = (n: number, hosts?: RevisionView['hosts']) => ({ revision: n, ...(hosts ? { hosts } : {}) }) as RevisionView;

describe('axum history: hosts under the table', () => {
  it('a line per host under each revision that reached any, the failed one with why', () => {
    const lines = historyHostLines([
      revision(2, [
        { host: 'deploy@a:/srv/m', outcome: 'staged', reason: null },
        { host: 'deploy@b:/srv/m', outcome: 'failed', reason: 'ssh: Connection refused' },
      ]),
      revision(1, [{ host: 'deploy@a:/srv/m', outcome: 'switched', reason: null, serving: true }]),
    ]);
    expect(lines).toEqual(['', 'hosts:', '  #2    deploy@a:/srv/m staged', '        deploy@b:/srv/m FAILED (ssh: Connection refused)', '  #1    deploy@a:/srv/m switched, serving']);
  });

  it('nothing for a local environment', () => {
    expect(historyHostLines([revision(1)])).toEqual([]);
  });
});
