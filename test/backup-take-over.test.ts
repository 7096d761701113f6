// Taking over a backup target is destructive for the repository whose backups it holds: `axum
// backup --take-over` asks on a terminal and needs --yes off one (exit 2); `axum restore --list`
// names the repository each backup was taken from. Real daemons, real folders, a real terminal (tmux).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { axum, AXUM_BIN, scratchRepos, startDaemon, waitFor } from './support/axum.js';
import { tinyModelConfig } from './support/tiny-model.js';
import { HAS_TMUX, tmuxServer } from './support/tmux.js';

const repo = scratchRepos(afterEach);
const server = tmuxServer('axum-take-over');
const folders: string[] = [];
afterAll(() => server.kill());
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

async function backingUpTo(target: string): Promise<string> {
  const dir = repo({ config: tinyModelConfig(`backup: { to: [${target}], every: 24h }\n`) });
  await startDaemon(dir);
  return dir;
}
/** The repository the target's newest backup names. */
const owner = (target: string) => (JSON.parse(readFileSync(join(target, 'axum-backup.json'), 'utf8')) as { manifest: { repository: string } }).manifest.repository;

/** Runs `axum ARGS` in a real terminal, types `answer` once it asks, and returns the screen once it exits. */
async function answered(session: string, args: string, answer: string): Promise<string> {
  server.tmux('new-session', '-d', '-s', session, '-x', '200', '-y', '30', `${process.execPath} ${AXUM_BIN} ${args}; echo "exit $?"; sleep 60`);
  await waitFor(() => server.screen(session).includes('[y/N]'), 20_000, 'the question');
  server.tmux('send-keys', '-t', session, answer, 'Enter');
  let screen = '';
  await waitFor(() => /exit \d/.test((screen = server.screen(session))), 60_000, 'the command to end').catch((err: Error) => {
    throw new Error(`${err.message}\n${screen}`);
  });
  return screen;
}

describe('a backup target that holds another repository’s backups', () => {
  it.skipIf(!HAS_TMUX)('--take-over asks first (--yes off a terminal, exit 2); restore --list names each backup’s repository', async () => {
    const target = mkdtempSync(join(tmpdir(), 'axum-take-over-'));
    folders.push(target);
    const first = await backingUpTo(target);
    expect((await axum(['backup', '--repo', first])).code).toBe(0);
    const second = await backingUpTo(target);

    const blind = await axum(['backup', '--take-over', '--repo', second]);
    console.log(`FIGURE take-over off a terminal: exit ${blind.code}: ${blind.stderr.trim()}`);
    expect(blind.code).toBe(2);
    expect(blind.stderr).toContain("--take-over asks first (it would take over every backup.to target that holds another repository's backups");
    expect(blind.stderr).toContain('add --yes');
    expect(owner(target)).toBe(first);

    const no = await answered('no', `backup --take-over --repo ${second}`, 'n');
    expect(no).toContain("take over every backup.to target that holds another repository's backups");
    expect(no).toContain('not confirmed; nothing changed');
    expect(no).toContain('exit 1');
    expect(owner(target)).toBe(first);

    const yes = await answered('yes', `backup --take-over --repo ${second}`, 'y');
    expect(yes).toContain(`backed up to ${target}`);
    expect(yes).toContain('exit 0');
    expect(owner(target)).toBe(second);

    const listed = await axum(['restore', '--from', target, '--list', '--repo', second]);
    expect(listed.code, listed.stderr).toBe(0);
    console.log(`FIGURE restore --list:\n${listed.stdout}`);
    const lines = listed.stdout.split('\n').filter((l) => l.startsWith('  '));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(`from ${second}  (newest: restored by default)`);
    expect(lines[1]).toContain(`from ${first}`);
    const json = JSON.parse((await axum(['restore', '--from', target, '--list', '--json', '--repo', second])).stdout) as { snapshots: { repository: string }[] };
    expect(json.snapshots.map((s) => s.repository)).toEqual([second, first]);
  }, 120_000);
});
