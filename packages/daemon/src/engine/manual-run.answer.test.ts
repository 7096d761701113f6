// Build once, promote: `axum run` of a commit its branch has a run of already is answered with that
// run (queued, running, or succeeded), not a second run; one that failed is run again.
import { afterEach, describe, expect, it } from 'vitest';
import type { RunView } from '@axum/protocol';
import { deployWorlds } from './testing/deploy-world.js';
import { createFakePipeline, parsedConfig as parsed } from './testing/fake-pipeline.js';

const YAML = `version: 1
environments:
  dev: { branch: develop }
stages:
  - name: build
    steps:
      - { name: train, run: train }
`;
const world = deployWorlds(afterEach);
const HEAD = 'c'.repeat(40);

async function pipelineAt() {
  const w = world(parsed(YAML));
  const { pipeline } = createFakePipeline(w, {
    heads: async () => new Map([['develop', HEAD]]),
    head: async (branch: string) => (branch === 'develop' ? HEAD : null),
    currentBranch: async () => 'develop',
    resolveCommit: async (rev: string) => (HEAD.startsWith(rev) ? HEAD : null),
    isAncestor: async () => 'ancestor' as const,
    showFile: async (_commit: string, file: string) => (file === 'axum.yml' ? YAML : null),
  });
  pipeline.setConfig(parsed(YAML));
  await pipeline.start();
  /** The run once it has finished (the fake steps end at once). */
  const finished = async (id: string): Promise<RunView> => {
    for (let i = 0; i < 10_000; i++) {
      const run = pipeline.get(id) as RunView;
      if (!['queued', 'running'].includes(run.status)) return run;
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new Error(`${id} never finished`);
  };
  return { w, pipeline, finished };
}

describe('a manual run of a commit already built for its branch', () => {
  it('is answered with the run that built it, unless --again or --rebuild asks for a new one', async () => {
    const { pipeline, finished } = await pipelineAt();
    const first = await pipeline.trigger({ by: 'ana' });
    expect(first).toMatchObject({ existing: false, trigger: 'manual' });
    const id = (first as RunView).id;
    expect(await finished(id)).toMatchObject({ status: 'succeeded' });

    expect(await pipeline.trigger({ by: 'ana' })).toMatchObject({ id, existing: true, status: 'succeeded' });
    expect(await pipeline.trigger({ by: 'ana', commit: 'cccc' })).toMatchObject({ id, existing: true });
    expect(pipeline.list(10)).toHaveLength(1);
    // --force is not answered with a run that was not forced (it may have refused a release marked bad).
    const forced = await pipeline.trigger({ by: 'ana', force: true });
    expect(forced).toMatchObject({ existing: false });
    await finished((forced as RunView).id);
    const again = await pipeline.trigger({ by: 'ana', again: true });
    expect(again).toMatchObject({ existing: false, trigger: 'manual' });
    await finished((again as RunView).id);
    // The newest run that built it answers from now on.
    expect(await pipeline.trigger({ by: 'ana' })).toMatchObject({ id: (again as RunView).id, existing: true });
    expect(await pipeline.trigger({ by: 'ana', rebuild: true })).toMatchObject({ existing: false });
    await pipeline.stop();
  });

  it('is run again when the run of it failed', async () => {
    const { w, pipeline, finished } = await pipelineAt();
    w.runner.script('train', { exitCode: 1 });
    const first = (await pipeline.trigger({ by: 'ana' })) as RunView;
    expect(await finished(first.id)).toMatchObject({ status: 'failed' });
    w.runner.script('train', {});
    const second = await pipeline.trigger({ by: 'ana' });
    expect(second).toMatchObject({ existing: false });
    expect((second as RunView).id).not.toBe(first.id);
    await finished((second as RunView).id);
    await pipeline.stop();
  });
});
