import { describe, expect, it } from 'vitest';
import { emptyRunsDocument, type RunRecord } from './history.js';
import { MESSAGE_MAX, SUBJECT_MAX, WARNINGS_MAX, WARNING_MAX, boundRunRecord, clip, firstLine } from './outside-text.js';
import { createRunsCommit } from '../engine/runs-commit.js';

const run = (over: Partial<RunRecord> = {}): RunRecord => ({
  ...{ id: 'run-1', number: 1, status: 'succeeded', commit: 'c'.repeat(40), branch: 'main', env: null, trigger: 'push' },
  ...{ createdAt: 't', startedAt: null, finishedAt: null, steps: [], subject: 's', releaseId: null, reused: false },
  ...{ message: null, warnings: [], deploy: null, pgids: [], worktree: null, stages: null },
  ...over,
});

describe('bounds on outside text', () => {
  it('clips with an ellipsis, never half a surrogate pair; a subject is its first line', () => {
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(clip('abcdef', 6)).toBe('abcdef');
    expect(clip('ab😀cd', 4)).toBe('ab…');
    expect(firstLine('  fix it \r\nbody', 200)).toBe('fix it');
  });

  it('the recorder saves a 1 MB subject, a long message and many warnings within the bounds', async () => {
    const doc = emptyRunsDocument();
    const record = run({ subject: 'x'.repeat(1024 * 1024), message: 'm'.repeat(10_000), warnings: Array.from({ length: 500 }, () => 'w'.repeat(5000)) });
    doc.runs.push(record);
    const saved: string[] = [];
    const { commit } = createRunsCommit({
      store: { load: async () => ({ doc, warning: null }), save: async (d) => void saved.push(JSON.stringify(d)), close: async () => undefined },
      ...{ loaded: () => doc, findRun: (id: string) => doc.runs.find((r) => r.id === id), publish: () => undefined, warn: () => undefined, logActivity: () => undefined },
      mask: (text) => text,
    });
    await commit(record);
    const [written] = (JSON.parse(saved[0] ?? '{}') as { runs: RunRecord[] }).runs;
    expect(written?.subject).toBe(`${'x'.repeat(SUBJECT_MAX - 1)}…`);
    expect(written?.message?.length).toBe(MESSAGE_MAX);
    expect(written?.warnings.length).toBe(WARNINGS_MAX);
    expect(written?.warnings.at(-1)).toBe('… and 481 more warnings');
    expect(Math.max(...(written?.warnings ?? []).map((w) => w.length))).toBe(WARNING_MAX);
    expect(saved[0]?.length).toBeLessThan(20_000);
  });

  it('a run loaded with a huge subject is cut too', () => {
    const record = run({ subject: 'y'.repeat(3_000_000) });
    boundRunRecord(record);
    expect(record.subject.length).toBe(SUBJECT_MAX);
  });
});
