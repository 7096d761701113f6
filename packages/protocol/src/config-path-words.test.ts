import { describe, expect, it } from 'vitest';
import { pathWords } from './config-path-words.js';

const data = {
  environments: { production: { branch: 'main', hosts: ['a@b:/srv'] }, gates: { branch: 'x' } },
  stages: [{ name: 'train', steps: [{ name: 'fit', run: 'x' }, { run: 'y' }] }],
  verify: { steps: [{ name: 'eval' }], checks: [{ name: 'latency' }], gates: { accuracy: '>= 0.8' } },
  watch: { paths: ['src/**'], stages: ['lint'] },
};

describe('pathWords', () => {
  it('names stages, steps and checks by their name, else their position, and environments by theirs', () => {
    expect(pathWords(data, ['stages', 0, 'steps', 0, 'timeout'])).toBe('stage "train", step "fit", timeout');
    expect(pathWords(data, ['stages', 0, 'steps', 1])).toBe('stage "train", step 2');
    expect(pathWords(data, ['stages', 0, 'steps', 1, 'name'])).toBe('stage "train", step 2, name');
    expect(pathWords(data, ['environments', 'production', 'branch'])).toBe('environment "production", branch');
    expect(pathWords(data, ['environments', 'production', 'hosts', 0])).toBe('environment "production", hosts');
    // An environment named like a mapping key is still an environment, and its keys plain keys.
    expect(pathWords(data, ['environments', 'gates', 'branch'])).toBe('environment "gates", branch');
    expect(pathWords(data, ['verify', 'checks', 0, 'prometheus'])).toBe('verify check "latency", prometheus');
    expect(pathWords(data, ['verify', 'steps', 0, 'run'])).toBe('verify step "eval", run');
    expect(pathWords(data, ['verify', 'gates', 'accuracy'])).toBe('verify gate "accuracy"');
    expect(pathWords(data, ['watch', 'stages', 0])).toBe('watch stages');
    expect(pathWords(data, ['watch', 'paths'])).toBe('watch paths');
    expect(pathWords(data, [])).toBe('');
  });
});
