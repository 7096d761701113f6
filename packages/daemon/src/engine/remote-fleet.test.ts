// Remote environments through the Deployments interface, on a fake `RemoteHosts` (the real one is
// tested against real sshd in test/ssh-hosts.test.ts and test/remote-environments.test.ts): all
// hosts or none, hosts put back after a swap fails midway, rollbacks that copy nothing.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HostSpec, ReleaseView } from '@axum/protocol';
import type { RemoteHosts } from './ports.js';
import { RequestFailure } from './pipeline.js';
import { deployWorlds, testConfig } from './testing/deploy-world.js';

const world = deployWorlds(afterEach);
const HOSTS = ['deploy@a:/srv/m', 'deploy@b:/srv/m', 'deploy@c:/srv/m'];
const config = testConfig({ environments: { staging: { branch: 'staging', hosts: HOSTS } } });

/** Three hosts in memory: the folders each holds, what its `current` names, what failed when asked. */
function fakeHosts() {
  const folders = new Map<string, Set<string>>(HOSTS.map((h) => [h, new Set()]));
  const current = new Map<string, string | null>(HOSTS.map((h) => [h, null]));
  const pushes: string[] = [];
  /** Every session a host was asked for, as `a prepare rel-2` or `a swap rel-1`. */
  const sessions: string[] = [];
  /** Hosts holding a new link that waits for the word. */
  const ready = new Set<string>();
  /** While `gate` is set, every `swap` waits for it (a slow host). */
  const held: { gate: Promise<void> | null; waiting: number } = { gate: null, waiting: 0 };
  const failing = new Map<string, { on: 'push' | 'swap' | 'prepare'; release: string }>();
  const fails = (host: HostSpec, on: 'push' | 'swap' | 'prepare', release: string | null) => {
    const f = failing.get(host.spec);
    if (f && f.on === on && f.release === release) throw new Error(`${on} of ${release} on ${host.spec} failed (exit 255): ssh: connect to host b port 22: Connection refused`);
  };
  const port: RemoteHosts = {
    async inspect(host, release: ReleaseView) {
      return { current: current.get(host.spec) ?? null, present: folders.get(host.spec)!.has(release.id) };
    },
    async prepare(host, release: ReleaseView) {
      sessions.push(`${host.host} prepare ${release.id}`);
      fails(host, 'prepare', release.id);
      const present = folders.get(host.spec)!.has(release.id);
      if (present) ready.add(host.spec);
      return {
        current: current.get(host.spec) ?? null,
        present,
        commit: async () => {
          if (!ready.delete(host.spec)) throw new Error('not ready');
          fails(host, 'swap', release.id);
          current.set(host.spec, release.id);
        },
        abort: async () => void ready.delete(host.spec),
      };
    },
    async push(host, release, _dir, linkDest) {
      fails(host, 'push', release.id);
      pushes.push(`${host.host} ${release.id} link:${linkDest}`);
      folders.get(host.spec)!.add(release.id);
      return { bytesSent: 10 };
    },
    async swap(host, releaseId) {
      sessions.push(`${host.host} swap ${releaseId}`);
      if (held.gate) {
        held.waiting++;
        await held.gate;
      }
      fails(host, 'swap', releaseId);
      current.set(host.spec, releaseId);
    },
    async prune(host, keep) {
      const gone = [...folders.get(host.spec)!].filter((id) => !keep.includes(id) && current.get(host.spec) !== id);
      for (const id of gone) folders.get(host.spec)!.delete(id);
      return gone;
    },
  };
  return { port, folders, current, pushes, sessions, ready, held, failing, served: () => HOSTS.map((h) => current.get(h)) };
}

