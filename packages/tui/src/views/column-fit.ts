// Which columns a table shows at a width, as k9s decides it: the identity and state columns always,
// the secondary ones dropped first (the least needed first) rather than letting the row's end — often
// a state column such as FLAGS — be cut off by the terminal's edge.

/** One column: its title, how wide its text wants to be, and how much it is needed. */
export interface ColumnSpec {
  title: string;
  /** The widest cell (or the title), capped: what the column wants, without the space after it. */
  wants: number;
  /** 0: always shown (identity, state); higher numbers are dropped first. */
  priority: number;
  /** Takes what is left of the row (at most one column). */
  flex?: boolean;
  /** Wider than `wants` when the row has room: spare width goes to the columns up to their `full`, in priority order (then left to right), and what is left to the flex column. */
  full?: number;
}

/**
 * The width of each column (a column of space after each but the last), 0 for a dropped one: the
 * columns of the highest priority number go while the row would be wider than `available`.
 */
export function fitColumns(specs: readonly ColumnSpec[], available: number): number[] {
  const widths = specs.map((c, i) => (i === specs.length - 1 ? c.wants : c.wants + 1));
  const total = () => widths.reduce((sum, w) => sum + w, 0);
  const droppable = specs
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c.priority > 0)
    // Highest number first; of equal ones, the rightmost first.
    .sort((a, b) => b.c.priority - a.c.priority || b.i - a.i);
  for (const { i } of droppable) {
    if (total() <= available) break;
    widths[i] = 0;
  }
  // Spare width goes to the columns that grow, in priority order, then what is left to the flex column.
  for (const i of specs.map((_c, i) => i).sort((a, b) => specs[a]!.priority - specs[b]!.priority || a - b)) {
    const grow = Math.min(Math.max(0, available - total()), Math.max(0, (specs[i]!.full ?? 0) - specs[i]!.wants));
    if (widths[i]! > 0) widths[i]! += grow;
  }
  // The flex column takes the rest of the row, or gives up what the row lacks.
  const flexAt = specs.findIndex((c) => c.flex);
  if (flexAt >= 0 && widths[flexAt]! > 0) widths[flexAt] = Math.max(flexAt === specs.length - 1 ? 1 : 2, available - (total() - widths[flexAt]!));
  return widths;
}

/** A cell at its column's width: cut with … when longer, padded with the space after it; '' for a dropped column. */
export function fitCell(text: string, width: number, last = false): string {
  if (width <= 0) return '';
  if (last) return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
  const room = width - 1;
  return (text.length > room ? `${text.slice(0, Math.max(0, room - 1))}…` : text).padEnd(width);
}
