// A cloned repository may commit links inside `.axum/` (or `.axum` itself as one) to make Axum
// write where it points: its log appended to `~/.bashrc`, its records into any folder. Axum
// follows no link there: the start (and a restore) is refused, naming the link and what to do, and nothing is
// written through it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, axum, daemonProcessesFor, runsOnDisk, scratchRepos, startDaemon, waitForRun } from './support/axum.js';
import { tinyModelConfig } from './support/tiny-model.js';

const repo = scratchRepos(afterEach);
const outside: string[] = [];
afterEach(() => {
  for (const dir of outside.splice(0)) {
    // Only a daemon that wrote through a link would be running here (the code before the fix).
    for (const pid of daemonProcessesFor(dir)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

function outsideDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'axum-victim-'));
  outside.push(dir);
  return dir;
}

/** A clone of a repository that commits `path` (under `.axum`) as a link to `target`. */
function cloneWithLink(path: string, target: string): string {
  const upstream = repo();
  mkdirSync(join(upstream, '.axum'), { recursive: true });
  if (path === '.axum') rmSync(join(upstream, '.axum'), { recursive: true });
  symlinkSync(target, join(upstream, path));
  execFileSync('git', ['add', '-f', path], { cwd: upstream });
  execFileSync('git', ['commit', '-q', '-m', 'helpful defaults'], { cwd: upstream });
  const clone = join(upstream, '..', `clone-${Math.random().toString(36).slice(2)}`);
  execFileSync('git', ['clone', '-q', upstream, clone]);
  outside.push(clone);
  return clone;
}

describe('links a cloned repository commits in .axum are never followed', () => {
  it('`axum status` with .axum/daemon.log a link to a file outside: refused, naming it; the file is not written', async () => {
    const victim = join(outsideDir(), 'bashrc');
    writeFileSync(victim, 'export PS1=ok\n');
    const clone = cloneWithLink('.axum/daemon.log', victim);
    const result = await axum(['status', '--repo', clone]);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain(`${join(clone, '.axum', 'daemon.log')} is a symbolic link to ${victim}`);
    expect(result.stderr).toContain(`rm ${join(clone, '.axum', 'daemon.log')}`);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(readFileSync(victim, 'utf8')).toBe('export PS1=ok\n');
    expect(daemonProcessesFor(clone)).toEqual([]);
  });

  it('`axum status` with .axum itself a link to a folder outside: refused; nothing is written there', async () => {
    const elsewhere = outsideDir();
    const clone = cloneWithLink('.axum', elsewhere);
    const result = await axum(['status', '--repo', clone]);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain(`${join(clone, '.axum')} is a symbolic link to ${elsewhere}`);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(daemonProcessesFor(clone)).toEqual([]);
  });

  it('the daemon started by hand refuses a linked folder at the top of .axum (runs, history): nothing written there', () => {
    const elsewhere = outsideDir();
    const clone = cloneWithLink('.axum/history', elsewhere);
    const daemonMain = join(ROOT, 'packages', 'daemon', 'dist', 'axum-daemon.mjs');
    const started = spawnSync(process.execPath, [daemonMain, '--axum-daemon', '--repo', clone], { encoding: 'utf8', timeout: 30_000 });
    expect(started.status, started.stderr).toBe(1);
    expect(started.stderr).toContain(`refusing to start: ${join(clone, '.axum', 'history')} is a symbolic link to ${elsewhere}`);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('`axum status` with a link committed deeper (.axum/runs/run-1/logs → a folder outside): the daemon refuses to start, naming it', async () => {
    const elsewhere = outsideDir();
    const upstream = repo();
    mkdirSync(join(upstream, '.axum', 'runs', 'run-1'), { recursive: true });
    symlinkSync(elsewhere, join(upstream, '.axum', 'runs', 'run-1', 'logs'));
    execFileSync('git', ['add', '-f', '.axum/runs/run-1/logs'], { cwd: upstream });
    execFileSync('git', ['commit', '-q', '-m', 'helpful defaults'], { cwd: upstream });
    const clone = join(upstream, '..', `clone-${Math.random().toString(36).slice(2)}`);
    execFileSync('git', ['clone', '-q', upstream, clone]);
    outside.push(clone);
    const result = await axum(['status', '--repo', clone]);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain(`refusing to start: ${join(clone, '.axum', 'runs', 'run-1', 'logs')} is a symbolic link to ${elsewhere}`);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(daemonProcessesFor(clone)).toEqual([]);
  });
});

describe('axum restore follows no link in .axum either', () => {
  /** A whole backup in a folder outside, of a repository with a history; the repository's daemon stopped. */
  async function backupFolder(): Promise<{ dir: string; target: string }> {
    const target = outsideDir();
    const dir = repo({ config: tinyModelConfig(`backup: { to: [${target}], every: 24h }\n`) });
    const backedUp = await axum(['backup', '--repo', dir], { timeoutMs: 60_000 });
    expect(backedUp.code, backedUp.stderr).toBe(0);
    expect((await axum(['daemon', 'stop', '--repo', dir])).code).toBe(0);
    return { dir, target };
  }

  /** A clone of `dir` whose `path` (`.axum`, or an entry at its top) is a link to a folder outside, made after the clone. */
  function cloneLinking(dir: string, path: string): { clone: string; elsewhere: string } {
    const clone = join(outsideDir(), 'clone');
    execFileSync('git', ['clone', '-q', dir, clone]);
    const elsewhere = outsideDir();
    if (path !== '.axum') mkdirSync(join(clone, '.axum'));
    symlinkSync(elsewhere, join(clone, path));
    return { clone, elsewhere };
  }

  it.each(['.axum', '.axum/history'])('with %s a link to a folder outside: refused (exit 1) naming it and what to do; nothing is written through it', async (path) => {
    const { dir, target } = await backupFolder();
    const { clone, elsewhere } = cloneLinking(dir, path);
    const result = await axum(['restore', '--from', target, '--repo', clone], { timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(`${join(clone, path)} is a symbolic link to ${elsewhere}`);
    expect(result.stderr).toContain(`rm ${join(clone, path)}`);
    expect(result.stderr).toContain('nothing was written');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(daemonProcessesFor(clone)).toEqual([]);
  });
});

describe('a link planted in .axum under a running daemon is not followed either', () => {
  // A link git tracks there stops the daemon when it is checked out (test/tracked-state.test.ts);
  // one made otherwise (by hand, by a tool) is refused where the run's folder is made.
  it('.axum/runs/run-N made a link while the daemon runs: run-N fails naming it, nothing is written outside', async () => {
    const elsewhere = outsideDir();
    const dir = repo();
    await startDaemon(dir);
    const next = Number(runsOnDisk(dir).nextRunNumber ?? 1);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
    mkdirSync(join(dir, '.axum', 'runs'), { recursive: true });
    symlinkSync(elsewhere, join(dir, '.axum', 'runs', `run-${next}`));
    // Then main moves on (a fetch, a merge elsewhere): its push run is run-N.
    const commit = git('commit-tree', 'main^{tree}', '-p', 'main', '-m', 'next model');
    git('update-ref', 'refs/heads/main', commit);
    const run = await waitForRun(dir, (r) => r.number === next && !['queued', 'running'].includes(r.status), `run-${next} to end`, 60_000);
    expect(run.status).toBe('failed');
    const shown = await axum(['runs', '--repo', dir]);
    expect(`${shown.stdout}${(await axum(['logs', run.id, '--repo', dir])).stderr}`).toContain(`${join(dir, '.axum', 'runs', `run-${next}`)} is a symbolic link to ${elsewhere}`);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('.axum/history swapped for a link after the daemon made it (git replaces an ignored folder so): no record is written through it', async () => {
    const elsewhere = outsideDir();
    const dir = repo();
    await startDaemon(dir);
    expect((await axum(['run', '--wait', '--repo', dir], { timeoutMs: 60_000 })).code).toBe(0);
    const aside = join(elsewhere, '..', `${elsewhere.split('/').pop()}-aside`);
    renameSync(join(dir, '.axum', 'history'), aside);
    outside.push(aside);
    symlinkSync(elsewhere, join(dir, '.axum', 'history'));
    // The runs journal the daemon holds open moved with the folder: a line written there no start reads.
    const journal = readFileSync(join(aside, 'runs.journal'), 'utf8');
    execFileSync('git', ['commit', '-q', '--allow-empty', '-m', 'next model'], { cwd: dir });
    const result = await axum(['run', '--wait', '--repo', dir], { timeoutMs: 60_000 });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`could not be recorded: ${join(dir, '.axum', 'history')} is a symbolic link to ${elsewhere}`);
    expect(result.stderr).toContain(`rm ${join(dir, '.axum', 'history')}`);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(readFileSync(join(aside, 'runs.journal'), 'utf8')).toBe(journal);
  });
});
