// The runs journal stays open between saves: a folder moved aside, or swapped for a link, after it
// was opened (git replaces an ignored folder so) must not take the next lines with it — written
// there, no start would read them. The save is refused, naming the link and the `rm` that fixes it;
// nothing is written through the link or into the old file, and the runs are written once it is put right.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '../domain/history.js';
import { createJournaledRunsStore, journalFileOf } from './journaled-runs-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const run = (number: number): RunRecord => ({
  ...{ id: `run-${number}`, number, status: 'queued', commit: 'a'.repeat(40), branch: 'main', env: null, trigger: 'push', reused: false },
  ...{ createdAt: '2026-11-29T00:00:00.000Z', startedAt: null, finishedAt: null, steps: [], subject: `commit ${number}`, releaseId: null },
  ...{ message: null, warnings: [], deploy: null, pgids: [], worktree: null, stages: null },
});
const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

/** A store in `<repo>/.axum/history` with one run saved (its journal open), and a folder outside. */
async function opened() {
  const repo = mkdtempSync(join(tmpdir(), 'axum-journal-links-'));
  dirs.push(repo);
  const history = join(repo, '.axum', 'history');
  const file = join(history, 'runs.json');
  const store = createJournaledRunsStore(file, { compactBytes: null });
  const { doc } = await store.load();
  doc.runs.push(run(1));
  doc.nextRunNumber = 2;
  await store.save(doc, []);
  expect(lines(journalFileOf(file))).toHaveLength(1);
  const elsewhere = join(repo, 'elsewhere');
  const aside = join(repo, 'aside');
  mkdirSync(elsewhere);
  return { store, doc, history, file, elsewhere, aside };
}

describe('the runs journal, its folder changed under it after it was opened', () => {
  it('swapped for a link: the save is refused naming the link and the rm; nothing is written through it or to the old file; put back, the run is written', async () => {
    const { store, doc, history, file, elsewhere, aside } = await opened();
    renameSync(history, aside);
    symlinkSync(elsewhere, history);
    doc.runs.push(run(2));
    doc.nextRunNumber = 3;
    const refused = store.save(doc, []);
    await expect(refused).rejects.toMatchObject({ code: 'ELOOP', message: expect.stringContaining(`${history} is a symbolic link to ${elsewhere}`) });
    await expect(refused).rejects.toThrow(`rm ${history}`);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(lines(journalFileOf(join(aside, 'runs.json')))).toHaveLength(1); // the file the journal had open
    rmSync(history);
    renameSync(aside, history);
    await store.save(doc, []);
    const again = await createJournaledRunsStore(file, { compactBytes: null }).load();
    expect(again.doc.runs.map((r) => r.id)).toEqual(['run-1', 'run-2']);
  });

  it('moved aside for a new folder: the save is refused saying so; nothing is written to the old file or the new folder', async () => {
    const { store, doc, history, aside } = await opened();
    renameSync(history, aside);
    mkdirSync(history);
    doc.runs.push(run(2));
    const refused = store.save(doc, []);
    await expect(refused).rejects.toMatchObject({ code: 'ESTALE', message: expect.stringContaining(`${journalFileOf(join(history, 'runs.json'))} is no longer the file Axum has open`) });
    expect(readdirSync(history)).toEqual([]);
    expect(lines(journalFileOf(join(aside, 'runs.json')))).toHaveLength(1);
  });

  it.each([
    ['removed', (history: string) => rmSync(history, { recursive: true })],
    ['replaced by a file', (history: string) => {
      rmSync(history, { recursive: true });
      writeFileSync(history, 'not a folder\n');
    }],
  ])('its folder %s: the save is a refusal saying so (ESTALE with its fix), not an internal error; nothing is written', async (_how, change) => {
    const { store, doc, history } = await opened();
    change(history);
    doc.runs.push(run(2));
    const refused = store.save(doc, []);
    await expect(refused).rejects.toMatchObject({ code: 'ESTALE', fix: expect.stringContaining('axum daemon restart'), message: expect.stringContaining('is no longer the file Axum has open') });
    expect(existsSync(join(history, 'runs.journal'))).toBe(false);
  });
});

