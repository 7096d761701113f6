// A hint that comes while the heads are being read: the watcher reconciles at a ref's first event,
// so the last move of a burst can land during that reconciliation. It must not wait for the 5 s tick.
import { afterEach, describe, expect, it } from 'vitest';
import { deployWorlds } from './testing/deploy-world.js';
import { createFakePipeline, parsedConfig as parsed } from './testing/fake-pipeline.js';

const YAML = `version: 1
environments:
  staging: { branch: staging }
stages:
  - name: build
    steps:
      - { name: train, run: train }
`;
const world = deployWorlds(afterEach);

describe('reconciling branch heads', () => {
  it('a hint during a reconciliation is one more reconciliation after it: the head that moved meanwhile is queued', async () => {
    const w = world(parsed(YAML));
    let head = 'a'.repeat(40);
    /** While set, a read of the heads waits for it (after taking what the refs say at its start). */
    let hold: Promise<void> | null = null;
    const { pipeline } = createFakePipeline(w, {
      showFile: async (_commit: string, file: string) => (file === 'axum.yml' ? YAML : null),
      heads: async () => {
        const seen = new Map([['staging', head]]);
        if (hold) await hold;
        return seen;
      },
    });
    await pipeline.start();
    pipeline.setConfig(parsed(YAML));
    await pipeline.reconcile(); // the first: heads taken as seen

    let release!: () => void;
    hold = new Promise((resolve) => (release = resolve));
    head = 'b'.repeat(40);
    const first = pipeline.reconcile(); // reads b, then waits
    head = 'c'.repeat(40);
    const second = pipeline.reconcile(); // the hint of c's move, during the first
    hold = null;
    release();
    await Promise.all([first, second]);
    expect(pipeline.list(10).map((run) => run.commit)).toContain('c'.repeat(40));
    await pipeline.stop();
  });
});
