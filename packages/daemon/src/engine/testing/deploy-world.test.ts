// The agreement check every deployments test ends with must be able to fail, or it proves nothing.
import { afterEach, expect, it } from 'vitest';
import { createDeployWorld, testConfig, type DeployWorld } from './deploy-world.js';

let w: DeployWorld;
afterEach(() => w.deployments.stop());

it('disagreement names a current that is not the live release, and one serving with nothing live and no incident', async () => {
  w = createDeployWorld(testConfig());
  await w.ship();
  await w.ship();
  expect(w.disagreement()).toBeNull();
  w.releases.current.set(w.envDir('staging'), 'rel-1');
  expect(w.disagreement()).toBe('current names rel-1 but #2 (rel-2) is live');
  w.releases.current.delete(w.envDir('staging'));
  expect(w.disagreement()).toBe('current names null but #2 (rel-2) is live');
});

it('disagreement accepts a failed release still serving with its incident, not a release the history never served', async () => {
  w = createDeployWorld(testConfig({ rollback: { auto: false } }));
  w.runner.script('smoke', { exitCode: 1 });
  await w.ship();
  expect(w.current()).toBe('rel-1');
  expect(w.disagreement()).toBeNull();
  const doc = await w.envStore('staging').load();
  expect(doc.doc.incident).not.toBeNull();
  w.releases.current.set(w.envDir('staging'), 'rel-0');
  expect(w.disagreement()).toBe('current names rel-0 but nothing is live and no incident or pause says it serves failed');
});
