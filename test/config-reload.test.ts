import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_CONFIG, axum, cleanupRepo, makeRepo, openClient } from './support/axum.js';

describe('axum.yml changes while the daemon runs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = makeRepo();
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
  });
  afterAll(() => cleanupRepo(dir));

  it('keeps the last valid config on an invalid edit, shows the error to every client, and picks up the next valid one', async () => {
    const client = await openClient(dir);
    writeFileSync(join(dir, 'axum.yml'), SAMPLE_CONFIG.replace('run: "true"', 'run: "true", timeot: 5m'));
    const invalid = (await client.next((m) => m.type === 'config.changed')) as { config: { valid: boolean; errors: unknown[] }; environments: { name: string }[] };
    expect(invalid.config.valid).toBe(false);
    expect(invalid.config.errors).toEqual([{ file: 'axum.yml', line: 9, col: 36, message: 'stage "test", step "unit": unknown key "timeot" (did you mean "timeout"?)' }]);
    expect(invalid.environments.map((e) => e.name)).toEqual(['dev', 'staging', 'production']);

    const status = await axum(['status', '--repo', dir]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('config       axum.yml INVALID (using the last valid version, loaded ');
    expect(status.stdout).toContain('  axum.yml:9:36: stage "test", step "unit": unknown key "timeot" (did you mean "timeout"?)');
    expect(status.stdout).toMatch(/^production\s+main/m);

    writeFileSync(join(dir, 'axum.yml'), SAMPLE_CONFIG.replace('environments:\n', 'environments:\n  qa: { branch: qa }\n'));
    const valid = (await client.next((m) => m.type === 'config.changed')) as { config: { valid: boolean }; environments: { name: string }[] };
    expect(valid.config.valid).toBe(true);
    expect(valid.environments.map((e) => e.name)).toEqual(['qa', 'dev', 'staging', 'production']);
    client.ws.close();
  });
});

describe('a daemon started on an invalid axum.yml', () => {
  let dir: string;
  afterAll(() => cleanupRepo(dir));

  it('says the version it uses was loaded by an earlier daemon, and when, not "loaded 20s ago" as if it were its own', async () => {
    dir = makeRepo();
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    const loadedAt = (JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout) as { config: { loadedAt: string } }).config.loadedAt;
    expect((await axum(['daemon', 'stop', '--repo', dir])).code).toBe(0);
    writeFileSync(join(dir, 'axum.yml'), SAMPLE_CONFIG.replace('run: "true"', 'run: "true", timeot: 5m'));
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    const status = await axum(['status', '--repo', dir]);
    expect(status.stdout).toContain(`config       axum.yml INVALID (using the last valid version, loaded by an earlier daemon at ${loadedAt.slice(0, 10)} ${loadedAt.slice(11, 16)} UTC):`);
  });
});
