import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { historyRemovalNotes } from './fs-history-removed.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A repository's `.axum` with its history and lock, and a runtime folder beside it. */
function folders() {
  const root = mkdtempSync(join(tmpdir(), 'axum-removed-'));
  dirs.push(root);
  const stateDir = join(root, 'repo', '.axum');
  const runtimeDir = join(root, 'runtime');
  mkdirSync(join(stateDir, 'history'), { recursive: true });
  mkdirSync(runtimeDir);
  writeFileSync(join(stateDir, 'daemon.pid'), '100');
  writeFileSync(join(stateDir, 'history', 'runs.json'), '{}');
  return { stateDir, runtimeDir };
}

const REMOVED = /^\.axum\/ was removed under the previous daemon \(pid 100\) at .* UTC: it stopped, and this daemon started with an empty history/;

describe('the note of a .axum removed under a daemon', () => {
  it('is said by the next daemon when the lock went while `git clean` was still emptying the folder', () => {
    const { stateDir, runtimeDir } = folders();
    const first = historyRemovalNotes(stateDir, runtimeDir, 100);
    // The lock file is gone, the folder not yet: the stopping daemon cannot tell what will become of it.
    rmSync(join(stateDir, 'daemon.pid'));
    first.leaveNote();
    rmSync(stateDir, { recursive: true });
    // The next command makes the folder again (whatever inode number it gets) and starts a daemon on it.
    mkdirSync(stateDir);
    const next = historyRemovalNotes(stateDir, runtimeDir, 200);
    expect(next.take()).toMatch(REMOVED);
    // Said once.
    expect(historyRemovalNotes(stateDir, runtimeDir, 300).take()).toBeNull();
  });

  it('is said when the folder was gone by the time the lock was missed', () => {
    const { stateDir, runtimeDir } = folders();
    const first = historyRemovalNotes(stateDir, runtimeDir, 100);
    rmSync(stateDir, { recursive: true });
    first.leaveNote();
    mkdirSync(stateDir);
    expect(historyRemovalNotes(stateDir, runtimeDir, 200).take()).toMatch(REMOVED);
  });

  it('is not said when only the lock file went: the next daemon starts on the same folder', () => {
    const { stateDir, runtimeDir } = folders();
    const first = historyRemovalNotes(stateDir, runtimeDir, 100);
    rmSync(join(stateDir, 'daemon.pid'));
    first.leaveNote();
    expect(historyRemovalNotes(stateDir, runtimeDir, 200).take()).toBeNull();
  });

  it('a note a daemon before the folder id left (it judged the folder removed) is still said', () => {
    const { stateDir, runtimeDir } = folders();
    writeFileSync(join(runtimeDir, 'history-removed.json'), JSON.stringify({ pid: 100, at: '2026-12-05T19:00:00.000Z' }));
    expect(historyRemovalNotes(stateDir, runtimeDir, 200).take()).toMatch(REMOVED);
  });
});
