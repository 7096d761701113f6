import { afterEach, describe, expect, it } from 'vitest';
import { sayIfStartEmpties } from './start-up.js';

afterEach(() => {
  process.exitCode = undefined;
});

describe('a start that leaves nothing running before the daemon listens', () => {
  it('is said in the log and exits with code 1, not 0 and no word; once listening, an empty loop says nothing', () => {
    const errors: string[] = [];
    const logger = { info: () => undefined, warn: () => undefined, error: (m: string) => errors.push(m) };
    const listened = sayIfStartEmpties(logger);
    process.emit('beforeExit', 0);
    expect(errors).toEqual(['could not start: nothing was left running before the daemon listened (the start awaited work that holds nothing open); exiting']);
    expect(process.exitCode).toBe(1);

    process.exitCode = undefined;
    const second = sayIfStartEmpties(logger);
    second();
    process.emit('beforeExit', 0);
    expect(errors).toHaveLength(1);
    expect(process.exitCode).toBeUndefined();
    listened();
  });
});
