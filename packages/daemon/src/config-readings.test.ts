import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigLoad } from '@axum/protocol';
import type { DaemonEngine } from './engine/daemon-engine.js';
import { createConfigApplier } from './start-up.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const configOf = (env: string) => `version: 1
environments:
  ${env}: { branch: main }
stages:
  - name: test
    steps: [{ name: unit, run: "true" }]
`;

/** The applier over a real axum.yml in a temp folder, with an engine that only records what it is given. */
function readings() {
  const repoRoot = mkdtempSync(join(tmpdir(), 'axum-config-readings-'));
  dirs.push(repoRoot);
  const configPath = join(repoRoot, 'axum.yml');
  const applied: ConfigLoad[] = [];
  const engine = { applyConfig: (load: ConfigLoad) => applied.push(load), state: () => ({ config: { loadedAt: null } }) } as unknown as DaemonEngine;
  const watchPaths = { setPatterns: () => undefined } as never;
  const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const applier = createConfigApplier({ repoRoot, stateDir: join(repoRoot, '.axum'), configPath, environmentPaths: new Map(), engine, watchPaths, logger });
  /** The environments of the newest reading applied, or its first problem. */
  const last = () => {
    const load = applied.at(-1);
    return load?.ok ? Object.keys(load.config.environments) : load?.errors[0]?.message;
  };
  return { applier, configPath, applied, last };
}

describe('the readings of axum.yml (refresh: before a client is shown the state)', () => {
  it('reads the file again only when it changed since the last reading: replaced as a checkout does, then removed', async () => {
    const { applier, configPath, applied, last } = readings();
    writeFileSync(configPath, configOf('staging'));
    await applier.loadFirst();
    expect(last()).toEqual(['staging']);
    expect(applier.refresh()).toBeNull();

    // git checkout writes a new file and renames it over the old one.
    writeFileSync(`${configPath}.new`, configOf('production'));
    renameSync(`${configPath}.new`, configPath);
    await applier.refresh();
    expect(last()).toEqual(['production']);
    expect(applier.refresh()).toBeNull();

    rmSync(configPath);
    await applier.refresh();
    expect(last()).toMatch(/file not found/);
    expect(applier.refresh()).toBeNull();
    expect(applied).toHaveLength(3);
  });

  it("waits for a reading under way (the watcher's) instead of starting another", async () => {
    const { applier, configPath, applied, last } = readings();
    writeFileSync(configPath, configOf('staging'));
    await applier.loadFirst();
    writeFileSync(configPath, configOf('production'));
    const watcher = applier.reload();
    const refreshed = applier.refresh();
    expect(refreshed).not.toBeNull();
    await refreshed;
    await watcher;
    expect(last()).toEqual(['production']);
    expect(applied).toHaveLength(2);
  });
});
