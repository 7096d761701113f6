// What the daemon takes as seen per branch, and the two orders of `git commit && axum run`: the
// ref's hint before the request, or the request before the hint. One run of the commit either way.
import { afterEach, describe, expect, it } from 'vitest';
import type { PipelineConfig } from '@axum/protocol';
import { deployWorlds } from './testing/deploy-world.js';
import { createFakePipeline, parsedConfig as parsed } from './testing/fake-pipeline.js';

const YAML = `version: 1
environments:
  dev: { branch: develop }
  staging: { branch: staging }
stages:
  - name: build
    steps:
      - { name: train, run: train }
`;
const WITH_STAGING = parsed(YAML);
const WITHOUT_STAGING = parsed(YAML.replace('  staging: { branch: staging }\n', ''));
const world = deployWorlds(afterEach);
const sha = (c: string) => c.repeat(40);

/**
 * A pipeline on fakes. `listed` is what a read of all the heads finds (the watcher's reconciliation),
 * `current` what a read of one branch finds (`axum run`'s): apart, they are a move that lands
 * between the two reads. Every run stays running at its config read until `release()`.
 */
async function pipelineOn(config: PipelineConfig) {
  const w = world(parsed(YAML));
  const listed = new Map([['develop', sha('a')], ['staging', sha('s')]]);
  const current = new Map(listed);
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const reads = { heads: 0 };
  const { pipeline, doc } = createFakePipeline(w, {
    heads: async () => (reads.heads++, new Map(listed)),
    head: async (branch: string) => current.get(branch) ?? null,
    currentBranch: async () => 'develop',
    isAncestor: async () => 'ancestor' as const,
    skippedCommits: async (from: string, to: string) => (from === sha('a') && to === sha('c') ? [sha('b')] : from === sha('s') && to === sha('u') ? [sha('t')] : []),
    showFile: async (_commit: string, file: string) => (await held, file === 'axum.yml' ? YAML : null),
  });
  pipeline.setConfig(config);
  await pipeline.start();
  await pipeline.reconcile(); // the first: heads taken as seen
  /** Both reads find `head` on `branch`. */
  const move = (branch: string, head: string) => {
    listed.set(branch, head);
    current.set(branch, head);
  };
  const stop = async () => {
    release();
    await pipeline.stop();
  };
  return { pipeline, doc, reads, listed, current, move, stop, runsOf: (commit: string) => pipeline.list(50).filter((r) => r.commit === commit) };
}

describe('the head seen per branch', () => {
  it('a branch no environment of the config in use is fed by keeps its seen head; declared again, its head is queued at once, once', async () => {
    const p = await pipelineOn(WITHOUT_STAGING);
    p.move('staging', sha('u')); // two commits, t then u, while staging is not declared
    await p.pipeline.reconcile();
    expect(p.runsOf(sha('u'))).toEqual([]);
    expect(p.doc.heads?.staging).toBe(sha('s'));

    p.pipeline.setConfig(WITH_STAGING); // no ref moved: the config alone catches up
    await p.pipeline.reconcile(); // joins the reconciliation the config asked for, or finds nothing new
    const [run, ...more] = p.runsOf(sha('u'));
    expect(more).toEqual([]);
    expect(run).toMatchObject({ branch: 'staging', env: 'staging', trigger: 'push' });
    expect(p.runsOf(sha('t'))).toMatchObject([{ status: 'superseded', message: `superseded by ${run!.id} (uuuuuuuu)` }]);
    expect(p.doc.heads?.staging).toBe(sha('u'));
    await p.stop();
  });

  it('a config that declares a branch again reconciles by itself, with no hint', async () => {
    const p = await pipelineOn(WITHOUT_STAGING);
    p.move('staging', sha('u'));
    await p.pipeline.reconcile();
    const before = p.reads.heads;
    p.pipeline.setConfig(WITH_STAGING);
    // Nothing else asked: the config itself started a reconciliation (the heads were read at once).
    expect(p.reads.heads).toBe(before + 1);
    await p.pipeline.reconcile(); // joins it
    expect(p.runsOf(sha('u'))).toHaveLength(1);
    // A config that feeds no new branch reads nothing.
    const after = p.reads.heads;
    p.pipeline.setConfig(WITH_STAGING);
    expect(p.reads.heads).toBe(after);
    await p.stop();
  });
});

describe('git commit && axum run', () => {
  it('the request before the hint: axum run is answered with the push run of the head, not a second run', async () => {
    const p = await pipelineOn(WITH_STAGING);
    p.move('develop', sha('c'));
    const answer = await p.pipeline.trigger({ by: 'ana' });
    expect(answer).toMatchObject({ existing: true, trigger: 'push', commit: sha('c') });
    await p.pipeline.reconcile(); // the hint arrives now
    expect(p.runsOf(sha('c'))).toHaveLength(1);
    await p.stop();
  });

  it('the head moved between the reads: the hint after axum run queues no second run, and lists what the head passed over', async () => {
    const p = await pipelineOn(WITH_STAGING);
    p.current.set('develop', sha('c')); // axum run reads the new head; the listing does not show it yet
    const answer = await p.pipeline.trigger({ by: 'ana' });
    expect(answer).toMatchObject({ existing: false, trigger: 'manual', commit: sha('c') });
    p.listed.set('develop', sha('c'));
    await p.pipeline.reconcile();
    expect(p.runsOf(sha('c'))).toMatchObject([{ trigger: 'manual' }]);
    const manual = p.runsOf(sha('c'))[0]!;
    expect(p.runsOf(sha('b'))).toMatchObject([{ status: 'superseded', message: `superseded by ${manual.id} (cccccccc)` }]);
    // --again asks for a new run on purpose.
    expect(await p.pipeline.trigger({ by: 'ana', again: true })).toMatchObject({ existing: false, trigger: 'manual', commit: sha('c') });
    expect(p.runsOf(sha('c'))).toHaveLength(2);
    await p.stop();
  });

  it('a head reset back onto a commit still being built: the queued push run of the commit it left is superseded by the running one', async () => {
    const p = await pipelineOn(WITH_STAGING);
    p.move('develop', sha('c'));
    await p.pipeline.reconcile();
    const building = p.runsOf(sha('c'))[0]!;
    for (let i = 0; i < 1000 && p.runsOf(sha('c'))[0]!.status !== 'running'; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(p.runsOf(sha('c'))).toMatchObject([{ status: 'running', trigger: 'push' }]);
    p.move('develop', sha('d'));
    await p.pipeline.reconcile();
    expect(p.runsOf(sha('d'))).toMatchObject([{ status: 'queued', trigger: 'push' }]);
    p.move('develop', sha('c')); // git reset --hard HEAD~1
    await p.pipeline.reconcile();
    expect(p.runsOf(sha('d'))).toMatchObject([{ status: 'superseded', message: `superseded by ${building.id} (cccccccc)` }]);
    expect(p.runsOf(sha('c'))).toMatchObject([{ id: building.id, status: 'running' }]);
    await p.stop();
  });
});
