import { describe, expect, it } from 'vitest';
import { emptyRunsDocument, type RunRecord } from './history.js';
import { createSecretBook, maskEnvironmentText } from './secret-book.js';
import { createRunsCommit } from '../engine/runs-commit.js';

const run = (over: Partial<RunRecord> = {}): RunRecord => ({
  id: 'run-1', number: 1, status: 'failed', commit: 'c'.repeat(40), branch: 'main', env: null, trigger: 'push',
  createdAt: 't', startedAt: null, finishedAt: null, steps: [], subject: 's', releaseId: null, reused: false,
  message: null, warnings: [], deploy: null, pgids: [], worktree: null, stages: null, ...over,
});

describe('secret book', () => {
  it('masks the values of the names it was told, from every config, and keeps them', () => {
    const book = createSecretBook();
    book.addNames(['HF_TOKEN', 'UNSET', 'SHORT'], { HF_TOKEN: 'SuperSecretTok3n99', SHORT: 'ab' });
    book.add(['another-secret']);
    expect(book.mask('a symlink to /tmp/x-SuperSecretTok3n99 and another-secret, ab')).toBe('a symlink to /tmp/x-*** and ***, ab');
    expect(book.mask('nothing here')).toBe('nothing here');
  });

  it('a run is masked where it is saved and published: message, warnings, subject', async () => {
    const book = createSecretBook();
    book.add(['SuperSecretTok3n99']);
    const doc = emptyRunsDocument();
    const record = run({ message: 'the artifact model/link is a symlink to /tmp/x-SuperSecretTok3n99', warnings: ['w SuperSecretTok3n99'], subject: 'SuperSecretTok3n99' });
    doc.runs.push(record);
    const saved: string[] = [];
    const published: string[] = [];
    const commit = createRunsCommit({
      store: { load: async () => ({ doc, warning: null }), save: async (d) => void saved.push(JSON.stringify(d)), close: async () => undefined },
      loaded: () => doc,
      findRun: (id) => doc.runs.find((r) => r.id === id),
      publish: (view) => void published.push(JSON.stringify(view)),
      warn: () => undefined,
      logActivity: () => undefined,
      mask: book.mask,
    });
    await commit.commit(record);
    expect(saved.join()).not.toContain('SuperSecretTok3n99');
    expect(published.join()).not.toContain('SuperSecretTok3n99');
    expect(record.message).toBe('the artifact model/link is a symlink to /tmp/x-***');
  });

  it("an environment's incident and revision lines are masked", () => {
    const book = createSecretBook();
    book.add(['SuperSecretTok3n99']);
    const doc = { incident: 'x SuperSecretTok3n99', revisions: [{ message: 'y SuperSecretTok3n99' }] } as Parameters<typeof maskEnvironmentText>[0];
    maskEnvironmentText(doc, book.mask);
    expect(JSON.stringify(doc)).not.toContain('SuperSecretTok3n99');
  });
});
