// Reconciliation (ARCHITECTURE.md, glossary: Live): at every start the daemon compares each
// environment's `current` with its history; a disagreement is an incident naming both facts, shown
// by `axum status` (plain and --json) and the TUI — and `current` is left as it is.
import { mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AXUM_BIN, axum, cleanupRepo, commitFiles, makeRepo, openClient, waitFor } from './support/axum.js';
import { HAS_TMUX, tmuxServer } from './support/tmux.js';
import { tinyModelConfig } from './support/tiny-model.js';

const CONFIG = tinyModelConfig();

const repos: string[] = [];
const server = tmuxServer('axum-reconcile');
afterEach(async () => {
  await Promise.all(repos.splice(0).map(cleanupRepo));
});
afterAll(() => server.kill());

interface StatusJson {
  environments: { name: string; incident: string | null; live: { revision: number; releaseId: string } | null }[];
}
async function status(dir: string): Promise<{ plain: string; env: StatusJson['environments'][number] | undefined }> {
  const plain = await axum(['status', '--repo', dir]);
  const json = await axum(['status', '--json', '--repo', dir]);
  expect(json.code, json.stderr).toBe(0);
  return { plain: plain.stdout, env: (JSON.parse(json.stdout) as StatusJson).environments.find((e) => e.name === 'staging') };
}

/** v1 then v2 deployed to staging: #2 (rel-2) live, #1 (rel-1) superseded. */
async function twoDeploys(): Promise<string> {
  const dir = makeRepo({ config: CONFIG });
  repos.push(dir);
  commitFiles(dir, 'data', { 'data.txt': '0.85\n' });
  expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
  for (const [n, value] of ['0.86', '0.9'].entries()) {
    commitFiles(dir, `v${n + 1}`, { 'data.txt': `${value}\n` });
    await waitFor(async () => (await status(dir)).env?.live?.revision === n + 1, 30_000, `#${n + 1} live`);
  }
  return dir;
}
const link = (dir: string) => join(dir, '.axum', 'envs', 'staging', 'current');
async function restart(dir: string): Promise<void> {
  expect((await axum(['daemon', 'stop', '--repo', dir])).code).toBe(0);
  expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
}

describe('reconciliation at start', () => {
  it('the folder current names removed by hand: an incident in status, --json and the TUI; nothing repaired', async () => {
    const dir = await twoDeploys();
    const target = readlinkSync(link(dir));
    const folder = resolve(dirname(link(dir)), target);
    expect(folder).toMatch(/rel-2/);
    rmSync(folder, { recursive: true, force: true });
    await restart(dir);
    const expected = 'current and history disagree: current names rel-2, whose folder is gone; history says #2 (rel-2) is live';
    await waitFor(async () => (await status(dir)).env?.incident === expected, 15_000, 'the incident');
    const { plain } = await status(dir);
    expect(plain).toContain(`incident     staging: ${expected}`);
    expect(readlinkSync(link(dir))).toBe(target); // reported, never repaired silently
    if (HAS_TMUX) {
      server.tmux('new-session', '-d', '-s', 'gone', '-x', '220', '-y', '30', `${process.execPath} ${AXUM_BIN} --repo ${dir}; sleep 30`);
      await waitFor(() => server.screen('gone').includes(`! staging: ${expected}`), 20_000, 'the incident line in the TUI');
    }
  }, 120_000);

  it('current pointed at another release by hand (ln -sfn): an incident naming both', async () => {
    const dir = await twoDeploys();
    const target = readlinkSync(link(dir));
    const other = target.replace('rel-2', 'rel-1');
    expect(other).not.toBe(target);
    // ln -sfn: a new link renamed over the old one.
    symlinkSync(other, `${link(dir)}.by-hand`);
    renameSync(`${link(dir)}.by-hand`, link(dir));
    await restart(dir);
    const expected = 'current and history disagree: current names rel-1 but history says #2 (rel-2) is live (to serve it again: axum deploy staging --release rel-2 --again, or axum rollback staging)';
    await waitFor(async () => (await status(dir)).env?.incident === expected, 15_000, 'the incident');
    expect(readlinkSync(link(dir))).toBe(other);
    // Put right by hand, it is seen at the next start, and the incident goes.
    symlinkSync(target, `${link(dir)}.by-hand`);
    renameSync(`${link(dir)}.by-hand`, link(dir));
    await restart(dir);
    await waitFor(async () => (await status(dir)).env?.incident === null, 15_000, 'the incident to go');
  }, 120_000);
});

