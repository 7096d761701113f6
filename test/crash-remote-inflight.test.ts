// kill -9 while a host's swap is still on its way (docs/remote-environments.md;
// RELIABILITY.md): beta's sshd holds every swap to a named release (its ForceCommand waits while a
// file says so), and the daemon is killed with alpha and gamma swapped and beta's swap in flight.
// The restarted daemon puts every host back; the held swap, let go, must not land (a host swapped
// behind the history's back), and no ssh of the dead daemon may still be running. When putting a
// host back is slow too, the restarted daemon listens at once, shows the environment recovering,
// starts no deploy or rollback there until every host is back, then deploys what waited.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitFiles, daemonPid, historyText, isAlive, processesMatching, straysOf, waitFor, waitForRun } from './support/axum.js';
import { SSHD_MISSING } from './support/sshd.js';
import { remoteConfig, sshdHostsSuite } from './support/sshd-hosts.js';

/**
 * beta's ForceCommand: a swap to the release named in `hold-release` waits while that file exists.
 * A swap made ready in the session that checked the folder (it reads the daemon's word on stdin)
 * is checked and ready at once; the word, once it has come, is held back from it.
 */
const holdScript = (labDir: string) => `#!/bin/sh
hold=${labDir}/hold-release
if [ -f "$hold" ]; then
  case "$SSH_ORIGINAL_COMMAND" in
    *"ln -s -- 'releases/$(cat "$hold")'"*"read -r word"*)
      echo $$ > ${labDir}/held.pid
      { IFS= read -r word || exit 0; echo "$word" > ${labDir}/held.word; while [ -f "$hold" ]; do sleep 0.1; done; printf '%s\\n' "$word"; } | sh -c "$SSH_ORIGINAL_COMMAND" 2> ${labDir}/held.stderr
      code=$?
      echo $code > ${labDir}/held.exit
      exit $code ;;
    *"ln -s -- 'releases/$(cat "$hold")'"*)
      echo $$ > ${labDir}/held.pid
      while [ -f "$hold" ]; do sleep 0.1; done
      sh -c "$SSH_ORIGINAL_COMMAND" 2> ${labDir}/held.stderr
      code=$?
      echo $code > ${labDir}/held.exit
      exit $code ;;
  esac
fi
exec sh -c "$SSH_ORIGINAL_COMMAND"
`;

