import { parseConfigText } from '@axum/protocol';
import { describe, expect, it } from 'vitest';
import { afterDeployText } from './validate.js';

const base = 'version: 1\nenvironments: { dev: { branch: develop } }\nstages: [{ name: test, steps: [{ name: unit, run: "true" }] }]\n';
const read = (text: string) => {
  const load = parseConfigText(base + text, 'axum.yml');
  if (!load.ok) throw new Error(JSON.stringify(load.errors));
  return load.config;
};

describe('afterDeployText', () => {
  it('says what the summary read of verify, its gates and rollback', () => {
    expect(afterDeployText(read('verify:\n  steps: [{ name: eval, run: "true" }]\n  gates: { accuracy: ">= 0.8", latency: "<= 250" }\nrollback: { auto: true }\n'))).toBe('verify: 1 step, gates: accuracy, latency; rollback: auto');
    expect(afterDeployText(read('verify:\n  steps: [{ name: a, run: "true" }, { name: b, run: "true" }]\n'))).toBe('verify: 2 steps, no gates; rollback: manual');
    expect(afterDeployText(read(''))).toBe('no verify; rollback: manual');
  });
});