describe('reconciliation while the daemon runs', () => {
  it('current removed by hand: status shows the incident with how to serve it again, no restart or fsck; deploy --again puts it back', async () => {
    const dir = await twoDeploys();
    rmSync(link(dir));
    const expected = 'current and history disagree: current is missing but history says #2 (rel-2) is live (to serve it again: axum deploy staging --release rel-2 --again, or axum rollback staging)';
    await waitFor(async () => (await status(dir)).env?.incident === expected, 15_000, 'the incident in status');
    expect((await status(dir)).plain).toContain(`incident     staging: ${expected}`);
    const again = await axum(['deploy', 'staging', '--release', 'rel-2', '--again', '--repo', dir]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(readlinkSync(link(dir))).toMatch(/rel-2/);
    await waitFor(async () => (await status(dir)).env?.incident === null, 15_000, 'the incident to go');
    // Gone from status, kept in the event log (every terminal's `e`, and one attached later).
    const client = await openClient(dir);
    const snapshot = client.messages.find((m) => (m as { type: string }).type === 'snapshot') as { state: { activity: { what: string }[] } };
    client.ws.close();
    expect(snapshot.state.activity.map((a) => a.what)).toContain(`staging: incident resolved: ${expected}`);
  }, 120_000);

  it('current pointed by hand at another release (ln -sfn): status and fsck (also --repair, which leaves it) name the disagreement and its fix, exit 1; deploy --again puts it back', async () => {
    const dir = await twoDeploys();
    const target = readlinkSync(link(dir));
    const other = target.replace('rel-2', 'rel-1');
    symlinkSync(other, `${link(dir)}.tmp`);
    renameSync(`${link(dir)}.tmp`, link(dir));
    const expected = 'current and history disagree: current names rel-1 but history says #2 (rel-2) is live (to serve it again: axum deploy staging --release rel-2 --again, or axum rollback staging)';
    await waitFor(async () => (await status(dir)).env?.incident === expected, 15_000, 'the incident in status');
    for (const args of [['fsck'], ['fsck', '--repair']]) {
      const fsck = await axum([...args, '--repo', dir], { timeoutMs: 60_000 });
      expect({ code: fsck.code, stdout: fsck.stdout }).toEqual({ code: 1, stdout: `1 environment with an incident:\n  staging: ${expected}\n` });
      expect(readlinkSync(link(dir))).toBe(other); // said, never moved: which side is right is a person's call
    }
    const json = JSON.parse((await axum(['fsck', '--json', '--repo', dir], { timeoutMs: 60_000 })).stdout) as { environments: { env: string; problem: string }[] };
    expect(json.environments).toEqual([{ env: 'staging', problem: expected }]);
    const again = await axum(['deploy', 'staging', '--release', 'rel-2', '--again', '--repo', dir]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(readlinkSync(link(dir))).toMatch(/rel-2/);
    await waitFor(async () => (await status(dir)).env?.incident === null, 15_000, 'the incident to go');
    const clean = await axum(['fsck', '--repo', dir], { timeoutMs: 60_000 });
    expect(clean.code, clean.stdout).toBe(0);
    expect(clean.stdout).toContain('every current names a complete release, the one its history says is live');
  }, 180_000);

  it('current pointed by hand at a folder that is no release: an incident naming it', async () => {
    const dir = await twoDeploys();
    const elsewhere = join(dir, '..', 'elsewhere');
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, `${link(dir)}.by-hand`);
    renameSync(`${link(dir)}.by-hand`, link(dir));
    const expected = `current and history disagree: current names ${elsewhere}, which is no release folder; history says #2 (rel-2) is live (to serve it again: axum deploy staging --release rel-2 --again, or axum rollback staging)`;
    await waitFor(async () => (await status(dir)).env?.incident === expected, 15_000, 'the incident in status');
  }, 120_000);
});

describe("the daemon's own swaps", () => {
  it('twelve deploys by hand alternating two releases, each swap seen by the current-watcher: never an incident, no disagreement logged', async () => {
    const dir = await twoDeploys();
    const live = (await status(dir)).env!.live!;
    const other = live.releaseId === 'rel-2' ? 'rel-1' : 'rel-2';
    for (let i = 0; i < 12; i++) {
      const release = i % 2 === 0 ? other : live.releaseId;
      const deployed = await axum(['deploy', 'staging', '--release', release, '--yes', '--json', '--repo', dir]);
      expect(deployed.code, deployed.stdout).toBe(0);
      expect(readlinkSync(link(dir))).toContain(`${release}/files`);
      expect((await status(dir)).env?.incident ?? null, `after swap ${i + 1}`).toBeNull();
    }
    expect(readFileSync(join(dir, '.axum', 'daemon.log'), 'utf8')).not.toContain('disagree');
  }, 180_000);
});
