import { describe, expect, it } from 'vitest';
import type { RevisionView } from '@axum/protocol';
import { historyTable } from './history.js';

const NOW = Date.parse('2026-12-05T14:00:00Z');
const gate = (value: number) => ({ metric: 'accuracy', op: '>=', threshold: 0.8, value, lkgValue: null, verdict: 'pass' as const, reason: null, expression: '>= 0.8' });
const revision = (n: number, fields: Partial<RevisionView>) =>
  ({ revision: n, status: 'superseded', kind: 'deploy', rollbackTo: null, releaseId: `rel-${n}`, commit: `${n}a2b3c4d`.padEnd(40, '0'), verified: true, gates: [gate(0.9 + n / 100)], metrics: {}, createdAt: '2026-12-05T13:57:00Z', by: 'push (main)', serving: false, paused: false, message: null, ...fields }) as RevisionView;
const revisions = [revision(3, { status: 'live', kind: 'rollback', rollbackTo: 1, by: 'ana (axum rollback)' }), revision(2, { createdAt: '2026-12-04T09:00:00Z' })];

describe('axum history at 80 columns', () => {
  it('takes the short time first: the gates keep their metric and value, the release and commit stay whole', () => {
    const lines = historyTable(revisions, 80, NOW);
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(80);
    expect(lines[0]).toMatch(/^REVISION +STATUS +KIND +RELEASE +COMMIT +GATES +CREATED$/);
    expect(lines[1]).toMatch(/^#3 +live +rollback → #1 +rel-3 +3a2b3c4d +accuracy 0\.93 … +3m ago$/);
    expect(lines[2]).toMatch(/^#2 +superseded +deploy +rel-2 +2a2b3c4d +accuracy 0\.92 … +29h ago$/);
  });
  it('cuts who made a revision no shorter than 12 (push run-12 whole), else leaves it out', () => {
    const made = [revision(3, { status: 'live', by: 'manual run-12 by ana via axum run' }), revision(2, { by: 'push run-11' })];
    for (const width of [96, 100, 104, 110]) {
      const lines = historyTable(made, width, NOW);
      expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(width);
      if (!lines[0]!.endsWith('BY')) continue;
      expect(lines[2]).toMatch(/ push run-11$/);
      expect(lines[1]!.slice(lines[0]!.indexOf('BY'))).toMatch(/^manual run-/);
      expect(lines[1]!.slice(lines[0]!.indexOf('BY')).length).toBeGreaterThanOrEqual(12);
    }
  });
  it('a wide terminal keeps every column and the full time; a pipe (no width) too', () => {
    for (const width of [200, null]) {
      const lines = historyTable(revisions, width, NOW);
      expect(lines[0]).toMatch(/VERIFIED +GATES +CREATED +BY$/);
      expect(lines[1]).toContain('accuracy 0.93 ✓ >= 0.8  2026-12-05 13:57:00  ana (axum rollback)');
    }
  });
});
