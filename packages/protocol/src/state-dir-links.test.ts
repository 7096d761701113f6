import { closeSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openNoFollow, stateDirLinkProblem } from './state-dir-links.js';

const base = () => mkdtempSync(join(tmpdir(), 'axum-links-'));

describe('openNoFollow', () => {
  it('appends to, truncates and creates real files', () => {
    const file = join(base(), 'daemon.log');
    for (const [flags, text] of [['a', 'one\n'], ['a', 'two\n']] as const) {
      const fd = openNoFollow(file, flags);
      writeSync(fd, text);
      closeSync(fd);
    }
    expect(readFileSync(file, 'utf8')).toBe('one\ntwo\n');
    closeSync(openNoFollow(file, 'w'));
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('never writes through a link: ELOOP, naming the link, its target and what to do; the target untouched', () => {
    const dir = base();
    const victim = join(dir, 'bashrc');
    writeFileSync(victim, 'kept\n');
    const link = join(dir, 'daemon.log');
    symlinkSync(victim, link);
    for (const flags of ['a', 'w'] as const) {
      expect(() => openNoFollow(link, flags)).toThrow(expect.objectContaining({ code: 'ELOOP', message: expect.stringContaining(`${link} is a symbolic link to ${victim}: `) }));
    }
    expect(() => openNoFollow(link, 'wx')).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(readFileSync(victim, 'utf8')).toBe('kept\n');
  });
});

describe('stateDirLinkProblem', () => {
  it('accepts a missing or real folder and names a link as the folder or at its top', () => {
    const dir = base();
    const state = join(dir, '.axum');
    expect(stateDirLinkProblem(state)).toBeNull();
    mkdirSync(join(state, 'runs', 'run-1'), { recursive: true });
    writeFileSync(join(state, 'daemon.log'), '');
    expect(stateDirLinkProblem(state)).toBeNull();
    symlinkSync(dir, join(state, 'history'));
    expect(stateDirLinkProblem(state)).toBe(`${join(state, 'history')} is a symbolic link to ${dir}: Axum never follows a link in its state folder (a cloned repository can plant one to make it write elsewhere); remove the link (rm ${join(state, 'history')}) and run the command again`);
    const linked = join(dir, 'linked');
    symlinkSync(state, linked);
    expect(stateDirLinkProblem(linked)).toContain(`${linked} is a symbolic link to ${state}`);
  });
});
