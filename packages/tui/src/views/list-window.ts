// A list longer than its rows shows a window around the selected row, and says what is out of it,
// each way, as k9s does: `↑ 18 more · ↓ 3 more (j/k, PgUp/PgDn; axum runs)`.

/** The rows out of the window, each way, and where the rest is read (`how`: the keys, and the command). */
export function moreText(above: number, below: number, how: string): string {
  const ways = [above > 0 ? `↑ ${above} more` : '', below > 0 ? `↓ ${below} more` : ''].filter(Boolean);
  return `${ways.join(' · ')} (${how})`;
}

/**
 * The window of a list of `count` rows kept around `selected` within `room` rows: when the list
 * does not fit, one of those rows is the `more` line, so the frame keeps its height.
 */
export function listWindow(count: number, selected: number, room: number): { start: number; size: number; cut: boolean } {
  const fits = count <= Math.max(1, room);
  const size = fits ? Math.max(1, room) : Math.max(1, room - 1);
  const start = Math.max(0, Math.min(selected - size + 1, count - size));
  return { start, size, cut: !fits };
}
