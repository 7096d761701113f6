import { describe, expect, it } from 'vitest';
import { parseConfigText } from './pipeline-config-parse.js';
import { sharedPlaceProblems } from './serving-places.js';

const config = (environments: string) => `version: 1
environments:
${environments}
stages:
  - name: build
    steps: [{ name: train, run: make }]
`;

describe('environments serve from places of their own', () => {
  it('refuses two environments with one path, naming both, at the line of the second', () => {
    const load = parseConfigText(config('  dev: { branch: develop, path: /tmp/serve }\n  staging: { branch: staging, path: /tmp/serve/ }'), 'axum.yml');
    expect(load.ok).toBe(false);
    if (load.ok) return;
    expect(load.errors).toHaveLength(1);
    expect(load.errors[0]!.message).toContain('"/tmp/serve/" is where environment "dev" serves (path "/tmp/serve")');
    expect(load.errors[0]!.line).toBe(4);
  });

  it('a folder inside another, a path onto a default folder, and a host folder shared by two environments', () => {
    expect(sharedPlaceProblems({ a: { path: 'serve' }, b: { path: './serve/b' } }).map((p) => p.env)).toEqual(['b']);
    expect(sharedPlaceProblems({ dev: {}, staging: { path: '.axum/envs/dev' } })[0]?.message).toContain('its default folder .axum/envs/dev');
    expect(sharedPlaceProblems({ s: { hosts: ['deploy@h1:/srv/m'] }, p: { hosts: ['root@h1:2222:/srv/m/'] } })).toEqual([
      { env: 'p', key: 'hosts', message: expect.stringContaining('"root@h1:2222:/srv/m/" is where environment "s" serves (host "deploy@h1:/srv/m")') },
    ]);
  });

  it('accepts places of their own: siblings, the defaults, one folder on two hosts, a relative and an absolute path', () => {
    expect(sharedPlaceProblems({ a: { path: 'serve/a' }, b: { path: 'serve/ab' }, c: {}, d: {} })).toEqual([]);
    expect(sharedPlaceProblems({ s: { hosts: ['d@h1:/srv/m'] }, p: { hosts: ['d@h2:/srv/m'] } })).toEqual([]);
    expect(sharedPlaceProblems({ a: { path: '/srv/m' }, b: { path: 'srv/m' } })).toEqual([]);
    expect(parseConfigText(config('  dev: { branch: develop }\n  staging: { branch: staging, path: /tmp/s }'), 'axum.yml').ok).toBe(true);
  });

  it('an IPv6 host is one machine however it is written, and two IPv6 hosts are two', () => {
    expect(sharedPlaceProblems({ s: { hosts: ['d@[::1]:/srv/m'] }, p: { hosts: ['root@[0:0::1]:2222:/srv/m/x'] } })).toEqual([
      { env: 'p', key: 'hosts', message: expect.stringContaining('"root@[0:0::1]:2222:/srv/m/x" is where environment "s" serves (host "d@[::1]:/srv/m")') },
    ]);
    expect(sharedPlaceProblems({ s: { hosts: ['d@[::1]:/srv/m'] }, p: { hosts: ['d@[::2]:/srv/m'] } })).toEqual([]);
    // An IPv6 host and the same folder on this machine are not one place.
    expect(sharedPlaceProblems({ s: { path: '/srv/m' }, p: { hosts: ['d@[::1]:/srv/m'] } })).toEqual([]);
    expect(parseConfigText(config('  dev: { branch: develop, hosts: ["d@[fe80::1]:/srv/m"] }\n  staging: { branch: staging, hosts: ["d@[FE80:0::1]:/srv/m"] }'), 'axum.yml')).toMatchObject({ ok: false, errors: [{ line: 4, message: expect.stringContaining('is where environment "dev" serves') }] });
  });
});
