import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '@axum/protocol';
import { createFsLastConfigStore } from './fs-last-config.js';

const load = parseConfigText('version: 1\nenvironments:\n  staging: { branch: main }\nstages:\n  - name: t\n    steps: [{ name: u, run: "true", timeout: 5m }]\n', 'axum.yml');

describe('the last valid config', () => {
  it('reads back, in a new store, the config saved last (durations as milliseconds)', async () => {
    if (!load.ok) throw new Error('fixture config is invalid');
    const file = join(mkdtempSync(join(tmpdir(), 'axum-last-config-')), 'state', 'last-config.json');
    expect(await createFsLastConfigStore(file).load()).toBeNull();
    await createFsLastConfigStore(file).save(load.config, '2026-11-29T10:00:00.000Z');
    expect(await createFsLastConfigStore(file).load()).toEqual({ config: load.config, loadedAt: '2026-11-29T10:00:00.000Z' });
  });

  it('is none when the file does not read (it is moved aside, never a failed start)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'axum-last-config-'));
    writeFileSync(join(dir, 'last-config.json'), '{"version":1,"loadedAt":"t","config":{"stages":');
    expect(await createFsLastConfigStore(join(dir, 'last-config.json')).load()).toBeNull();
  });
});
