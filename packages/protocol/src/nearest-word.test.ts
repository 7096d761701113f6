import { describe, expect, it } from 'vitest';
import { nearestWord } from './nearest-word.js';

describe('nearestWord', () => {
  const commands = ['status', 'runs', 'run', 'history', 'rollback', 'releases'];
  it('takes a typo: a letter wrong, missing, or two letters swapped', () => {
    expect(nearestWord('rollbak', commands)).toBe('rollback');
    expect(nearestWord('histroy', commands)).toBe('history');
    expect(nearestWord('rnus', commands)).toBe('runs');
    expect(nearestWord('Stauts', commands)).toBe('status');
  });
  it('takes the start of one name only (three letters or more), never of several', () => {
    expect(nearestWord('prod', ['staging', 'production'])).toBe('production');
    expect(nearestWord('rel', commands)).toBe('releases');
    expect(nearestWord('re', commands)).toBeNull();
    expect(nearestWord('dev', ['development', 'devbox'])).toBeNull();
  });
  it('says nothing for a word far from every name', () => {
    expect(nearestWord('deploy', commands)).toBeNull();
    expect(nearestWord('x', commands)).toBeNull();
  });
});

describe('noStepText', () => {
  it('names the step a typo meant, and the steps there are', async () => {
    const { noStepText } = await import('./refusal-words.js');
    expect(noStepText('run-9', 'tran', ['unit', 'train'], 'none yet')).toBe('run-9 has no step tran (did you mean train?; steps: unit, train)');
    expect(noStepText('run-9', 'deploy', ['unit', 'train'], 'none yet')).toBe('run-9 has no step deploy (steps: unit, train)');
    expect(noStepText('run-9', 'x', [], 'none yet')).toBe('run-9 has no step x (steps: none yet)');
  });
});
