// A commit subject of megabytes (one line) is recorded cut to its first 200 characters: clients,
// `axum run --wait` and the history stay the size of ordinary runs.
import { execFileSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, runs, scratchRepos, startDaemon, waitForRun, type RunJson } from './support/axum.js';

const newRepo = scratchRepos(afterEach);

describe('huge commit subjects', () => {
  it('commits with a 1 MB subject: run --wait works, runs --json holds the subject cut short, the history stays small', async () => {
    const dir = newRepo({
      config: `version: 1
environments:
  dev: { branch: main }
stages:
  - name: test
    steps:
      - { name: ok, run: 'true' }
`,
    });
    await startDaemon(dir);
    const subject = `big ${'s'.repeat(1024 * 1024)}`;
    const messageFile = join(dir, '..', `${dir.split('/').pop()}-message.txt`);
    writeFileSync(messageFile, `${subject}\n\nbody\n`);
    for (let i = 0; i < 3; i++) {
      writeFileSync(join(dir, `f${i}.txt`), `${i}\n`);
      execFileSync('git', ['add', '-A'], { cwd: dir });
      execFileSync('git', ['commit', '-q', '-F', messageFile], { cwd: dir });
    }
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
    await waitForRun(dir, (r) => r.commit === head && r.finishedAt !== null, 'the push run of the head to end', 60_000);
    const waited = await axum(['run', '--branch', 'main', '--again', '--wait', '--repo', dir], { timeoutMs: 60_000 });
    expect(waited.code, waited.stderr).toBe(0);
    const listed = (await runs(dir)) as (RunJson & { subject: string })[];
    expect(listed.filter((r) => r.commit === head).length).toBeGreaterThanOrEqual(2);
    for (const r of listed) expect(r.subject.length).toBeLessThanOrEqual(200);
    expect(listed.find((r) => r.commit === head)?.subject).toBe(`${subject.slice(0, 199)}…`);
    const history = join(dir, '.axum', 'history');
    const size = ['runs.json', 'runs.journal'].reduce((n, name) => n + (statSync(join(history, name), { throwIfNoEntry: false })?.size ?? 0), 0);
    expect(size).toBeLessThan(200_000);
  }, 90_000);
});
