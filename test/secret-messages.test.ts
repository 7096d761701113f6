// A secret in outside text that is not step output (a symlink target an artifact names, in the
// run's message) is masked wherever the daemon keeps or sends it: the history, daemon.log, `runs`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, scratchRepos, waitForRun } from './support/axum.js';

const newRepo = scratchRepos(afterEach);
const SECRET = 'SuperSecretTok3n99';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return entry.isFile() ? [path] : [];
  });
}

describe('secrets in the messages of runs', () => {
  it('a dangling artifact symlink whose target holds the secret fails the run with the target masked, nowhere unmasked', async () => {
    const dir = newRepo({
      config: `version: 1
environments:
  dev: { branch: main }
stages:
  - name: build
    steps:
      - { name: link, run: 'mkdir -p model && ln -s "/tmp/x-$HF_TOKEN" model/link' }
artifacts: [model/**]
secrets: [HF_TOKEN]
`,
    });
    expect((await axum(['daemon', 'start', '--repo', dir], { env: { HF_TOKEN: SECRET } })).code).toBe(0);
    const queued = JSON.parse((await axum(['run', '--branch', 'main', '--json', '--repo', dir])).stdout) as { id: string };
    const ended = await waitForRun(dir, (r) => r.id === queued.id && r.finishedAt !== null, 'the run to end', 60_000);
    expect(ended.status).toBe('failed');
    expect(ended.message).toContain('/tmp/x-***');
    const listed = await axum(['runs', '--json', '--repo', dir]);
    expect(listed.stdout).toContain('/tmp/x-***');
    const places = [listed.stdout, ...filesUnder(join(dir, '.axum')).map((file) => `${file}\n${readFileSync(file, 'latin1')}`)];
    expect(places.filter((text) => text.includes(SECRET)).map((text) => text.split('\n')[0])).toEqual([]);
    expect(readFileSync(join(dir, '.axum', 'daemon.log'), 'utf8')).toContain('/tmp/x-***');
  }, 60_000);
});
