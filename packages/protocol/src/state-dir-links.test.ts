import { closeSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertNoStateLinks, mkdirNoFollow, openNoFollow, stateDirLinkProblem } from './state-dir-links.js';

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

/** A repository's `.axum/runs/run-9` planted as a link to a folder outside. */
function runLinkedOutside(): { dir: string; outside: string; state: string } {
  const dir = base();
  const outside = join(dir, 'outside');
  mkdirSync(outside);
  const state = join(dir, 'repo', '.axum');
  mkdirSync(join(state, 'runs'), { recursive: true });
  symlinkSync(outside, join(state, 'runs', 'run-9'));
  return { dir, outside, state };
}

describe('mkdirNoFollow', () => {
  it('makes every missing level, and finds the ones already there', () => {
    const state = join(base(), 'repo', '.axum');
    mkdirNoFollow(join(state, 'runs', 'run-1', 'logs'));
    mkdirNoFollow(join(state, 'runs', 'run-1', 'logs'));
    expect(lstatSync(join(state, 'runs', 'run-1', 'logs')).isDirectory()).toBe(true);
  });

  it('follows no link from .axum down, at any depth: ELOOP naming it, nothing made through it', () => {
    const { dir, outside, state } = runLinkedOutside();
    expect(() => mkdirNoFollow(join(state, 'runs', 'run-9', 'logs'))).toThrow(
      expect.objectContaining({ code: 'ELOOP', message: expect.stringContaining(`${join(state, 'runs', 'run-9')} is a symbolic link to ${outside}: `) }),
    );
    const linkedState = join(dir, 'clone', '.axum');
    mkdirSync(join(dir, 'clone'));
    symlinkSync(outside, linkedState);
    expect(() => mkdirNoFollow(join(linkedState, 'history'))).toThrow(expect.objectContaining({ code: 'ELOOP' }));
    expect(readdirSync(outside)).toEqual([]);
  });

  it('walks from the first .axum: a deeper one (an artifact path, a backed-up file) does not skip a link above it', () => {
    const { outside, state } = runLinkedOutside();
    expect(() => mkdirNoFollow(join(state, 'runs', 'run-9', '.axum', 'x'))).toThrow(expect.objectContaining({ code: 'ELOOP' }));
    expect(readdirSync(outside)).toEqual([]);
  });

  it('assertNoStateLinks checks a folder made earlier, making nothing: a link put there since throws', () => {
    const dir = base();
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    const state = join(dir, 'repo', '.axum');
    mkdirNoFollow(join(state, 'history', 'envs'));
    expect(() => assertNoStateLinks(join(state, 'history', 'envs'))).not.toThrow();
    rmSync(join(state, 'history'), { recursive: true });
    symlinkSync(outside, join(state, 'history'));
    expect(() => assertNoStateLinks(join(state, 'history', 'envs'))).toThrow(expect.objectContaining({ code: 'ELOOP', message: expect.stringContaining(`${join(state, 'history')} is a symbolic link to ${outside}`) }));
    expect(() => assertNoStateLinks(join(state, 'runs'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(readdirSync(outside)).toEqual([]);
    // Outside any state folder: nothing to check.
    expect(() => assertNoStateLinks(join(dir, 'elsewhere'))).not.toThrow();
  });

  it('refuses a file where a folder goes', () => {
    const state = join(base(), '.axum');
    mkdirSync(state);
    writeFileSync(join(state, 'envs'), '');
    expect(() => mkdirNoFollow(join(state, 'envs', 'dev'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
  });

  it('follows links outside the state folder, and above it, as mkdir -p does: they are the user\'s', () => {
    const dir = base();
    const disk = join(dir, 'disk');
    mkdirSync(disk);
    symlinkSync(disk, join(dir, 'models'));
    mkdirNoFollow(join(dir, 'models', 'prod'));
    expect(lstatSync(join(disk, 'prod')).isDirectory()).toBe(true);
    symlinkSync(disk, join(dir, 'repo'));
    mkdirNoFollow(join(dir, 'repo', '.axum', 'runs'));
    expect(lstatSync(join(disk, '.axum', 'runs')).isDirectory()).toBe(true);
  });
});
