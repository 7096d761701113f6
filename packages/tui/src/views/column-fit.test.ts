import { describe, expect, it } from 'vitest';
import { fitCell, fitColumns } from './column-fit.js';
import { footerLine } from './Footer.js';

describe('columns that give way', () => {
  const specs = [
    { title: 'ENV', wants: 10, priority: 0 },
    { title: 'BRANCH', wants: 7, priority: 2 },
    { title: 'LKG', wants: 3, priority: 1 },
    { title: 'FLAGS', wants: 34, priority: 0, flex: true },
  ];
  it('keeps every column where the row has room, the flex column taking the rest', () => {
    expect(fitColumns(specs, 80)).toEqual([11, 8, 4, 57]);
  });
  it('drops the highest priority number first, never a column of priority 0', () => {
    expect(fitColumns(specs, 50)).toEqual([11, 0, 4, 35]);
    expect(fitColumns(specs, 45)).toEqual([11, 0, 0, 34]);
    expect(fitColumns(specs, 20)).toEqual([11, 0, 0, 9]);
  });
  it('gives spare width to growing columns in priority order before the flex column', () => {
    expect(fitColumns([{ title: 'A', wants: 4, priority: 0, flex: true, full: 10 }, { title: 'B', wants: 4, priority: 0, full: 8 }, { title: 'C', wants: 4, priority: 1, full: 20 }], 30)).toEqual([11, 9, 10]);
  });
  it('cuts a cell with … and pads it with the space after it; a dropped one is empty', () => {
    expect(fitCell('production', 6)).toBe('prod… ');
    expect(fitCell('prod', 6)).toBe('prod  ');
    expect(fitCell('production', 0)).toBe('');
    expect(fitCell('pinned, protected', 8, true)).toBe('pinned,…');
  });
});

describe('the footer at any width', () => {
  const hints = ['j/↓ down', 'k/↑ up', 'Tab focus', 'Enter open', '/ filter', 'r roll back', '? help', 'Esc back', 'q quit'].map((text) => ({ label: text.split(' ')[0]!, text }));
  // The keys always shown stand at the right edge of the row, the others from the left.
  const edge = (left: string, columns: number) => `${left}${' '.repeat(columns - left.length - '? help · Esc back · q quit'.length)}? help · Esc back · q quit`;
  it('keeps ? Esc q at the right edge; the moving keys go first, then the last others', () => {
    expect(footerLine(hints, 120)).toBe(edge('j/↓ down · k/↑ up · Tab focus · Enter open · / filter · r roll back', 120));
    expect(footerLine(hints, 80)).toBe(edge('Tab focus · Enter open · / filter · r roll back', 80));
    expect(footerLine(hints, 60)).toBe(edge('Tab focus · Enter open', 60));
    expect(footerLine(hints, 20)).toBe('? help · Esc back · q quit');
    for (const columns of [120, 80, 60]) expect(footerLine(hints, columns)).toHaveLength(columns);
  });

  it('drops the moving keys both at once: never k/↑ without j/↓', () => {
    const line = footerLine(hints, 'j/↓ down · k/↑ up · Tab focus · Enter open · / filter · r roll back · ? help · Esc back · q quit'.length - 1);
    expect(line).toBe(edge('Tab focus · Enter open · / filter · r roll back', line.length));
  });

  it('keeps every place as keys come and go: a key refused now leaves its place blank', () => {
    const refused = (label: string) => hints.map((h) => (h.label === label ? { ...h, available: false } : h));
    const all = footerLine(hints, 80);
    for (const label of ['r', 'Tab', 'Enter']) {
      const line = footerLine(refused(label), 80);
      expect(line).not.toContain(hints.find((h) => h.label === label)!.text);
      // Every hint still shown is where it is when all are.
      for (const h of hints.filter((h) => h.label !== label && all.includes(h.text))) expect(line.indexOf(h.text)).toBe(all.indexOf(h.text));
    }
    // Which hints get a place is decided with the refused ones counted: k/↑ does not come back in r's room.
    // A refused key last of the others leaves no hole before ? help: only the room between the groups.
    expect(footerLine(refused('r'), 80)).toBe(edge('Tab focus · Enter open · / filter', 80));
    expect(footerLine(refused('Tab'), 80)).toBe(edge('            Enter open · / filter · r roll back', 80));
  });
});
