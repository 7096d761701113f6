import { describe, expect, it } from 'vitest';
import { paramsProblemText } from './params-words.js';

describe('paramsProblemText', () => {
  it('names request fields as typed on the command line, bounds in words', () => {
    expect(paramsProblemText('params.reason: Too big: expected string to have <=500 characters')).toBe('--reason: at most 500 characters');
    expect(paramsProblemText('params.releaseId: Too big: expected string to have <=64 characters; params.branch: Too small: expected string to have >=1 characters')).toBe(
      'the release id: at most 64 characters; --branch: empty: name one',
    );
    expect(paramsProblemText('no release rel-9')).toBe('no release rel-9');
    expect(paramsProblemText('params.limit: Too big: expected number to be <=10000')).toBe('--limit: at most 10000');
    expect(paramsProblemText('params.runId: Too small: expected string to have >=1 characters')).toBe('the run: empty: name one');
    expect(paramsProblemText('params.reason: Too small: expected string to have >=3 characters')).toBe('--reason: at least 3 characters');
  });
});
