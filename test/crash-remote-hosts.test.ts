// kill -9 with real sshd hosts (docs/remote-environments.md; RELIABILITY.md): the daemon kills
// itself (`AXUM_CRASH_AT`) after every host took the new release but before any swapped, after one
// host swapped (the others' swaps in flight), and after every host swapped but before the local
// `current`; also during a rollback. After a restart every host's `current` agrees with the history
// (all on the live release, none half-swapped), and the next deploy reaches every host.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitFiles, daemonPid, historyText, isAlive, waitFor } from './support/axum.js';
import { SSHD_MISSING } from './support/sshd.js';
import { remoteConfig, sshdHostsSuite, type RevisionJson as Revision } from './support/sshd-hosts.js';
import { REMOTE_POINTS, REMOTE_ROLLBACK_POINT } from './support/crash-point-case.js';

/** Where to kill (`@n`: the n-th pass; `hosts.host-swapped` passes once per host); the rollback's case cuts a rollback. */
const CASES = REMOTE_POINTS.map((point) => ({ point, rollback: point === REMOTE_ROLLBACK_POINT }));

describe.skipIf(SSHD_MISSING !== null)(`kill -9 between the hosts' copy and swap, on three real sshd hosts${SSHD_MISSING ? ` (skipped: ${SSHD_MISSING})` : ''}`, () => {
  const suite = sshdHostsSuite(['alpha', 'beta', 'gamma'], { prefix: 'axum-ssh-crash-' });
  const { served, weights } = suite;
  const run = (dir: string, args: string[], crashAt = '') => suite.run([...args, '--repo', dir], { crashAt });
  const history = (dir: string) => suite.history(dir);
  const settled = (dir: string, count: number) => suite.settled(dir, count);
  const model = (dir: string, value: string) => commitFiles(dir, `model ${value}`, { 'data.txt': `${value}\n` });

  /** Every host and the local `current` on the live revision's release, the model's bytes alike. */
  function agree(dir: string, revisions: Revision[]): Revision {
    const live = revisions.find((r) => r.status === 'live');
    expect(live, JSON.stringify(revisions)).toBeDefined();
    expect(served()).toEqual(suite.lab.hosts.map(() => `releases/${live!.releaseId}`));
    const local = weights(join(dir, '.axum', 'envs', 'production'));
    for (const host of suite.lab.hosts) expect(weights(host.root), host.name).toBe(local);
    return live!;
  }

  it.each(CASES)('killed at $point (rollback: $rollback): every host agrees with the history after a restart, and the next deploy reaches all', { timeout: 600_000 }, async ({ point, rollback }) => {
    const dir = suite.repo(remoteConfig(suite.lab.hosts));
    expect((await run(dir, ['daemon', 'start'], point)).code).toBe(0);
    const pid = daemonPid(dir)!;
    await waitFor(() => historyText(dir).includes('"main"'), 10_000, 'the first reconciliation');
    model(dir, '0.91');
    await settled(dir, 1);
    model(dir, '0.95');
    if (rollback) {
      await settled(dir, 2);
      // The crash comes in the rollback's swap: the command loses its daemon.
      await run(dir, ['rollback', 'production', '--to', '1', '--yes']);
    }
    await waitFor(() => !isAlive(pid), 180_000, `the daemon to kill itself at ${point}`);
    expect(readFileSync(join(dir, '.axum', 'daemon.log'), 'utf8')).toContain(`AXUM_CRASH_AT: killing the daemon at ${point}`);

    // The daemon listens before it puts the hosts back over ssh: its start answers at once, and the
    // environment is held (`recovery`) until every host is back.
    const restarted = await run(dir, ['daemon', 'start']);
    expect(restarted.code, restarted.stderr).toBe(0);
    // A rollback cut short after its hosts moved is finished by a new rollback revision (#4).
    await settled(dir, rollback ? 4 : 2);
    await suite.idle(dir);
    const after = await settled(dir, rollback ? 4 : 2);
    const live = agree(dir, after);
    // The operation cut short went back whole (a deploy), or was finished (a rollback to #1).
    if (rollback) expect(live).toMatchObject({ kind: 'rollback', releaseId: after.find((r) => r.revision === 1)!.releaseId });
    else expect(live).toMatchObject({ revision: 1 });
    // History says so per host too: each host serves the live revision's release.
    expect(live.hosts?.map((h) => h.serving)).toEqual([true, true, true]);

    if (rollback) await run(dir, ['unpin', 'production']);
    model(dir, '0.97');
    await waitFor(async () => (await history(dir)).some((r) => r.status === 'live' && r.revision > after[0]!.revision), 180_000, 'the next deploy');
    agree(dir, await settled(dir, after.length + 1));
    expect(weights(suite.lab.hosts[2]!.root)).toBe('0.97\n');
  });
});
