// Reconciliation over the fake world: a disagreement found at start or after an operation is the
// environment's incident, never repaired; it goes when the two agree again.
import { afterEach, describe, expect, it } from 'vitest';
import { releaseOf } from './testing/fake-ports.js';
import { deployWorlds, testConfig } from './testing/deploy-world.js';

const world = deployWorlds(afterEach);

describe('reconciliation', () => {
  it('at start: current moved by hand is an incident naming both, and current is left as it is', async () => {
    const old = world();
    await old.ship();
    await old.ship();
    const left = old.leftAt('deploy.finished', 2);
    left.store.current.set(old.envDir('staging'), 'rel-1'); // `ln -sfn` by hand while the daemon was down
    const w = world(testConfig(), left);
    await w.deployments.start();
    await w.settle();
    expect(w.deployments.state('staging').incident).toBe('current and history disagree: current names rel-1 but history says #2 (rel-2) is live (to serve it again: axum deploy staging --release rel-2 --again, or axum rollback staging)');
    expect(w.current()).toBe('rel-1');
    expect(w.logger.lines.some((l) => l.includes('current names rel-1'))).toBe(true);
  });

  it('at start: the folder current names is gone', async () => {
    const old = world();
    await old.ship();
    const left = old.leftAt('deploy.finished', 1);
    left.store.materialized.delete('rel-1');
    const w = world(testConfig(), left);
    await w.deployments.start();
    expect(w.deployments.state('staging').incident).toBe('current and history disagree: current names rel-1, whose folder is gone; history says #1 (rel-1) is live');
  });

  it('after an operation: the next deploy that puts them in agreement clears the incident', async () => {
    const old = world();
    await old.ship();
    const left = old.leftAt('deploy.finished', 1);
    left.store.current.delete(old.envDir('staging'));
    const w = world(testConfig(), left);
    await w.deployments.start();
    expect(w.deployments.state('staging').incident).toMatch(/^current and history disagree: current is missing/);
    await w.ship();
    expect(w.deployments.state('staging').incident).toBeNull();
    expect(w.disagreement()).toBeNull();
  });

  it('after an operation: a verify step that moved current itself is caught when the operation ends', async () => {
    const w = world();
    w.runner.script('smoke', (request) => {
      if (releaseOf(request) === 'rel-2') w.releases.current.set(w.envDir('staging'), 'rel-1');
      return {};
    });
    await w.ship();
    await w.ship();
    expect(w.revision('staging', 2).status).toBe('live');
    expect(w.deployments.state('staging').incident).toBe('current and history disagree: current names rel-1 but history says #2 (rel-2) is live (to serve it again: axum deploy staging --release rel-2 --again, or axum rollback staging)');
  });
});

describe("the daemon's own pointer moves", () => {
  it('a whole operation that swaps current while a comparison reads it is never taken for a foreign change (many times)', async () => {
    const w = world();
    await w.ship();
    for (let i = 0; i < 20; i++) {
      // The comparison (a watcher hint) reads `current`, then the next deploy swaps it and goes live
      // before the comparison gets to the history.
      let reading!: () => void;
      const readDone = new Promise<void>((resolve) => (reading = resolve));
      let resume!: () => void;
      w.releases.faults.afterCurrentRead = () => {
        w.releases.faults.afterCurrentRead = null;
        reading();
        return new Promise<void>((resolve) => (resume = resolve));
      };
      const compared = w.deployments.reconcileCurrent();
      await readDone;
      await w.ship();
      resume();
      await compared;
      expect(w.deployments.state('staging').incident, `after swap ${i + 1}`).toBeNull();
    }
    expect(w.releases.swaps.length).toBe(21);
    expect(w.logger.lines.some((l) => l.includes('disagree'))).toBe(false);
  });
});
