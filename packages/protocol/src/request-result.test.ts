import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeResult } from './codec.js';
import { REQUEST_METHODS, type RequestMethod } from './client-message.js';
import { RESULT_SCHEMAS } from './request-result.js';

/** The golden daemon fixtures carry the views already: reuse them, so a view changes in one place. */
const golden = (file: string) => JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'daemon', file), 'utf8')) as Record<string, unknown>;
const state = golden('snapshot.json').state;
const run = golden('run-updated.json').run;
const environment = golden('environment-updated.json').environment;
const { type: _type, ...chunk } = golden('log-chunk.json');

const revision = {
  revision: 7,
  status: 'live',
  kind: 'rollback',
  releaseId: 'rel-9',
  commit: '1f7c4bd2a2b0e7a2ac8c0e5d5f60f8f23fa0ee11',
  rollbackTo: 3,
  verified: true,
  createdAt: '2026-11-29T10:05:00.000Z',
  finishedAt: '2026-11-29T10:05:09.000Z',
  by: 'axum rollback (pid 5151)',
  message: null,
  runId: null,
  metrics: { accuracy: 0.93 },
  gates: [{ metric: 'accuracy', op: '>=', threshold: 0.9, value: 0.93, lkgValue: 0.91, verdict: 'pass', reason: null, expression: '>= 0.9' }],
  steps: [{ stage: 'verify', name: 'smoke', status: 'succeeded', exitCode: 0, durationMs: 120, startedAt: '2026-11-29T10:05:01.000Z', logBytes: 40 }],
  checks: { total: 0, failed: 0 },
};
const release = {
  id: 'rel-9',
  runId: 'run-9',
  commit: '1f7c4bd2a2b0e7a2ac8c0e5d5f60f8f23fa0ee11',
  branch: 'main',
  subject: 'train: more data',
  createdAt: '2026-11-29T09:00:00.000Z',
  artifacts: [{ path: 'model.bin', sha256: 'a'.repeat(64), size: 1024 }],
  metrics: { accuracy: 0.91 },
  bad: null,
  marks: [],
  config: null,
};
const diff = {
  from: 'rel-7f3a',
  to: 'rel-9',
  commits: ['9fceb02d train: rebalance the classes'],
  direction: 'back',
  configKeys: ['verify.gates.accuracy'],
  artifacts: [{ path: 'model.bin', change: 'changed', fromSize: 2048, toSize: 1024 }],
  metrics: [{ name: 'accuracy', from: 0.93, to: 0.91 }],
};

/** A valid result for every method (typed by method, so a method without one does not compile). */
const VALID: { [M in RequestMethod]: unknown } = {
  ping: { pong: true },
  'state.get': state,
  'git.reconcile': { reconciled: true },
  'runs.list': [run],
  'run.get': run,
  'run.trigger': { ...(run as object), existing: false },
  'run.cancel': run,
  'logs.read': chunk,
  'logs.follow': { following: true },
  'logs.unfollow': { following: false },
  'history.get': [revision],
  'env.settled': [revision],
  'releases.diff': diff,
  'releases.fsck': { releases: 2, problems: [{ releaseId: 'rel-9', problem: 'model.bin: sha256 differs' }], environments: [{ env: 'staging', problem: 'current names rel-9, whose folder is missing' }], repaired: [{ releaseId: 'rel-8', repaired: 'materialized model.bin again from the store' }], rebuilt: null },
  'releases.list': [{ ...release, liveIn: ['staging'], verifiedIn: [{ env: 'staging', revision: 3 }], size: 2048 }],
  'backup.run': { targets: [{ target: '/mnt/nas/axum', ok: true, error: null, files: 7, sent: { files: 2, bytes: 4096 }, present: { files: 5, bytes: 9000 }, at: '2026-01-01T00:00:00.000Z' }] },
  'release.mark': { ...(release as object), unchanged: false },
  'env.deploy': { ...(revision as object), unchanged: false },
  'env.promote': { ...(revision as object), unchanged: false },
  'env.rollback': revision,
  'env.approve': revision,
  'env.pin': { ...(environment as object), deployed: null, note: null, unchanged: false },
  'daemon.shutdown': { stopping: true },
};

/** The object a mutation applies to: the result itself, or the first item of a list result. */
function target(result: unknown): Record<string, unknown> {
  const object = Array.isArray(result) ? (result[0] as unknown) : result;
  if (typeof object !== 'object' || object === null) throw new Error('fixture results are objects or non-empty lists of objects');
  return object as Record<string, unknown>;
}

/** A deep copy of `result` with its (first item's) first field changed by `change`. */
function mutate(result: unknown, change: (object: Record<string, unknown>, key: string) => void): unknown {
  const copy = structuredClone(result);
  const object = target(copy);
  change(object, Object.keys(object)[0]!);
  return copy;
}

describe('RESULT_SCHEMAS', () => {
  it('has one row per method, and no other', () => {
    expect(Object.keys(RESULT_SCHEMAS).sort()).toEqual([...REQUEST_METHODS].sort());
  });

  for (const method of REQUEST_METHODS) {
    describe(method, () => {
      it('accepts a valid result and gives it back unchanged', () => {
        const decoded = decodeResult(method, VALID[method]);
        expect(decoded).toEqual({ ok: true, result: VALID[method] });
      });

      it('rejects a result missing a field, naming the method and the field', () => {
        let missing = '';
        const broken = mutate(VALID[method], (object, key) => {
          missing = key;
          delete object[key];
        });
        const decoded = decodeResult(method, broken);
        expect(decoded.ok).toBe(false);
        if (!decoded.ok) expect(decoded.message).toContain(`answer to ${method} does not match its schema`);
        if (!decoded.ok) expect(decoded.message).toContain(missing);
      });

      it('rejects a result with a field of the wrong type', () => {
        const broken = mutate(VALID[method], (object, key) => {
          object[key] = { wrong: 'type' };
        });
        expect(decodeResult(method, broken).ok).toBe(false);
      });

      it('rejects something that is not a result at all', () => {
        expect(decodeResult(method, 'ok').ok).toBe(false);
        expect(decodeResult(method, null).ok).toBe(false);
      });
    });
  }

  it('tells the small answers apart: following true is not following false', () => {
    expect(decodeResult('logs.unfollow', { following: true }).ok).toBe(false);
    expect(decodeResult('logs.follow', { following: false }).ok).toBe(false);
    expect(decodeResult('ping', { pong: false }).ok).toBe(false);
  });

  it('checks the items of a list result, not only the first', () => {
    const decoded = decodeResult('runs.list', [run, { ...target(run), status: 'exploded' }]);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.message).toMatch(/result\.1\.status/);
  });
});
