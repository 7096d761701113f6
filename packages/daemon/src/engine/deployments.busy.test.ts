// One operation per environment: every request refused because another operation holds the
// environment says so in the same words (what holds it, who, since when, what to do), through the
// Deployments interface on in-memory ports (testing/).
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EnvironmentDocument } from '../domain/revisions.js';
import { RequestFailure } from './pipeline.js';
import { releaseOf } from './testing/fake-ports.js';
import { deployWorlds, holdVerify, testConfig } from './testing/deploy-world.js';

const world = deployWorlds(afterEach);
const refusal = (result: unknown) => (result instanceof RequestFailure ? { code: result.code, message: result.message } : { code: 'none', message: JSON.stringify(result) });
/** The manual clock starts at 2025-01-01 00:00 UTC: the operation below starts then. */
const BUSY = 'staging is busy: ask again once #2 has ended (deploy by push run-2 since 2025-01-01 00:00 UTC; axum history staging shows it)';

describe('a request while an operation holds the environment', () => {
  it('a deploy by hand (the coordinator) and a rollback are refused in the same words', async () => {
    const w = world();
    await w.ship();
    const finish = holdVerify(w, 'rel-2');
    await w.build();
    await vi.waitFor(() => expect(w.runner.ran('smoke').map(releaseOf)).toContain('rel-2'));
    expect(refusal(await w.deployments.deploy('staging', 'rel-1', 'erin'))).toEqual({ code: 'conflict', message: BUSY });
    expect(refusal(await w.deployments.rollback('staging', 1, false, 'erin'))).toEqual({ code: 'conflict', message: BUSY });
    finish();
    await w.settle();
    expect(w.revision('staging', 2).status).toBe('live');
  });

  it('an approval that would keep what serves on a paused environment is refused in the same words', async () => {
    const w = world();
    await w.ship();
    // rel-2's verification is inconclusive: it pauses the environment in memory, and its save is held
    // open, so the operation still holds the environment while the pause is there to approve.
    const store = w.envStore('staging');
    const save = store.save;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    store.save = async (doc: EnvironmentDocument) => {
      if (doc.paused) await gate;
      return save(doc);
    };
    const check = { name: 'error_rate', prometheus: { url: 'http://127.0.0.1:9/', query: 'errors' }, fail: '> 0.02', every: '5ms', count: 1 };
    await w.build('staging', { runConfig: testConfig({ verify: { steps: [{ name: 'smoke', run: 'smoke' }], checks: [check] } }) });
    await vi.waitFor(() => expect(w.deployments.state('staging')).toMatchObject({ paused: { revision: 2 }, operation: { revision: 2 } }));
    expect(refusal(await w.deployments.approve('staging', 'dana', false))).toEqual({ code: 'conflict', message: BUSY });
    open();
    await w.settle();
    expect(w.deployments.state('staging')).toMatchObject({ paused: { revision: 2 }, operation: null });
  });
});
