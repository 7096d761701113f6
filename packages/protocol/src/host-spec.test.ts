import { describe, expect, it } from 'vitest';
import { parseHostSpec } from './host-spec.js';
import { parseConfigText } from './pipeline-config-parse.js';

const base = `version: 1
stages:
  - name: test
    steps:
      - { name: unit, run: npm test }
environments:
  production:
    branch: main
`;

describe('environments.<name>.hosts', () => {
  it('parses user@host:/path, host:port:/path and a bare ssh config alias', () => {
    expect(parseHostSpec('deploy@10.0.0.5:/srv/model/')).toEqual({ spec: 'deploy@10.0.0.5:/srv/model/', user: 'deploy', host: '10.0.0.5', port: null, path: '/srv/model' });
    expect(parseHostSpec('deploy@web-1.example.com:2222:/srv/model')).toMatchObject({ user: 'deploy', host: 'web-1.example.com', port: 2222 });
    expect(parseHostSpec('model-a:/srv/m')).toMatchObject({ user: null, host: 'model-a', port: null, path: '/srv/m' });
  });

  it('parses an IPv6 address in brackets, as scp and rsync write it; a bare one is told to use them', () => {
    expect(parseHostSpec('deploy@[::1]:/srv/m')).toEqual({ spec: 'deploy@[::1]:/srv/m', user: 'deploy', host: '::1', port: null, path: '/srv/m' });
    expect(parseHostSpec('[FE80:0::1]:2222:/srv/m')).toMatchObject({ user: null, host: 'fe80::1', port: 2222, path: '/srv/m' });
    expect(parseHostSpec('deploy@::1:/srv/m')).toEqual({ problem: expect.stringContaining('"deploy@::1:/srv/m": an IPv6 address goes in brackets') });
    for (const bad of ['d@[::1]/srv', 'd@[nope]:/srv', 'd@[::1', 'd@[::1]:x:/srv', 'd@[-o]:/srv']) expect('problem' in parseHostSpec(bad), bad).toBe(true);
  });

  it('refuses what could become an option, a word break or a climb out of the folder', () => {
    for (const bad of ['-oProxyCommand=x@h:/p', 'u@-oProxyCommand=x:/p', 'u@h:srv/m', 'u@h:/srv/my model', "u@h:/srv/'m'", 'u@h:/srv/../etc', 'u@h:/', 'u@h:0:/p', 'u@h:22x:/p', 'u@h', 'u@h:1:2:/p', 'u@h:/a;rm -rf /']) {
      expect('problem' in parseHostSpec(bad), bad).toBe(true);
    }
  });

  it('is read from axum.yml, and a bad host is a file:line:col problem naming it and the form', () => {
    const ok = parseConfigText(`${base}    hosts: [deploy@10.0.0.5:/srv/model, deploy@10.0.0.6:/srv/model]\n`, 'axum.yml');
    expect(ok.ok && ok.config.environments.production!.hosts).toEqual(['deploy@10.0.0.5:/srv/model', 'deploy@10.0.0.6:/srv/model']);
    const bad = parseConfigText(`${base}    hosts:\n      - deploy@10.0.0.5:/srv/model\n      - deploy@10.0.0.6:srv/model\n`, 'axum.yml');
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors[0]).toMatchObject({ line: 11, col: 9 });
    expect(bad.errors[0]!.message).toContain('"deploy@10.0.0.6:srv/model": the folder "srv/model" is not an absolute path (write a host as user@host:/absolute/path');
    const twice = parseConfigText(`${base}    hosts: [a@h:/p, a@h:/p]\n`, 'axum.yml');
    expect(!twice.ok && twice.errors[0]!.message).toContain('listed twice');
    const empty = parseConfigText(`${base}    hosts: []\n`, 'axum.yml');
    expect(empty.ok).toBe(false);
  });
});
