// Right after a `git checkout`, before the config watcher's debounce has passed, what a client is
// shown (the snapshot after its hello, `state.get`, `axum status`) is the checked-out axum.yml's
// config: the daemon reads the file again when it changed since it was read.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, openClient, SAMPLE_CONFIG, scratchRepos, startDaemon } from './support/axum.js';

const scratch = scratchRepos(afterEach);
const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();

interface ConfigSeen {
  config: { valid: boolean; errors: { message: string }[] };
  environments: { name: string; inConfig?: boolean }[];
}
/** Valid or not, and the environments the config in use declares. */
const seen = (state: ConfigSeen) => ({ valid: state.config.valid, declared: state.environments.filter((e) => e.inConfig !== false).map((e) => e.name) });

/** main (SAMPLE_CONFIG), `bare` without axum.yml, `small` whose axum.yml declares dev only; main checked out. */
function branches(): string {
  const dir = scratch();
  git(dir, 'checkout', '-q', '-b', 'small');
  writeFileSync(join(dir, 'axum.yml'), SAMPLE_CONFIG.replace('  staging: { branch: staging }\n', '').replace('  production: { branch: main, approval: manual }\n', ''));
  git(dir, 'commit', '-qam', 'dev only');
  git(dir, 'checkout', '-q', '-b', 'bare', 'main');
  git(dir, 'rm', '-q', 'axum.yml');
  git(dir, 'commit', '-qm', 'no pipeline');
  git(dir, 'checkout', '-q', 'main');
  return dir;
}

describe('the config a client is shown right after a git checkout', () => {
  it("is the checked-out axum.yml's in the snapshot a client gets at once, and in state.get", async () => {
    const dir = branches();
    await startDaemon(dir);
    const all = ['dev', 'staging', 'production'];
    // Without axum.yml the config in use stays (the one checked out before), marked not valid.
    const checkouts = [
      ['bare', 'hello', { valid: false, declared: all }],
      ['main', 'state.get', { valid: true, declared: all }],
      ['small', 'hello', { valid: true, declared: ['dev'] }],
      ['bare', 'state.get', { valid: false, declared: ['dev'] }],
      ['main', 'hello', { valid: true, declared: all }],
      ['small', 'state.get', { valid: true, declared: ['dev'] }],
      ['main', 'state.get', { valid: true, declared: all }],
      ['bare', 'hello', { valid: false, declared: all }],
    ] as const;
    const attached = await openClient(dir);
    for (const [k, [branch, asked, expected]] of checkouts.entries()) {
      let state: ConfigSeen;
      if (asked === 'hello') {
        const client = await openClient(dir, false); // connected; its hello goes right after the checkout
        git(dir, 'checkout', '-q', branch);
        client.ws.send(JSON.stringify({ type: 'hello', protocolVersion: 1, client: { name: 'checkout-test', version: '0' } }));
        state = ((await client.next((m) => m.type === 'snapshot')) as unknown as { state: ConfigSeen }).state;
        client.ws.close();
      } else {
        git(dir, 'checkout', '-q', branch);
        attached.ws.send(JSON.stringify({ type: 'request', id: `state-${k}`, method: 'state.get', params: {} }));
        state = ((await attached.next((m) => m.type === 'result' && m.id === `state-${k}`)) as unknown as { result: ConfigSeen }).result;
      }
      expect(seen(state), `${asked} right after checking out ${branch} (step ${k})`).toEqual(expected);
      if (branch === 'bare') expect(state.config.errors[0]?.message).toMatch(/file not found in the work tree/);
    }
    attached.ws.close();
  });

  it('is what `axum status --json` says right after the checkout', async () => {
    const dir = branches();
    await startDaemon(dir);
    git(dir, 'checkout', '-q', 'bare');
    const status = await axum(['status', '--json', '--repo', dir]);
    const state = JSON.parse(status.stdout) as ConfigSeen;
    expect(state.config).toMatchObject({ valid: false, errors: [{ message: expect.stringMatching(/file not found in the work tree/) }] });
  });
});
