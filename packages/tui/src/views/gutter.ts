/**
 * The selected row's mark. Inverse video alone vanishes under `NO_COLOR` (which turns off every
 * attribute), leaving `j`/`k` with nothing to show: the gutter marks the row in plain text too.
 */
export const gutter = (selected: boolean): string => (selected ? '› ' : '  ');

/** The gutter's width, for headings that line up with the rows. */
export const GUTTER = '  ';
