import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { branchNameProblem } from './branch-name.js';
import { decodeClientMessage } from './codec.js';

const trigger = (params: Record<string, unknown>) => decodeClientMessage(JSON.stringify({ type: 'request', id: 'r1', method: 'run.trigger', params }));

describe('run.trigger branch', () => {
  it('is a branch name git allows, or absent', () => {
    for (const name of ['main', 'feature/x', 'release-1.2', 'refs/heads/x']) expect(trigger({ branch: name })).toMatchObject({ ok: true });
    expect(trigger({})).toMatchObject({ ok: true });
  });

  it('a hostile value is refused as invalid params, naming the param', () => {
    for (const hostile of ['../x', '-x', '--upload-pack=sh', 'refs/../../etc', 'main\nx', 'a\u0000b', 'a\u001bb', 'a\u007fb', 'x y', 'main~1', '@', '.hidden', 'x.lock', '', 'x'.repeat(256), 5, null]) {
      const decoded = trigger({ branch: hostile });
      expect(decoded, JSON.stringify(hostile)).toMatchObject({ ok: false, code: 'invalid-params', id: 'r1' });
      expect(!decoded.ok && decoded.message, JSON.stringify(hostile)).toMatch(/^params\.branch: /);
    }
  });

  it('never lets through a name git would refuse (asked of git itself for every name it lets through)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.stringMatching(/^[a-z./@{}~^:-]{1,12}$/)), (name) => {
        const ok = trigger({ branch: name }).ok;
        expect(ok).toBe(name.length > 0 && branchNameProblem(name) === null);
        if (ok) expect(gitAllows(name), name).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('run.trigger checkedOut', () => {
  it('is a branch name git allows, null (HEAD detached where the client runs) or absent', () => {
    for (const name of ['main', 'feature/x', 'release-1.2', 'refs/heads/x']) expect(trigger({ checkedOut: name, commit: 'abcd' })).toMatchObject({ ok: true });
    expect(trigger({ checkedOut: null, commit: 'abcd' })).toMatchObject({ ok: true });
    expect(trigger({ commit: 'abcd' })).toMatchObject({ ok: true });
  });

  it('a hostile value is refused as invalid params, naming the param', () => {
    for (const hostile of ['../x', '-x', '--upload-pack=sh', 'refs/..', 'refs/../../etc', 'main\nx', 'a\u0000b', 'a\u001bb', 'x y', 'main~1', 'main:path', '@', 'a@{1}', '.hidden', 'x.lock', 'x/', '', 'x'.repeat(256), 5, {}]) {
      const decoded = trigger({ checkedOut: hostile, commit: 'abcd' });
      expect(decoded, JSON.stringify(hostile)).toMatchObject({ ok: false, code: 'invalid-params', id: 'r1' });
      expect(!decoded.ok && decoded.message).toMatch(/checkedOut/);
    }
  });

  it('never lets through a name git would refuse', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (name) => {
        const decoded = trigger({ checkedOut: name });
        expect(decoded.ok).toBe(name.length > 0 && branchNameProblem(name) === null);
        if (!decoded.ok) return;
        expect(name).not.toMatch(/\.\.|^-/);
        expect([...name].some((c) => c.charCodeAt(0) <= 0x20 || c.charCodeAt(0) === 0x7f)).toBe(false);
      }),
    );
  });
});

/** `git check-ref-format --branch`: git's own rule for a branch name. */
function gitAllows(name: string): boolean {
  try {
    execFileSync('git', ['check-ref-format', '--branch', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
