import { describe, expect, it } from 'vitest';
import { promptRows } from './confirm-prompt.js';

describe('the CLI confirmation prompt', () => {
  const what = 'roll back production-eu-west to #12 (rel-40), marking rel-41 (serving, failed, #13) bad';
  it('wraps the question by words at 80 columns and gives the name to type a line of its own', () => {
    const { rows, ask } = promptRows(what, 'production-eu-west', ['code: takes back 2 commits: 1a2b3c4 retrain on the cleaned set · 5d6e7f8 bump the tokenizer to v2 and more'], 80);
    expect(rows.every((row) => row.length <= 80)).toBe(true);
    // Every word of the question whole, in order, on some row.
    expect(rows.slice(0, 2).join(' ')).toBe(`${what}?`);
    expect(rows[2]).toMatch(/^ {2}code: takes back 2 commits/);
    expect(rows[3]).toMatch(/^ {4}\S/);
    expect(ask).toBe('type production-eu-west to confirm: ');
  });
  it('asks y/N for an environment that is not protected', () => {
    expect(promptRows('deploy rel-3 to staging', null, [], 80)).toEqual({ rows: ['deploy rel-3 to staging?'], ask: 'go ahead? [y/N] ' });
  });
});
