import { describe, expect, it } from 'vitest';
import { elide, outputWidth, table } from './table.js';

const header = ['RUN', 'STATUS', 'TIME', 'SUBJECT'];
const rows = [['run-12', 'succeeded', '1.2s', 'a subject long enough to push the row far past eighty columns of a terminal']];

describe('table', () => {
  it('without a width, lines are whole', () => {
    expect(table(header, rows)).toEqual(['RUN     STATUS     TIME  SUBJECT', `run-12  succeeded  1.2s  ${rows[0]![3]}`]);
  });
  it('cuts the free text with … to fit, never the other columns', () => {
    const lines = table(header, rows, 40, { elide: [{ column: 3 }] });
    expect(lines.map((l) => [...l].length)).toEqual([32, 40]);
    expect(lines[1]).toBe('run-12  succeeded  1.2s  a subject long…');
  });
  it('leaves out the columns it may drop when cutting is not enough, then cuts', () => {
    const lines = table(header, rows, 26, { elide: [{ column: 3 }], drop: [2] });
    expect(lines[1]).toBe('run-12  succeeded  a subj…');
  });
  it('a table that cannot fit keeps its key columns whole', () => {
    expect(table(header, rows, 10, { elide: [{ column: 3 }] })[1]).toBe('run-12  succeeded  1.2s  a subj…');
  });
  it('takes the short forms first, and only when the table is wider than the width', () => {
    const timed = [['run-12', 'succeeded', '2026-12-05 13:57:00', 'a subject']];
    const fit = { shorten: [{ column: 2, cells: ['3m ago'] }], elide: [{ column: 3 }] };
    expect(table(['RUN', 'STATUS', 'CREATED', 'SUBJECT'], timed, 40, fit)[1]).toBe('run-12  succeeded  3m ago   a subject');
    expect(table(['RUN', 'STATUS', 'CREATED', 'SUBJECT'], timed, 80, fit)[1]).toBe('run-12  succeeded  2026-12-05 13:57:00  a subject');
    expect(table(['RUN', 'STATUS', 'CREATED', 'SUBJECT'], timed, null, fit)[1]).toBe('run-12  succeeded  2026-12-05 13:57:00  a subject');
  });
  it('cuts a column marked first down to its least before the wider ones', () => {
    const two = [['run-12', 'accuracy 0.93 ✓ >= 0.8', 'ana (axum rollback)']];
    expect(table(['RUN', 'GATES', 'BY'], two, 40, { elide: [{ column: 1 }, { column: 2, first: true }] })[1]).toBe('run-12  accuracy 0.93 ✓ >= 0.8  ana (ax…');
  });
  it('cuts by characters, not bytes', () => {
    expect(elide('accuracy 0.91 ✓ >= 0.85', 10)).toBe('accuracy …');
    expect(elide('short', 10)).toBe('short');
  });
});

describe('outputWidth', () => {
  it("a terminal's columns; off a terminal COLUMNS when set, else none", () => {
    expect(outputWidth({ isTTY: true, columns: 120 }, { COLUMNS: '80' })).toBe(120);
    expect(outputWidth({ isTTY: false }, { COLUMNS: '80' })).toBe(80);
    expect(outputWidth({ isTTY: false }, {})).toBeNull();
    expect(outputWidth({ isTTY: false }, { COLUMNS: 'wide' })).toBeNull();
  });
});
