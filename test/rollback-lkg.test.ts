// The last known good a rollback's revision records beside its gates, end to end: a real daemon,
// real commits. A manual rollback marks the release it leaves bad, so that release is never the
// last known good of the rollback's own revision — in `history --json`, the history table and status.
import { afterEach, describe, expect, it } from 'vitest';
import { axum, commitFiles, scratchRepos, startDaemon } from './support/axum.js';
import { settled } from './support/history.js';
import { tinyModel } from './support/tiny-model.js';

const config = tinyModel({ gates: { accuracy: '>= 0.5' }, rollbackAuto: true });

const repo = scratchRepos(afterEach);

describe("a manual rollback's last known good", () => {
  it('is what it goes back to, never the release it leaves and marks bad', async () => {
    const dir = repo({ config });
    commitFiles(dir, 'data', { 'data.txt': '0\n' });
    await startDaemon(dir);
    commitFiles(dir, 'v1', { 'data.txt': '0.93\n' });
    await settled(dir, 1);
    commitFiles(dir, 'v2', { 'data.txt': '0.81\n' });
    const [second] = await settled(dir, 2);
    expect(second?.gates[0]?.lkgValue).toBe(0.93);

    const rollback = await axum(['rollback', 'staging', '--yes', '--repo', dir]);
    expect(rollback.code, rollback.stderr).toBe(0);
    const [back] = await settled(dir, 3);
    expect(back).toMatchObject({ revision: 3, kind: 'rollback', rollbackTo: 1, status: 'live' });
    const releases = JSON.parse((await axum(['releases', '--json', '--repo', dir])).stdout) as { id: string; bad: unknown }[];
    expect(releases.find((r) => r.id === second!.releaseId)?.bad).not.toBeNull();
    // What `history --json` (and the TUI's operation view, which reads the same gates) says beside the gate.
    expect(back?.gates).toEqual([expect.objectContaining({ metric: 'accuracy', value: 0.93, lkgValue: 0.93, verdict: 'pass' })]);
    const table = await axum(['history', 'staging', '--repo', dir]);
    expect(table.stdout).toMatch(/^#3 .*accuracy 0\.93 ✓ \S+ \S+ \(LKG 0\.93\)/m);
    expect(table.stdout).not.toContain('LKG 0.81');
    // Status (and the TUI's LKG column, the same field): the rollback's own revision, on the release it went back to.
    const status = JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout) as { environments: { lastKnownGood: { revision: number; releaseId: string } | null }[] };
    expect(status.environments[0]?.lastKnownGood).toEqual(expect.objectContaining({ revision: 3, releaseId: back!.releaseId }));
  }, 90_000);
});
