import { describe, expect, it } from 'vitest';
import { parseConfigText } from './pipeline-config-parse.js';

const valid = `version: 1
environments:
  dev: { branch: develop }
  production: { branch: main, approval: manual }
stages:
  - name: test
    steps:
      - { name: unit, run: npm test, timeout: 5m }
`;

describe('parseConfigText', () => {
  it('accepts a valid file and fills defaults', () => {
    const load = parseConfigText(valid, 'axum.yml');
    expect(load.ok).toBe(true);
    if (!load.ok) return;
    expect(load.config.environments.dev).toEqual({ branch: 'develop', approval: 'auto' });
    expect(load.config.stages[0]?.steps[0]).toMatchObject({ name: 'unit', timeout: 300_000, retries: 0 });
  });

  it('says a value of the wrong kind in words, with the quoting YAML needs for run: true', () => {
    const load = parseConfigText(valid.replace('run: npm test', 'run: true').replace('stages:\n', 'stages:\n  - name: build\n    steps: { train: x }\n'), 'axum.yml');
    expect(load.ok).toBe(false);
    if (load.ok) return;
    expect(load.errors.map((e) => e.message)).toEqual(['stage "build", steps: expected a list, got a mapping', 'stage "test", step "unit", run: expected text, got true (a boolean); quote it if it is text: "true"']);
  });

  it('says a quoted version is text, as any value of the wrong kind; another number is not a version', () => {
    for (const [line, message] of [
      ['version: "1"', 'version: expected the number 1, got the text "1"'],
      ['version: true', 'version: expected the number 1, got true (a boolean)'],
      ['version: 3', 'version: only version 1 exists'],
    ]) {
      const load = parseConfigText(valid.replace('version: 1', line ?? ''), 'axum.yml');
      expect(load.ok ? [] : load.errors.map((e) => e.message)).toEqual([message]);
    }
  });

  it("says a bound or a choice in words, not the schema's (Too small: expected number to be >=0)", () => {
    const load = parseConfigText(`${valid.replace('run: npm test', 'run: npm test, retries: -1')}promote: sometimes\n`, 'axum.yml');
    expect(load.ok).toBe(false);
    if (load.ok) return;
    expect(load.errors.map((e) => e.message.replace(/^[^:]+: /, ''))).toEqual(['must be at least 0 (got -1)', 'expected "reuse" or "rebuild" (got "sometimes")']);
  });

  it('points an unknown key at its own line and column', () => {
    const load = parseConfigText(valid.replace('timeout: 5m', 'timeot: 5m'), 'axum.yml');
    expect(load.ok).toBe(false);
    if (load.ok) return;
    expect(load.errors).toEqual([
      { file: 'axum.yml', line: 8, col: 38, message: 'stage "test", step "unit": unknown key "timeot" (did you mean "timeout"?)' },
    ]);
  });

  it('sees through optional and defaulted objects to suggest a key (rollback: { aut })', () => {
    const load = parseConfigText(`${valid}rollback: { aut: true }\nhistory: { keepRun: 5 }\n`, 'axum.yml');
    expect(load.ok).toBe(false);
    if (load.ok) return;
    expect(load.errors.map((e) => e.message)).toEqual(['rollback: unknown key "aut" (did you mean "auto"?)', 'history: unknown key "keepRun" (did you mean "keepRuns"?)']);
  });

  it('suggests the key a misspelling meant, at every level, and nothing for a word far from any key', () => {
    const text = valid.replace('approval: manual', 'aproval: manual').replace('version: 1', 'version: 1\nrollbak: { auto: true }\nfrobnicate: 1');
    const load = parseConfigText(text, 'axum.yml');
    expect(load.ok).toBe(false);
    if (load.ok) return;
    expect(load.errors.map((e) => e.message)).toEqual([
      'unknown keys "rollbak" (did you mean "rollback"?), "frobnicate"',
      'environment "production": unknown key "aproval" (did you mean "approval"?)',
    ]);
  });

  it('points a wrong type at the value', () => {
    const load = parseConfigText(valid.replace('branch: develop', 'branch: [a, b]'), 'axum.yml');
    if (load.ok) throw new Error('expected an error');
    expect(load.errors[0]).toMatchObject({ line: 3, col: 18 });
    expect(load.errors[0]?.message).toMatch(/^environment "dev", branch: /);
  });

  it('reports a missing required key at the parent', () => {
    const load = parseConfigText('version: 1\nenvironments: {}\n', 'axum.yml');
    if (load.ok) throw new Error('expected an error');
    expect(load.errors.map((e) => e.message)).toContain('stages: required');
  });

  it('reports YAML syntax errors and duplicate keys with positions', () => {
    const dup = parseConfigText('version: 1\nversion: 1\n', 'axum.yml');
    if (dup.ok) throw new Error('expected an error');
    expect(dup.errors[0]).toMatchObject({ line: 2, col: 1, message: '"version" is written twice in the same map (this is the second): keep one, or merge them' });
    // Nested and quoted keys are named too.
    const nested = parseConfigText('version: 1\nenvironments:\n  dev: { branch: develop }\n  "dev": { branch: x }\n', 'axum.yml');
    if (nested.ok) throw new Error('expected an error');
    expect(nested.errors[0]).toMatchObject({ line: 4, col: 3, message: '"dev" is written twice in the same map (this is the second): keep one, or merge them' });
    const broken = parseConfigText('version: 1\nenvironments: [\n', 'axum.yml');
    expect(broken.ok).toBe(false);
  });

  it('rejects duplicate step names, a branch feeding two environments, bad durations and gates', () => {
    const text = `version: 1
environments:
  dev: { branch: main }
  production: { branch: main }
stages:
  - name: test
    steps:
      - { name: unit, run: a, timeout: 5 minutes }
      - { name: unit, run: b }
verify:
  gates: { accuracy: "about 0.9" }
`;
    const load = parseConfigText(text, 'axum.yml');
    if (load.ok) throw new Error('expected an error');
    const messages = load.errors.map((e) => `${e.line}:${e.col} ${e.message}`);
    expect(messages).toEqual([
      expect.stringMatching(/^4:25 environment "production", branch: branch "main" already feeds environment "dev"/),
      expect.stringMatching(/^8:40 stage "test", step "unit", timeout: a duration/),
      expect.stringMatching(/^9:17 stage "test", step "unit", name: duplicate step name "unit"/),
      expect.stringMatching(/^11:22 verify gate "accuracy": "about 0\.9" is not a gate: a comparison such as ">= 0\.90", ">= lkg - 0\.01"/),
    ]);
  });

  it('reads Prometheus checks in verify and monitor with their defaults, and points at a bad one', () => {
    const base = `version: 1
environments: { staging: { branch: main } }
stages: [{ name: b, steps: [{ name: t, run: "true" }] }]
`;
    const good = parseConfigText(
      `${base}verify:
  checks:
    - { name: error_rate, prometheus: { url: "http://127.0.0.1:9090", query: 'rate(errors{release="$RELEASE"}[1m])' }, fail: "> 0.02", every: 15s, count: 8, failures: 2, inconclusive: 3 }
  gates: { accuracy: ">= lkg - 0.01 or >= 0.85" }
monitor:
  checks: [{ name: error_rate, prometheus: { url: "http://127.0.0.1:9090", query: q }, pass: "<= 0.02" }]
`,
      'axum.yml',
    );
    if (!good.ok) throw new Error(JSON.stringify(good.errors));
    expect(good.config.verify?.checks[0]).toMatchObject({ every: 15_000, count: 8, failures: 2, inconclusive: 3, fail: '> 0.02' });
    expect(good.config.monitor).toMatchObject({ every: 30_000, checks: [{ every: 15_000, count: 1, failures: 0, inconclusive: 0, pass: '<= 0.02' }] });
    expect(good.config.monitor?.run).toBeUndefined();

    const bad = parseConfigText(
      `${base}verify:
  steps: [{ name: smoke, run: "true" }]
  checks:
    - { name: smoke, prometheus: { url: "localhost:9090", query: q }, fail: "> lkg" }
    - { name: e, prometheus: { url: "http://p", query: q, step: 1s } }
    - { name: f, prometheus: { url: "http://p", query: q }, fail: "> 1", pass: "< 1" }
monitor: { every: 5s }
`,
      'axum.yml',
    );
    if (bad.ok) throw new Error('expected errors');
    expect(bad.errors.map((e) => `${e.line}:${e.col} ${e.message}`)).toEqual([
      expect.stringMatching(/^7:15 verify check "smoke", name: duplicate name "smoke"/),
      expect.stringMatching(/^7:41 verify check "smoke", prometheus url: an http:\/\/ or https:\/\/ URL of Prometheus/),
      expect.stringMatching(/^7:77 verify check "smoke", fail: "> lkg" is not a condition: a fixed comparison/),
      expect.stringMatching(/^8:7 verify check "e": give exactly one of fail:/),
      expect.stringMatching(/^8:59 verify check "e", prometheus: unknown key "step"/),
      expect.stringMatching(/^9:7 verify check "f": give exactly one/),
      expect.stringMatching(/^10:10 monitor: a monitor needs run: \(a command\) or checks:/),
    ]);
  });

  it('treats an empty file as missing every required key', () => {
    const load = parseConfigText('', 'axum.yml');
    if (load.ok) throw new Error('expected an error');
    expect(load.errors.map((e) => e.message)).toEqual(expect.arrayContaining(['version: required', 'environments: required', 'stages: required']));
  });

  it('refuses a YAML alias bomb with a line:col problem instead of expanding it', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const text = `version: 1\nenvironments: { dev: { branch: develop } }\nstages: [{ name: t, steps: [{ name: u, run: "true" }] }]\n${levels.join('\n')}\n`;
    const load = parseConfigText(text, 'axum.yml');
    if (load.ok) throw new Error('expected an error');
    expect(load.errors).toHaveLength(1);
    expect(load.errors[0]).toMatchObject({ line: 5, message: expect.stringMatching(/^too many alias expansions \(over 100\)/) });
  });

  it('refuses an alias inside the node it names (the data would contain itself) at the alias, and keeps shared aliases', () => {
    const cyclic = `version: 1\nenvironments:\n  dev: &d { branch: develop, x: *d }\nstages: [{ name: t, steps: [{ name: u, run: "true" }] }]\n`;
    expect(parseConfigText(cyclic, 'axum.yml')).toEqual({ ok: false, errors: [{ file: 'axum.yml', line: 3, col: 33, message: 'an alias refers to a node that contains it (the data would contain itself): copy the values instead' }] });
    // A harmless shared alias before it: the problem points at the one inside its own node.
    const deep = `version: 1\nenvironments: { dev: { branch: develop, x: &v { a: 1 } , y: *v } }\nstages: &s [{ name: t, steps: [{ name: u, run: "true", more: *s }] }]\n`;
    expect(parseConfigText(deep, 'axum.yml')).toMatchObject({ ok: false, errors: [{ line: 3, col: 62, message: expect.stringMatching(/^an alias refers to a node that contains it/) }] });
    const siblings = `version: 1\nenvironments: { dev: { branch: develop } }\nstages: [{ name: t, steps: [{ name: u, run: "true", env: &vars { MODE: fast } }] }, { name: t2, steps: [{ name: v, run: "true", env: *vars }] }]\n`;
    expect(parseConfigText(siblings, 'axum.yml').ok).toBe(true);
  });

  it('counts alias expansions, not time: a small bomb whose whole expansion would fit is refused all the same', () => {
    // Four levels stand for 9^4 strings: parsed whole in a blink without the count, so only the count refuses it.
    const small = `version: 1\nenvironments: { dev: { branch: develop } }\nstages: [{ name: t, steps: [{ name: u, run: "true" }] }]\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [${Array(9).fill('*a').join(',')}]\nc: &c [${Array(9).fill('*b').join(',')}]\nd: &d [${Array(9).fill('*c').join(',')}]\n`;
    expect(parseConfigText(small, 'axum.yml')).toMatchObject({ ok: false, errors: [{ line: 5, message: expect.stringMatching(/^too many alias expansions/) }] });
    // Shared step commands, what aliases are for, stay well under it.
    const shared = `version: 1\nenvironments: { dev: { branch: develop } }\nstages: [{ name: s, steps: [{ name: u, run: &run "make" }, ${Array.from({ length: 20 }, (_, i) => `{ name: u${i}, run: *run }`).join(', ')}] }]\n`;
    expect(parseConfigText(shared, 'axum.yml').ok).toBe(true);
  });

  it('refuses a __proto__ key instead of dropping it; constructor and valueOf are plain names', () => {
    const text = (name: string) => `version: 1\nenvironments:\n  dev: { branch: develop }\n  ${name}: { branch: main }\nstages: [{ name: t, steps: [{ name: u, run: "true" }] }]\n`;
    const proto = parseConfigText(text('__proto__'), 'axum.yml');
    if (proto.ok) throw new Error('expected an error');
    expect(proto.errors).toEqual([{ file: 'axum.yml', line: 4, col: 14, message: 'environment "__proto__": "__proto__" is not allowed as a name' }]);
    const plain = parseConfigText(text('valueOf'), 'axum.yml');
    expect(plain.ok && Object.keys(plain.config.environments)).toEqual(['dev', 'valueOf']);
  });
});