describe.skipIf(SSHD_MISSING !== null)(`kill -9 with a host's swap in flight, on three real sshd hosts${SSHD_MISSING ? ` (skipped: ${SSHD_MISSING})` : ''}`, () => {
  const suite = sshdHostsSuite(['alpha', 'beta', 'gamma'], {
    prefix: 'axum-ssh-stray-',
    forceCommand: (labDir) => {
      writeFileSync(join(labDir, 'hold-beta.sh'), holdScript(labDir), { mode: 0o755 });
      return { beta: join(labDir, 'hold-beta.sh') };
    },
  });
  const model = (dir: string, value: string) => commitFiles(dir, `model ${value}`, { 'data.txt': `${value}\n` });

  /** A repository on the three hosts, rel-1 live; then rel-2's deploy with beta's swap held and the daemon killed mid-swap. */
  async function killedMidSwap() {
    const { lab, labDir } = suite;
    const dir = suite.repo(remoteConfig(lab.hosts));
    const run = (args: string[]) => suite.run([...args, '--repo', dir]);
    expect((await run(['daemon', 'start'])).code).toBe(0);
    await waitFor(() => historyText(dir).includes('"main"'), 10_000, 'the first reconciliation');
    model(dir, '0.91');
    const [first] = await suite.settled(dir, 1);
    expect(first).toMatchObject({ status: 'live', releaseId: 'rel-1' });

    writeFileSync(join(labDir, 'hold-release'), 'rel-2');
    model(dir, '0.95');
    const pid = daemonPid(dir)!;
    // beta's swap is held once the daemon's word to move has reached it.
    await waitFor(() => existsSync(join(labDir, 'held.word')) && suite.served()[0] === 'releases/rel-2' && suite.served()[2] === 'releases/rel-2', 180_000, "alpha and gamma swapped, beta's swap held");
    expect(readFileSync(join(labDir, 'held.word'), 'utf8')).toBe('swap\n');
    rmSync(join(labDir, 'held.word'));
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), 10_000, 'the daemon to die');
    const held = Number(readFileSync(join(labDir, 'held.pid'), 'utf8'));
    rmSync(join(labDir, 'held.pid'));
    return { dir, run, held };
  }

  it('the dead daemon’s held swap never lands after the restart put the hosts back; no ssh of it stays running; the next deploy reaches all', { timeout: 600_000 }, async () => {
    const { lab, labDir } = suite;
    const { dir, run, held } = await killedMidSwap();
    // What the dead daemon left: its ssh to beta, waiting for the held swap.
    const strays = processesMatching(lab.config);
    expect(strays.length).toBeGreaterThan(0);
    // Among them its shared connections, one per host: the restart kills them like any ssh of it.
    expect(strays.filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('ControlMaster=yes'))).toHaveLength(3);

    const restarted = await run(['daemon', 'start']);
    expect(restarted.code, restarted.stderr).toBe(0);
    const after = await suite.settled(dir, 2);
    expect(after.map((r) => `#${r.revision} ${r.status}`)).toEqual(['#2 failed', '#1 live']);
    await waitFor(() => suite.served().every((link) => link === 'releases/rel-1'), 60_000, 'every host back on rel-1');
    for (const stray of strays) expect(isAlive(stray), `ssh ${stray} of the dead daemon`).toBe(false);

    // The held swap is let go: whether it still runs or not, beta stays where recovery put it.
    rmSync(join(labDir, 'hold-release'));
    await waitFor(() => !isAlive(held), 30_000, "beta's held command to end");
    expect(suite.served()).toEqual(['releases/rel-1', 'releases/rel-1', 'releases/rel-1']);
    // It did run, its ssh long dead: the host refused it, as a later daemon had acted there.
    expect(readFileSync(join(labDir, 'held.exit'), 'utf8').trim()).toBe('1');
    expect(readFileSync(join(labDir, 'held.stderr'), 'utf8')).toMatch(/a daemon started later has acted on this host \(fence \d+, this daemon \d+\): refusing/);
    expect(suite.weights(lab.hosts[1]!.root)).toBe('0.91\n');
    // Nothing of the dead daemon's runs: an ssh still about is the new daemon's own (a host it is reading now).
    const daemon = daemonPid(dir)!;
    const args = (pid: number) => `${pid} ${execFileSync('ps', ['-o', 'ppid=,args=', '-p', String(pid)], { encoding: 'utf8' }).trim()}`;
    // (`ps -p` of one that ended since fails: it is no stray.)
    const running = (pid: number) => { try { return [args(pid)]; } catch { return []; } };
    expect(straysOf(lab.config, daemon).flatMap(running)).toEqual([]);
    expect(readFileSync(join(dir, '.axum', 'daemon.log'), 'utf8')).toMatch(/killed \d+ process\(es\) left running by the previous daemon/);

    model(dir, '0.97');
    const next = await suite.settled(dir, 3);
    expect(next[0]).toMatchObject({ revision: 3, status: 'live', releaseId: 'rel-3' });
    expect(suite.served()).toEqual(['releases/rel-3', 'releases/rel-3', 'releases/rel-3']);
  });

  it('putting a slow host back: the restarted daemon listens at once, shows production recovering, refuses a rollback and queues a deploy until every host is back, then deploys it', { timeout: 600_000 }, async () => {
    const { labDir } = suite;
    const { dir, run } = await killedMidSwap();
    // Now beta's swap back to rel-1 is held too (the dead daemon's swap to rel-2 stays held).
    writeFileSync(join(labDir, 'hold-release'), 'rel-1');

    const restarted = await run(['daemon', 'start']);
    expect(restarted.code, restarted.stderr).toBe(0);
    interface EnvJson {
      name: string;
      incident: string | null;
      operation: { kind: string; revision: number; holder: string } | null;
    }
    const production = async () => (JSON.parse((await suite.ok(['status', '--json', '--repo', dir]))) as { environments: EnvJson[] }).environments.find((e) => e.name === 'production')!;
    await waitFor(() => existsSync(join(labDir, 'held.pid')), 60_000, "beta's swap back held");
    const recovering = await production();
    expect(recovering.operation).toMatchObject({ kind: 'recovery', revision: 2, holder: 'daemon restart' });
    expect(recovering.incident).toMatch(/^#2 interrupted by a daemon restart; current is back on #1; putting the hosts back; axum deploy production --release rel-2 deploys it again$/);
    expect((await suite.ok(['status', '--repo', dir]))).toContain('recovery #2 in progress');
    const refused = await run(['rollback', 'production', '--to', '1', '--yes']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('production is busy: ask again once #2 has ended (recovery by daemon restart since');
    // A commit meanwhile is built and waits: nothing deploys while the hosts are put back.
    model(dir, '0.97');
    await waitForRun(dir, (r) => r.number === 3 && r.status === 'succeeded', 'run 3 built', 120_000);
    expect((await suite.history(dir)).map((r) => `#${r.revision} ${r.status}`)).toEqual(['#2 failed', '#1 live']);
    expect((await production()).operation).toMatchObject({ kind: 'recovery' });

    rmSync(join(labDir, 'hold-release'));
    const after = await suite.settled(dir, 3);
    expect(after.map((r) => `#${r.revision} ${r.status} ${r.releaseId}`)).toEqual(['#3 live rel-3', '#2 failed rel-2', '#1 superseded rel-1']);
    expect(suite.served()).toEqual(['releases/rel-3', 'releases/rel-3', 'releases/rel-3']);
    expect(readFileSync(join(dir, '.axum', 'daemon.log'), 'utf8')).toContain('production: #2 interrupted by a daemon restart; current is back on #1; every host is back on rel-1');
    expect((await production()).operation).toBeNull();
  });
});
