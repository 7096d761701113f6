/** What replaces a secret in logs, the stream and the history. */
export const MASK = '***';

/**
 * Masks registered secret values in a byte stream split at arbitrary chunk boundaries.
 * Works on latin1 strings (one char per byte), so the output is byte-exact apart from the masks
 * and binary output survives. Holds back the longest tail that could still begin a secret.
 */
export interface Masker {
  /** Feeds a chunk; returns what is safe to write now. */
  push(chunk: Buffer): Buffer;
  /** Flushes what was held back at the end of the stream. */
  end(): Buffer;
}

/** Secrets shorter than this are not masked: masking "a" would shred every log line. */
export const MIN_SECRET_LENGTH = 4;

export function createMasker(secrets: readonly string[]): Masker {
  const needles = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH).map((s) => Buffer.from(s, 'utf8').toString('latin1')))].sort(
    (a, b) => b.length - a.length,
  );
  let pending = '';
  const maskAll = (text: string): string => needles.reduce((acc, needle) => acc.split(needle).join(MASK), text);
  const heldBack = (text: string): number => {
    let keep = 0;
    for (const needle of needles) {
      for (let k = Math.min(needle.length - 1, text.length); k > keep; k--) {
        if (text.endsWith(needle.slice(0, k))) {
          keep = k;
          break;
        }
      }
    }
    return keep;
  };
  return {
    push(chunk) {
      if (needles.length === 0) return chunk;
      const text = maskAll(pending + chunk.toString('latin1'));
      const keep = heldBack(text);
      pending = text.slice(text.length - keep);
      return Buffer.from(text.slice(0, text.length - keep), 'latin1');
    },
    end() {
      const rest = maskAll(pending);
      pending = '';
      return Buffer.from(rest, 'latin1');
    },
  };
}

/** Masks a whole string at once (error messages, history fields). */
export function maskText(text: string, secrets: readonly string[]): string {
  const masker = createMasker(secrets);
  return Buffer.concat([masker.push(Buffer.from(text, 'utf8')), masker.end()]).toString('utf8');
}