describe('an environment with remote hosts', () => {
  it('stages the release on every host, then swaps every host; verify runs once per host with AXUM_HOST', async () => {
    const hosts = fakeHosts();
    const w = world(config, undefined, { remoteHosts: hosts.port });
    await w.ship();
    await w.ship();
    expect(hosts.served()).toEqual(['rel-2', 'rel-2', 'rel-2']);
    expect(w.current()).toBe('rel-2');
    // The second copy links against the release the host served.
    expect(hosts.pushes.filter((p) => p.startsWith('a '))).toEqual(['a rel-1 link:null', 'a rel-2 link:rel-1']);
    expect(w.runner.ran('smoke').map((r) => `${releaseOfEnv(r.env)} ${r.env.AXUM_HOST} ${r.env.AXUM_HOST_CURRENT}`)).toEqual(['1 a /srv/m/current', '1 b /srv/m/current', '1 c /srv/m/current', '2 a /srv/m/current', '2 b /srv/m/current', '2 c /srv/m/current']);
    expect(w.deployments.state('staging').hosts!.map((h) => `${h.host} ${h.releaseId} ${h.state}`)).toEqual(HOSTS.map((h) => `${h} rel-2 ok`));
    // History says what each revision did on each host, and which revision each host serves now.
    const [second, first] = history(w);
    expect(second!.hosts!.map((h) => `${h.host} ${h.outcome} ${h.serving}`)).toEqual(HOSTS.map((h) => `${h} switched true`));
    expect(first!.hosts!.map((h) => `${h.outcome} ${h.serving}`)).toEqual(['switched false', 'switched false', 'switched false']);
  });

  it('one host failing before the swap: no host swaps, the live revision stays live, the revision names the host', async () => {
    const hosts = fakeHosts();
    const w = world(config, undefined, { remoteHosts: hosts.port });
    await w.ship();
    hosts.failing.set('deploy@b:/srv/m', { on: 'push', release: 'rel-2' });
    await w.ship();
    expect(hosts.served()).toEqual(['rel-1', 'rel-1', 'rel-1']);
    expect(w.current()).toBe('rel-1');
    const failed = w.revision('staging', 2);
    expect(failed.status).toBe('failed');
    expect(failed.message).toContain('1 of 3 host(s) could not take rel-2, so no host was switched: push of rel-2 on deploy@b:/srv/m failed');
    expect(w.revision('staging', 1).status).toBe('live');
    expect(w.release('rel-2').bad).toBeNull(); // a host that cannot be reached is no bad model
    const b = w.deployments.state('staging').hosts![1]!;
    expect(b).toMatchObject({ host: 'deploy@b:/srv/m', releaseId: 'rel-1', state: 'failed' });
    expect(w.disagreement()).toBeNull();
    const [second, first] = history(w);
    expect(second!.hosts!.map((h) => `${h.outcome} ${h.serving}`)).toEqual(['staged false', 'failed false', 'staged false']);
    expect(second!.hosts![1]!.reason).toContain('push of rel-2 on deploy@b:/srv/m failed');
    expect(first!.hosts!.every((h) => h.serving)).toBe(true);
  });

  it('a verify step failing on one host fails the revision naming that host', async () => {
    const hosts = fakeHosts();
    const w = world(config, undefined, { remoteHosts: hosts.port });
    await w.ship();
    w.runner.script('smoke', (request) => (request.env.AXUM_HOST === 'b' && request.env.AXUM_REVISION === '2' ? { exitCode: 1 } : {}));
    await w.ship();
    expect(w.revision('staging', 2).message).toContain('verify step smoke exited 1 on deploy@b:/srv/m (axum logs staging#2 --step smoke)');
    // rollback.auto: back to rel-1 on every host.
    expect(hosts.served()).toEqual(['rel-1', 'rel-1', 'rel-1']);
  });

  it('a swap failing midway: the hosts already swapped go back, and the revision names the host', async () => {
    const hosts = fakeHosts();
    const w = world(config, undefined, { remoteHosts: hosts.port });
    await w.ship();
    hosts.failing.set('deploy@c:/srv/m', { on: 'swap', release: 'rel-2' });
    await w.ship();
    expect(hosts.served()).toEqual(['rel-1', 'rel-1', 'rel-1']);
    expect(w.current()).toBe('rel-1');
    const failed = w.revision('staging', 2);
    expect(failed.status).toBe('failed');
    expect(failed.message).toContain('switching rel-2 failed on deploy@c:/srv/m');
    expect(failed.message).toContain('every host was switched back');
    expect(w.revision('staging', 1).status).toBe('live');
    expect(w.deployments.state('staging').hosts!.map((h) => `${h.releaseId} ${h.state}`)).toEqual(['rel-1 ok', 'rel-1 ok', 'rel-1 failed']);
    expect(history(w)[0]!.hosts!.map((h) => `${h.outcome} ${h.reason}`)).toEqual(['put-back back on rel-1: another host failed', 'put-back back on rel-1: another host failed', expect.stringContaining('failed swap of rel-2 on deploy@c:/srv/m failed') as unknown as string]);
  });

  it('a rollback swaps every host to the folder already there (no copy); a host that lacks it gets a copy first', async () => {
    const hosts = fakeHosts();
    const w = world(config, undefined, { remoteHosts: hosts.port });
    await w.ship();
    await w.ship();
    const copies = hosts.pushes.length;
    const back = await w.deployments.rollback('staging', 1, false, 'ada');
    expect(back).not.toBeInstanceOf(RequestFailure);
    await w.settle();
    expect(hosts.served()).toEqual(['rel-1', 'rel-1', 'rel-1']);
    expect(hosts.pushes.length).toBe(copies);
    // A host whose folder of rel-2 went (pruned by hand): the rollback to it copies there first.
    hosts.folders.get('deploy@b:/srv/m')!.delete('rel-2');
    await w.deployments.rollback('staging', 2, true, 'ada');
    await w.settle();
    expect(hosts.served()).toEqual(['rel-2', 'rel-2', 'rel-2']);
    expect(hosts.pushes.slice(copies)).toEqual(['b rel-2 link:rel-1']);
  });

  it('a rollback whose hosts hold the target: one session per host checks and swaps; one host failing its check leaves every host where it was', async () => {
    const hosts = fakeHosts();
    const w = world(config, undefined, { remoteHosts: hosts.port });
    await w.ship();
    await w.ship();
    hosts.sessions.length = 0;
    await w.deployments.rollback('staging', 1, false, 'ada');
    await w.settle();
    expect(hosts.served()).toEqual(['rel-1', 'rel-1', 'rel-1']);
    expect(hosts.sessions.sort()).toEqual(['a prepare rel-1', 'b prepare rel-1', 'c prepare rel-1']);
    // Back to rel-2, b's check failing: a and c were ready, neither moved, both let go.
    hosts.sessions.length = 0;
    hosts.failing.set('deploy@b:/srv/m', { on: 'prepare', release: 'rel-2' });
    await w.deployments.rollback('staging', 2, true, 'ada');
    await w.settle();
    expect(hosts.served()).toEqual(['rel-1', 'rel-1', 'rel-1']);
    expect(hosts.ready.size).toBe(0);
    expect(hosts.sessions.filter((s) => s.includes('swap'))).toEqual([]);
    expect(history(w)[0]!.message).toContain('1 of 3 host(s) could not take rel-2, so no host was switched: prepare of rel-2 on deploy@b:/srv/m failed');
    expect(w.current()).toBe('rel-1');
  });

  it('a daemon killed after the hosts swapped: the next one puts every host back with the local current', async () => {
    const hosts = fakeHosts();
    const old = world(config, undefined, { remoteHosts: hosts.port });
    await old.ship();
    await old.ship();
    expect(hosts.served()).toEqual(['rel-2', 'rel-2', 'rel-2']);
    // What was durable when deploy #2 had just swapped (hosts and local): the hosts stay as they are now.
    const w = world(config, old.leftAt('deploy.swapped', 2), { remoteHosts: hosts.port });
    await w.deployments.start();
    await w.settle();
    expect(w.current()).toBe('rel-1');
    expect(hosts.served()).toEqual(['rel-1', 'rel-1', 'rel-1']);
    expect(w.deployments.state('staging').incident).toContain('every host is back on rel-1');
    // The cut revision's hosts are put back (what it recorded was durable before the kill).
    expect(history(w)[0]!.hosts!.map((h) => h.outcome)).toEqual(['put-back', 'put-back', 'put-back']);
  });

  it('a failed first deploy withdrawn at start: the start does not wait for the hosts (the daemon listens first), then current is removed on every host', async () => {
    const hosts = fakeHosts();
    const old = world(config, undefined, { remoteHosts: hosts.port });
    old.runner.script('smoke', { exitCode: 1 });
    await old.ship();
    for (const h of HOSTS) hosts.current.set(h, 'rel-1'); // as they were at the crash: switched, not yet withdrawn
    let open!: () => void;
    hosts.held.gate = new Promise((resolve) => (open = resolve));
    const w = world(config, old.leftAt('deploy.finished', 1), { remoteHosts: hosts.port });
    await w.deployments.start(); // before: waited here for every host's `current` to be removed
    expect(w.current()).toBeNull();
    expect(w.deployments.state('staging').operation).toMatchObject({ kind: 'recovery', revision: 1 });
    expect(w.deployments.state('staging').incident).toBe('#1 failed and nothing is known good: current is removed; putting the hosts back');
    open();
    await w.settle();
    expect(hosts.served()).toEqual([null, null, null]);
    expect(w.deployments.state('staging').incident).toBe('#1 failed and nothing is known good: current is removed; current is removed on every host');
    expect(w.deployments.state('staging').operation).toBeNull();
  });

  it('release retention removes the same folders on every host, never the one current names', async () => {
    const hosts = fakeHosts();
    const w = world(testConfig({ environments: { staging: { branch: 'staging', hosts: HOSTS } }, history: { keepReleases: 2 } }), undefined, { remoteHosts: hosts.port });
    for (let i = 0; i < 4; i++) await w.ship();
    const kept = w.deployments.releases().map((r) => r.id);
    expect(kept).toHaveLength(2);
    for (const host of HOSTS) expect([...hosts.folders.get(host)!].sort()).toEqual([...kept].sort());
    expect(hosts.served()).toEqual(['rel-4', 'rel-4', 'rel-4']);
  });

  it('at start, each host is asked what it serves: one that disagrees with the history is shown failed, nothing moved', async () => {
    const hosts = fakeHosts();
    const old = world(config, undefined, { remoteHosts: hosts.port });
    await old.ship();
    await old.ship();
    hosts.current.set('deploy@b:/srv/m', 'rel-1'); // moved by hand while the daemon was down
    const w = world(config, old.leftAt('deploy.finished', 2), { remoteHosts: hosts.port });
    await w.deployments.start();
    await vi.waitFor(() => expect(w.deployments.state('staging').hosts!.map((h) => h.state)).toEqual(['ok', 'failed', 'ok']));
    expect(w.deployments.state('staging').hosts![1]).toMatchObject({ releaseId: 'rel-1', reason: 'current names rel-1; history says rel-2 serves' });
    expect(hosts.served()).toEqual(['rel-2', 'rel-1', 'rel-2']);
  });

  it('the monitor runs its command once per host, with AXUM_HOST', async () => {
    const hosts = fakeHosts();
    const w = world(testConfig({ environments: { staging: { branch: 'staging', hosts: HOSTS } }, monitor: { run: 'health', every: '5ms', failures: 2 } }), undefined, { remoteHosts: hosts.port });
    await w.ship();
    await vi.waitFor(() => expect(w.runner.ran('health').length).toBeGreaterThanOrEqual(3));
    expect(w.runner.ran('health').slice(0, 3).map((r) => r.env.AXUM_HOST)).toEqual(['a', 'b', 'c']);
  });

  it('an environment with hosts and no ssh adapter refuses to deploy, saying so', async () => {
    const w = world(config);
    await w.ship();
    expect(w.revision('staging', 1).message).toContain('no ssh adapter');
    expect(w.current()).toBeNull();
  });
});

const history = (w: ReturnType<typeof world>) => {
  const answer = w.deployments.history('staging');
  if (answer instanceof RequestFailure) throw answer;
  return answer;
};
const releaseOfEnv = (env: Record<string, string>) => env.AXUM_REVISION;
