// Operation logs live as long as their revision's release: release retention takes them along,
// and a start sweeps the folders no kept revision names.
import { afterEach, describe, expect, it } from 'vitest';
import { deployWorlds, testConfig } from './testing/deploy-world.js';

const world = deployWorlds(afterEach);
const operationLogs = async (w: { logs: { runIds(): Promise<string[]> } }) => (await w.logs.runIds()).filter((id) => id.startsWith('deploy-')).sort();

describe('operation log retention', () => {
  it('release retention takes the logs of its revisions along: their number stays bounded', async () => {
    const w = world(testConfig({ history: { keepReleases: 2 } }));
    for (let i = 0; i < 8; i++) await w.ship();
    const kept = w.revisions('staging').filter((r) => w.deployments.releases().some((rel) => rel.id === r.releaseId));
    expect(kept.map((r) => r.releaseId)).toEqual(['rel-7', 'rel-8']);
    expect(await operationLogs(w)).toHaveLength(2);
    expect(w.revisions('staging')).toHaveLength(8); // the records stay; their logs went with the release
    expect(w.logger.lines.some((l) => l.includes('and the logs of 1 revision(s)'))).toBe(true);
  });

  it('at start, operation log folders no kept revision names are swept; other environments’ and runs’ logs are left', async () => {
    const old = world();
    await old.ship();
    const w = world(testConfig(), old.leftAt('deploy.finished', 1));
    w.logs.open('deploy-staging-9-1700000000000', 'smoke', []).write(Buffer.from('left by a crash\n'));
    w.logs.open('deploy-elsewhere-1-1700000000000', 'smoke', []).write(Buffer.from('not loaded here\n'));
    w.logs.open('run-3', 'train', []).write(Buffer.from('a run\n'));
    await w.deployments.start();
    expect(await w.logs.runIds()).toEqual(expect.arrayContaining(['deploy-elsewhere-1-1700000000000', 'run-3']));
    expect(await w.logs.runIds()).not.toContain('deploy-staging-9-1700000000000');
  });
});
