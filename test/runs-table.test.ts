// `axum runs`' plain table after a burst of commits: the superseded runs of one branch fold into one
// line, as on the dashboard (every run still under --json and --status superseded), and a failed
// run says why under its row. A real repository, a real daemon, bin/axum.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, commitFiles, scratchRepos, waitForRun, type RunJson } from './support/axum.js';
import { commitsBehindGate, gatedRepo } from './support/gated-runs.js';

const newRepo = scratchRepos(afterEach);

describe('axum runs, the table', () => {
  it('folds consecutive superseded runs of a branch into one line and says under a failed run why it failed', async () => {
    const { dir, open } = await gatedRepo(newRepo, '  staging: { branch: main }');
    const [first, second, third, fourth] = await commitsBehindGate(dir, ['one', 'two', 'three', 'four']);
    open();
    await waitForRun(dir, (r) => r.commit === fourth && r.status === 'succeeded', 'the fourth run to succeed', 60_000);
    const config = readFileSync(join(dir, 'axum.yml'), 'utf8');
    const typo = commitFiles(dir, 'typo yml', { 'axum.yml': `${config}timeot: 5m\n` });
    const failed = await waitForRun(dir, (r) => r.commit === typo && r.status === 'failed', 'the run of the invalid axum.yml to fail');

    const all = JSON.parse((await axum(['runs', '--json', '--repo', dir])).stdout) as RunJson[];
    const byCommit = (commit: string) => all.find((r) => r.commit === commit)!.id;
    expect(all.map((r) => r.status)).toEqual(['failed', 'succeeded', 'superseded', 'superseded', 'succeeded']);
    expect(failed.message).toMatch(/unknown key "timeot"/);

    const plain = await axum(['runs', '--repo', dir], { env: { COLUMNS: '' } });
    expect(plain.code).toBe(0);
    expect(plain.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^RUN +STATUS/),
      expect.stringMatching(new RegExp(`^${failed.id} +failed `)),
      `  ${failed.message}`,
      expect.stringMatching(new RegExp(`^${byCommit(fourth)} +succeeded `)),
      `… 2 superseded runs of main (${byCommit(second)}..${byCommit(third)})`,
      expect.stringMatching(new RegExp(`^${byCommit(first)} +succeeded `)),
    ]);
    const asked = await axum(['runs', '--status', 'superseded', '--repo', dir]);
    expect(asked.stdout.trim().split('\n').slice(1).map((l) => l.split(' ')[0])).toEqual([byCommit(third), byCommit(second)]);
  }, 120_000);
});
