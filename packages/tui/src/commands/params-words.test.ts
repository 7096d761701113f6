import { describe, expect, it } from 'vitest';
import { paramsProblemText } from './params-words.js';

describe('paramsProblemText', () => {
  it('names request fields as typed on the command line, bounds in words', () => {
    expect(paramsProblemText('params.reason: Too big: expected string to have <=500 characters')).toBe('--reason: at most 500 characters');
    expect(paramsProblemText('params.releaseId: Too big: expected string to have <=64 characters; params.branch: Too small: expected string to have >=1 characters')).toBe(
      'the release id: at most 64 characters; --branch: at least 1 characters',
    );
    expect(paramsProblemText('no release rel-9')).toBe('no release rel-9');
  });
});
