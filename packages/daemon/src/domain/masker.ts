/** What replaces a secret in logs, the stream and the history. */
export const MASK = '***';

/**
 * Masks registered secret values in a byte stream split at arbitrary chunk boundaries.
 * Works on latin1 strings (one char per byte), so the output is byte-exact apart from the masks
 * and binary output survives. Holds back the longest tail that could still begin a secret (or one
 * of its encodings), so a secret split across chunks is masked all the same.
 */
export interface Masker {
  /** Feeds a chunk; returns what is safe to write now. */
  push(chunk: Buffer): Buffer;
  /** Flushes what was held back at the end of the stream. */
  end(): Buffer;
}

/**
 * The masking rule for short values: a secret shorter than this many bytes is not masked at all,
 * neither raw nor in any encoding (masking "a", or the base64 fragment of "ab", would shred every
 * log line into noise while hiding nothing worth hiding). From this length on, every variant below
 * is masked; an encoded fragment shorter than this many characters is never used as a needle
 * (with secrets of at least 4 bytes none is: the shortest base64 fragment of a 4-byte secret has
 * 4 characters).
 */
export const MIN_SECRET_LENGTH = 4;

/**
 * The base64 fragments of `secret` that appear in the base64 of ANY stream containing it, one per
 * alignment. Base64 turns each 3 bytes into 4 characters of 6 bits; where the secret's first byte
 * lands in its 3-byte group (stream offset mod 3 = 0, 1 or 2) changes every character, and the
 * characters at both ends mix in bits of the neighbouring bytes. For alignment `p` the stable part
 * is exactly the characters whose 6 bits lie inside the secret's bits: bit range [8p, 8p + 8n) of
 * the group-aligned encoding, i.e. characters ceil(8p/6) … floor((8p + 8n)/6) - 1 of
 * base64(p filler bytes + secret). That is the GitHub Actions runner's idea (it encodes the value
 * with its first 0, 1 and 2 bytes removed and trims the trailing characters that depend on what
 * follows), kept maximal here so that short secrets still give fragments of 4+ characters.
 * Both the standard and the URL-safe alphabet are covered.
 */
export function base64Fragments(secret: Buffer): string[] {
  const fragments: string[] = [];
  for (let p = 0; p < 3; p++) {
    const encoded = Buffer.concat([Buffer.alloc(p), secret]).toString('base64');
    const fragment = encoded.slice(Math.ceil((8 * p) / 6), Math.floor((8 * (p + secret.length)) / 6));
    fragments.push(fragment, fragment.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return fragments.filter((f) => f.length >= MIN_SECRET_LENGTH);
}

/** application/x-www-form-urlencoded (URLSearchParams, HTML forms): space is `+`, `*` and the like are escaped. */
function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

/**
 * Every form of a secret that is masked, as latin1 strings (one char per byte): the raw UTF-8
 * bytes; base64 at the three alignments (standard and URL-safe); hex, lower and upper case;
 * URL-encoded (encodeURIComponent, with upper and lower case escapes) and form-encoded.
 * Empty when the secret is shorter than MIN_SECRET_LENGTH bytes.
 */
export function secretVariants(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  if (bytes.length < MIN_SECRET_LENGTH) return [];
  const hex = bytes.toString('hex');
  const uri = encodeURIComponent(secret);
  const variants = [
    bytes.toString('latin1'),
    ...base64Fragments(bytes),
    hex,
    hex.toUpperCase(),
    uri,
    uri.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
    formEncode(secret),
  ];
  return [...new Set(variants.filter((v) => v.length >= MIN_SECRET_LENGTH))];
}

/**
 * A multi-line secret (a PEM key, a JSON credential) is masked whole and also line by line: tools
 * print such values one line at a time, reflowed or between other output. Each line of at least
 * MIN_SECRET_LENGTH bytes (without its `\r`) counts as a secret of its own, encodings included.
 */
export function secretsWithLines(secrets: readonly string[]): string[] {
  return [...new Set(secrets.flatMap((secret) => [secret, ...(secret.includes('\n') ? secret.split('\n').map((line) => line.replace(/\r$/, '')) : [])]))];
}

export function createMasker(secrets: readonly string[]): Masker {
  // Longest first, so a long variant is masked whole before a shorter one could bite into it.
  const needles = [...new Set(secretsWithLines(secrets).flatMap(secretVariants))].sort((a, b) => b.length - a.length);
  let pending = '';
  const maskAll = (text: string): string => needles.reduce((acc, needle) => (acc.includes(needle) ? acc.split(needle).join(MASK) : acc), text);
  /** Length of the longest tail of `text` that is a proper prefix of some needle. */
  const heldBack = (text: string): number => {
    let keep = 0;
    for (const needle of needles) {
      const first = needle.charCodeAt(0);
      for (let k = Math.min(needle.length - 1, text.length); k > keep; k--) {
        if (text.charCodeAt(text.length - k) === first && text.endsWith(needle.slice(0, k))) {
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

/** `maskText` for many strings with the same secrets: the forms are worked out once, and a text with none of them is returned as it is. */
export function textMasker(secrets: readonly string[]): (text: string) => string {
  const needles = [...new Set(secretsWithLines(secrets).flatMap(secretVariants))];
  return (text) => {
    const bytes = Buffer.from(text, 'utf8').toString('latin1');
    return needles.some((needle) => bytes.includes(needle)) ? maskText(text, secrets) : text;
  };
}
