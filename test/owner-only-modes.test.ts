// What Axum writes under `.axum/` and into a local backup target is its user's only (RELIABILITY.md):
// a step that saves its model private (umask 077) must not find it readable by other users in the
// release folder, the store, the backup or a restored `.axum`. Mode bits are what another user meets.
// Real daemon, real git, through bin/axum.
import { lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, commitFiles, scratchRepos, startDaemon, waitFor } from './support/axum.js';
import { readableByOthers } from './support/modes.js';
import { tinyModel } from './support/tiny-model.js';

const repo = scratchRepos(afterEach);
const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

async function ok(args: string[]): Promise<string> {
  const result = await axum(args, { timeoutMs: 60_000 });
  expect(result.code, `axum ${args.join(' ')}: ${result.stderr}${result.stdout}`).toBe(0);
  return result.stdout;
}

const mode = (path: string) => lstatSync(path).mode & 0o777;

describe('files Axum keeps are owner-only', () => {
  it('a model saved with umask 077: release file and store blob 0400, folders 0700, history and logs 0600, in .axum, the backup and a restored .axum', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'axum-modes-'));
    folders.push(parent);
    const target = join(parent, 'bk'); // made by the backup
    const dir = repo({ config: tinyModel({ train: ' && (umask 077 && echo secret > model/w.bin) && echo trained', extra: `backup: { to: [${target}], every: 24h }\n` }) });
    await startDaemon(dir);
    commitFiles(dir, 'model 0.9', { 'data.txt': '0.9\n' });
    await waitFor(async () => (await ok(['history', 'staging', '--json', '--repo', dir])).includes('"live"'), 60_000, 'revision 1 live');

    const released = join(dir, '.axum', 'envs', 'staging', 'current', 'model', 'w.bin');
    expect(mode(released)).toBe(0o400);
    expect(mode(join(dir, '.axum'))).toBe(0o700);
    expect(readableByOthers(join(dir, '.axum'))).toEqual([]);

    const report = JSON.parse(await ok(['backup', '--json', '--repo', dir])) as { targets: { ok: boolean; error: string | null }[] };
    expect(report.targets[0]?.ok, report.targets[0]?.error ?? '').toBe(true);
    expect(mode(target)).toBe(0o700);
    expect(mode(join(target, 'axum-backup.json'))).toBe(0o600);
    for (const name of readdirSync(join(target, 'objects'))) expect(mode(join(target, 'objects', name))).toBe(0o400);
    expect(readableByOthers(target)).toEqual([]);

    await ok(['daemon', 'stop', '--repo', dir]);
    rmSync(join(dir, '.axum'), { recursive: true, force: true });
    await ok(['restore', '--from', target, '--repo', dir]);
    expect(mode(join(dir, '.axum', 'history', 'releases.json'))).toBe(0o600);
    expect(mode(released)).toBe(0o400);
    expect(readableByOthers(join(dir, '.axum'))).toEqual([]);
  }, 180_000);
});
