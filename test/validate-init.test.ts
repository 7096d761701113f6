import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, SAMPLE_CONFIG, axum, daemonProcessesFor, scratchRepos } from './support/axum.js';

const repo = scratchRepos(afterEach);

describe('axum validate', () => {
  it('prints a one-line summary and exits 0 for a valid file, without starting a daemon', async () => {
    const dir = repo();
    const result = await axum(['validate', '--repo', dir]);
    expect(result).toMatchObject({ code: 0, stdout: 'axum.yml ok: 3 environments (dev←develop, staging←staging, production←main), 1 stage, 1 step; no verify; rollback: manual\n' });
    expect(daemonProcessesFor(dir)).toEqual([]);
  });

  const bad: [string, string, string[]][] = [
    ['an unknown key', SAMPLE_CONFIG.replace('run: "true"', 'run: "true", timeot: 5m'), ['axum.yml:9:36: stage "test", step "unit": unknown key "timeot" (did you mean "timeout"?)']],
    ['a wrong type', SAMPLE_CONFIG.replace('branch: develop', 'branch: 7'), ['axum.yml:3:18: environment "dev", branch: expected text, got 7 (a number); quote it if it is text: "7"']],
    ['a missing key', 'version: 1\nenvironments: { dev: { branch: develop } }\n', ['axum.yml:1:1: stages: required']],
    ['no environment', SAMPLE_CONFIG.replace(/environments:\n( {2}.*\n)+/, 'environments: {}\n'), ['axum.yml:2:15: environments: at least one environment, e.g. dev: { branch: develop }']],
    ['a branch git cannot have', SAMPLE_CONFIG.replace('branch: develop', 'branch: "feat..x"'), ['axum.yml:3:18: environment "dev", branch: "feat..x": a branch name cannot hold "..", "@{" or "//"']],
    ['an environment name with a space', SAMPLE_CONFIG.replace('  dev: { branch: develop }', '  "my env": { branch: develop }'), ['axum.yml:3:13: environment "my env": use letters, digits, ".", "_" or "-", starting with a letter or digit (at most 64)']],
    ['artifacts outside the repository', `${SAMPLE_CONFIG}artifacts: [model/**, ../secret/**]\n`, ['axum.yml:10:23: artifacts: "../secret/**": it climbs out of the repository with "..": artifacts are paths inside the repository']],
    // The schema's bounds and choices are said from zod's English, which zod/mini has only once a
    // locale is registered: `axum validate` reads the file without the protocol's codec.
    [
      'a bound and a choice',
      SAMPLE_CONFIG.replace('approval: manual', 'approval: sometimes').replace('run: "true"', 'run: "true", retries: 11'),
      ['axum.yml:5:41: environment "production", approval: expected "auto" or "manual" (got "sometimes")', 'axum.yml:9:45: stage "test", step "unit", retries: must be at most 10 (got 11)'],
    ],
    ['a YAML syntax error', 'version: 1\nenvironments: [\n', ['axum.yml:3:1: Flow sequence in block collection must be sufficiently indented and end with a ]']],
    ['a duplicate step', SAMPLE_CONFIG + '      - { name: unit, run: "false" }\n', ['axum.yml:10:17: stage "test", step "unit", name: duplicate step name "unit" (step names are unique across stages: `axum logs --step` uses them)']],
    ['a watch of a stage that does not exist', SAMPLE_CONFIG + 'watch: { paths: [src/**], stages: [lint] }\n', ['axum.yml:10:36: watch stages: stage "lint" is not defined in stages']],
    [
      'a remote host with no folder',
      SAMPLE_CONFIG.replace('  dev: { branch: develop }', '  dev: { branch: develop, hosts: [deploy@10.0.0.5:/srv/model, deploy@10.0.0.6] }'),
      ['axum.yml:3:63: environment "dev", hosts: "deploy@10.0.0.6": write a host as user@host:/absolute/path (or user@host:port:/absolute/path; an IPv6 address in brackets, user@[::1]:/absolute/path)'],
    ],
    [
      'a Prometheus URL whose port is out of range',
      `${SAMPLE_CONFIG}verify:\n  checks:\n    - { name: errors, prometheus: { url: "http://localhost:99999/", query: up }, fail: "> 0" }\n`,
      ['axum.yml:12:42: verify check "errors", prometheus url: "http://localhost:99999/": port 99999 is out of range (a port is 1 to 65535; Prometheus\'s own is 9090)'],
    ],
    [
      'two environments serving from one folder',
      SAMPLE_CONFIG.replace('  dev: { branch: develop }', '  dev: { branch: develop, path: /srv/model }').replace('  staging: { branch: staging }', '  staging: { branch: staging, path: /srv/model/ }'),
      ['axum.yml:4:37: environment "staging", path: "/srv/model/" is where environment "dev" serves (path "/srv/model"): each environment needs a folder of its own, or one would overwrite the other\'s current'],
    ],
    // A billion laughs: nine levels of nine aliases would expand to 387 million strings.
    ['a YAML alias bomb', `${SAMPLE_CONFIG}x0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n${Array.from({ length: 8 }, (_, i) => `x${i + 1}: &x${i + 1} [${Array(9).fill(`*x${i}`).join(', ')}]`).join('\n')}\n`, ['axum.yml:11:10: too many alias expansions (over 100): Excessive alias count indicates a resource exhaustion attack']],
  ];
  for (const [name, text, expected] of bad) {
    it(`exits 2 with file:line:col for ${name}`, async () => {
      const dir = repo();
      writeFileSync(join(dir, 'axum.yml'), text);
      const result = await axum(['validate', '--repo', dir]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toEqual(expected);
      expect(result.stdout).toBe('');
    });
  }

  it('warns (exit 0) of a branch the repository does not have, with the branch meant', async () => {
    const dir = repo();
    for (const branch of ['develop', 'staging']) execFileSync('git', ['-C', dir, 'branch', '-f', branch]);
    writeFileSync(join(dir, 'axum.yml'), SAMPLE_CONFIG.replace('branch: staging', 'branch: stagign'));
    const result = await axum(['validate', '--repo', dir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('axum.yml ok');
    expect(result.stderr).toBe('warning: branch "stagign" of environment staging does not exist in this repository (did you mean staging?): staging deploys nothing until it does\n');
    const json = JSON.parse((await axum(['validate', '--json', '--repo', dir])).stdout) as { warnings: string[] };
    expect(json.warnings).toHaveLength(1);
    writeFileSync(join(dir, 'axum.yml'), SAMPLE_CONFIG);
    expect(await axum(['validate', '--repo', dir])).toMatchObject({ code: 0, stderr: '' });
  });

  it('under --json prints the problems as data', async () => {
    const dir = repo();
    writeFileSync(join(dir, 'axum.yml'), 'version: 3\n');
    const result = await axum(['validate', '--json', '--repo', dir]);
    expect(result.code).toBe(2);
    const doc = JSON.parse(result.stdout) as { valid: boolean; errors: { line: number; col: number }[] };
    expect(doc.valid).toBe(false);
    expect(doc.errors).toContainEqual({ file: 'axum.yml', line: 1, col: 10, message: 'version: only version 1 exists' });
  });
});

describe('axum init', () => {
  it('writes a valid starter that references the JSON Schema, detecting the project, and refuses to overwrite', async () => {
    const dir = repo({ config: null });
    writeFileSync(join(dir, 'package.json'), '{"name":"m","scripts":{"test":"true","train":"node fit.js"}}');
    mkdirSync(join(dir, 'models'));
    const result = await axum(['init', '--repo', dir]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('detected: package.json, models/ folder, training: the npm script "train"');
    // An empty folder is not in a clean checkout of the commit: said, with what to do.
    expect(result.stdout).toContain('models/ holds no file git keeps: runs start from a clean checkout, so the train step must create it (mkdir -p models)');
    // The starter's branches that the repository lacks (it has main only).
    expect(result.stdout).toContain('branches develop, staging do not exist yet (git branch develop), or edit the branch: of each environment in axum.yml');
    const text = readFileSync(join(dir, 'axum.yml'), 'utf8');
    // Relative, beside the file: it works in every clone once committed.
    const schemaRef = /^# yaml-language-server: \$schema=(.+)$/m.exec(text)?.[1];
    expect(schemaRef).toBe('./axum.schema.json');
    expect(readFileSync(join(dir, 'axum.schema.json'), 'utf8')).toBe(readFileSync(join(ROOT, 'schema', 'axum.schema.json'), 'utf8'));
    expect(text).toContain('run: "npm test"');
    expect(text).toContain('{ name: train, run: "npm run train"');
    // Only what exists: a config/** that matches nothing would warn on every run.
    expect(text).toContain('artifacts: [models/**]\n');
    expect((await axum(['validate', '--repo', dir])).code).toBe(0);

    const again = await axum(['init', '--repo', dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists; not overwriting');
    expect(readFileSync(join(dir, 'axum.yml'), 'utf8')).toBe(text);
    expect(daemonProcessesFor(dir)).toEqual([]);
  });

  it('in a repository on master without main, production deploys from master: commits there feed it', async () => {
    const dir = repo({ config: null });
    execFileSync('git', ['-C', dir, 'branch', '-m', 'master']);
    const result = await axum(['init', '--repo', dir]);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(dir, 'axum.yml'), 'utf8')).toContain('  production: { branch: master, approval: manual }');
    expect(result.stdout).toContain('production deploys from master (this repository has no main)');
    expect(result.stdout).toContain('branches develop, staging do not exist yet (git branch develop), or edit the branch: of each environment in axum.yml\n');
    expect(result.stdout).not.toContain('feed no environment');
    const validate = await axum(['validate', '--repo', dir]);
    expect(validate.stdout).toContain('production←master');
    expect(validate.stderr).not.toContain('master');
  });

  it("in a repository whose only branch is neither main nor master, production deploys from that branch", async () => {
    const dir = repo({ config: null });
    execFileSync('git', ['-C', dir, 'branch', '-m', 'trunk']);
    const result = await axum(['init', '--repo', dir]);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(dir, 'axum.yml'), 'utf8')).toContain('  production: { branch: trunk, approval: manual }');
    expect(result.stdout).toContain("production deploys from trunk, the repository's only branch (it has no main or master)");
    expect(result.stderr).not.toContain('no main or master');
  });

  it('with several branches and neither main nor master, production deploys from main, not the feature branch checked out, and the line to edit is named', async () => {
    const dir = repo({ config: null });
    execFileSync('git', ['-C', dir, 'branch', '-m', 'trunk']);
    execFileSync('git', ['-C', dir, 'checkout', '-q', '-b', 'feature/login']);
    const result = await axum(['init', '--repo', dir]);
    expect(result.code, result.stderr).toBe(0);
    const lines = readFileSync(join(dir, 'axum.yml'), 'utf8').split('\n');
    const named = /production on line (\d+) of axum\.yml/.exec(result.stderr)?.[1];
    expect(result.stderr).toContain('axum: this repository has no main or master branch: production deploys from main, which does not exist; edit the branch: of production on line ');
    expect(lines[Number(named) - 1]).toBe('  production: { branch: main, approval: manual }   # deploys wait for `axum approve production`');
    expect(lines.join('\n')).not.toContain('feature/login');
    expect(result.stdout).not.toContain('production deploys from');
  });

  it('in a clone of a feature branch (git clone -b), production deploys from the main its remote has, not the only local branch', async () => {
    const origin = repo({ config: null });
    execFileSync('git', ['-C', origin, 'branch', 'feature/login']);
    const dir = join(origin, 'clone'); // removed with the origin
    execFileSync('git', ['clone', '-q', '-b', 'feature/login', origin, dir]);
    const result = await axum(['init', '--repo', dir]);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(dir, 'axum.yml'), 'utf8')).toContain('  production: { branch: main, approval: manual }');
    expect(result.stdout).not.toContain('feature/login, the repository');
    expect(result.stderr).not.toContain('no main or master');
  });

  it('finds train.py, or a make train target, and says when it found nothing', async () => {
    const python = repo({ config: null });
    writeFileSync(join(python, 'requirements.txt'), 'numpy\n');
    writeFileSync(join(python, 'train.py'), 'print(1)\n');
    expect((await axum(['init', '--repo', python])).stdout).toContain('training: train.py');
    expect(readFileSync(join(python, 'axum.yml'), 'utf8')).toContain('{ name: train, run: "python train.py"');
    const make = repo({ config: null });
    writeFileSync(join(make, 'Makefile'), 'train: data\n\tpython fit.py\n');
    expect((await axum(['init', '--repo', make])).stdout).toContain('training: the Makefile target "train"');
    const none = repo({ config: null });
    const result = await axum(['init', '--repo', none]);
    expect(result.stderr).toContain('no training entry point found');
    expect((await axum(['validate', '--repo', none])).code).toBe(0);
  });
});
