/** The pieces a LogBuffer keeps a log in (see log-buffer.ts), and the scans that make them. */

/**
 * Whole lines as received, kept as the chunk's own string: a firehose of 100,000 lines a second
 * would otherwise allocate 100,000 strings a second that only the ~30 lines on screen ever need.
 */
export interface Piece {
  text: string;
  /** Where each line of `text` ends (the index of its '\n', or text.length for a line cut without one). */
  ends: Uint32Array;
  /** Absolute number (from the log's first line) of the piece's first line. */
  first: number;
  /** Byte offset in the log of text[0]. */
  byteStart: number;
  /** One byte per character, so a line's byte offset is byteStart + its index. */
  ascii: boolean;
  /** Non-ASCII pieces only, filled when a timestamp is first asked for: each line's byte offset from byteStart. */
  byteStarts?: Uint32Array;
}

let scratch = new Uint32Array(4096);

/** Indexes of the '\n's of `text` (indexOf is a vectorized scan: no string is made per line). */
export function newlines(text: string): Uint32Array {
  let n = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) {
    if (n === scratch.length) {
      const grown = new Uint32Array(n * 2);
      grown.set(scratch);
      scratch = grown;
    }
    scratch[n++] = at;
  }
  return scratch.slice(0, n);
}

export const byteLength = (text: string, ascii: boolean): number => (ascii ? text.length : Buffer.byteLength(text));

/** Each line's byte offset from the piece's byteStart (non-ASCII pieces), computed once when first asked for. */
export function lineByteStarts(piece: Piece): Uint32Array {
  if (!piece.byteStarts) {
    const starts = new Uint32Array(piece.ends.length);
    let bytes = 0;
    let from = 0;
    for (let i = 0; i < piece.ends.length; i++) {
      starts[i] = bytes;
      const to = (piece.ends[i] ?? 0) + 1;
      bytes += Buffer.byteLength(piece.text.slice(from, to));
      from = to;
    }
    piece.byteStarts = starts;
  }
  return piece.byteStarts;
}
