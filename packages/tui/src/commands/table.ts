// The tables of `axum status`, `runs`, `history` and `releases`: left-aligned columns, fitted to the terminal.

/** How a table may give way when it is wider than the output: never an id, a revision or a mark. */
export interface TableFit {
  /** Free-text columns (subjects, messages, who) that may be cut with `…`, the widest first (those marked `first` before the others), each down to its `min`. */
  elide?: readonly { column: number; min?: number; first?: boolean }[];
  /** Columns left out, in this order, when cutting the free text is not enough. */
  drop?: readonly number[];
  /**
   * Columns with a shorter form of each row's cell (a time as `3m ago`), taken before anything is
   * cut or left out: the room goes to the columns that inform.
   */
  shorten?: readonly { column: number; cells: readonly string[] }[];
}

/** What a cut column keeps at least, besides its header: a few characters still say what it was. */
const ELIDED_MIN = 6;

/**
 * The width tables fit: the terminal's columns on a TTY; off one, `COLUMNS` when set (a script that
 * asks for it), else null: a pipe or a file gets whole lines.
 */
export function outputWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout, env: NodeJS.ProcessEnv = process.env): number | null {
  if (stream.isTTY && stream.columns) return stream.columns;
  const columns = Number(env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? columns : null;
}

const lengthOf = (text: string) => [...text].length;

/** `text` in at most `width` characters, its end replaced by `…` when cut. */
export function elide(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

const pad = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - lengthOf(text)));

/**
 * Left-aligned columns, two spaces apart. With a `width`, a wider table takes the short forms of
 * `fit.shorten` first, then leaves out the columns `fit.drop` names (in order) while even its cut
 * free text would not fit, then cuts its free-text columns, the widest first, until a line fits.
 */
export function table(header: readonly string[], allRows: readonly (readonly string[])[], width: number | null = null, fit: TableFit = {}): string[] {
  const widthsOf = (rows: readonly (readonly string[])[]) => header.map((h, i) => Math.max(lengthOf(h), ...rows.map((r) => lengthOf(r[i] ?? ''))));
  const wide = widthsOf(allRows);
  const shown = header.map(() => true);
  const total = (w: readonly number[]) => w.reduce((sum, n, i) => (shown[i] ? sum + n + 2 : sum), -2);
  // Wider than the terminal: the short forms first, before anything informative is cut.
  const rows = width !== null && total(wide) > width && fit.shorten ? allRows.map((row, r) => row.map((cell, i) => fit.shorten!.find((s) => s.column === i)?.cells[r] ?? cell)) : allRows;
  const widths = rows === allRows ? wide : widthsOf(rows);
  if (width !== null) {
    const cuttable = (fit.elide ?? []).map(({ column, min, first }) => ({ column, first: first === true, min: Math.min(widths[column] ?? 0, Math.max(lengthOf(header[column] ?? ''), min ?? ELIDED_MIN)) }));
    const atLeast = () => total(widths.map((w, i) => cuttable.find((c) => c.column === i)?.min ?? w));
    for (const column of fit.drop ?? []) if (atLeast() > width) shown[column] = false;
    while (total(widths) > width) {
      const widest = cuttable.filter((c) => shown[c.column] && widths[c.column]! > c.min).sort((a, b) => Number(b.first) - Number(a.first) || widths[b.column]! - widths[a.column]!)[0];
      if (!widest) break;
      widths[widest.column]! -= 1;
    }
  }
  const line = (cells: readonly string[]) =>
    header
      .flatMap((_, i) => (shown[i] ? [pad(elide(cells[i] ?? '', widths[i]!), widths[i]!)] : []))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
