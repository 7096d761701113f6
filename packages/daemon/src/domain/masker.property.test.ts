// Property tests of the masker (issue #9, "Secrets"): random secrets in random output, every
// encoding of the secret embedded, fed to the masker split at every chunk boundary.
// The oracle is computed independently of the masker's own variant list: the base64 part of it is
// read off the actual encoded output (the characters whose 6 bits lie inside the secret's bytes).
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createMasker, MIN_SECRET_LENGTH, secretVariants } from './masker.js';

const LONG = process.env.AXUM_TEST_LONG === '1';
const RUNS = LONG ? 1000 : 40;

let variantsChecked = 0;
let splitsChecked = 0;
afterAll(() => {
  console.log(`FIGURE masker property runs: ${RUNS} per property`);
  console.log(`FIGURE masker variant occurrences checked: ${variantsChecked}`);
  console.log(`FIGURE masker chunkings checked: ${splitsChecked}`);
});

const feed = (secrets: string[], chunks: Buffer[]): Buffer => {
  const masker = createMasker(secrets);
  return Buffer.concat([...chunks.map((c) => masker.push(c)), masker.end()]);
};

/** Secrets as an env var can hold them: any UTF-8 text without NUL, at least 4 bytes. */
const secretArb = fc
  .oneof(
    fc.string({ unit: 'grapheme-ascii', minLength: 4, maxLength: 48 }),
    fc.string({ unit: 'grapheme', minLength: 2, maxLength: 24 }),
    fc.stringMatching(/^[A-Za-z0-9_]{4,40}$/),
    fc.stringMatching(/^hf_[A-Za-z0-9]{30,34}$/),
  )
  .filter((s) => Buffer.byteLength(s) >= MIN_SECRET_LENGTH && !s.includes('\0') && !s.includes('*'));

const noiseArb = fc.oneof(fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a)), fc.string({ unit: 'grapheme-ascii', maxLength: 24 }).map((s) => Buffer.from(s)));

interface Case {
  secret: string;
  output: Buffer;
  /** Strings that must not survive masking (latin1, one char per byte). */
  forbidden: string[];
}

/** The secret's base64 as it appears inside base64(before + secret + after): the chars made of secret bits only. */
function base64Window(before: Buffer, secret: Buffer, after: Buffer): { encoded: string; window: string } {
  const encoded = Buffer.concat([before, secret, after]).toString('base64');
  const startBit = 8 * before.length;
  const endBit = startBit + 8 * secret.length;
  const window = encoded.slice(Math.ceil(startBit / 6), Math.floor(endBit / 6));
  return { encoded, window };
}

/** Every form of the secret, each embedded in noise, on lines of their own and inline. */
const caseArb = fc
  .record({
    secret: secretArb,
    noise: fc.array(noiseArb, { minLength: 14, maxLength: 14 }),
    pads: fc.array(fc.uint8Array({ maxLength: 7 }).map((a) => Buffer.from(a)), { minLength: 6, maxLength: 6 }),
  })
  .map(({ secret, noise, pads }): Case => {
    const bytes = Buffer.from(secret, 'utf8');
    const parts: Buffer[] = [];
    const forbidden = new Set<string>();
    let n = 0;
    const put = (text: string | Buffer) => {
      parts.push(noise[n++ % noise.length] as Buffer, typeof text === 'string' ? Buffer.from(text, 'latin1') : text);
    };
    // Raw, inline and one per line.
    put(bytes);
    put(Buffer.concat([Buffer.from('\n'), bytes, Buffer.from('\n'), bytes, Buffer.from('\n')]));
    forbidden.add(bytes.toString('latin1'));
    // Base64 at all three alignments: 0, 1, 2 bytes (mod 3) of other data before the secret.
    for (let p = 0; p < 3; p++) {
      const before = Buffer.concat([pads[p] as Buffer, Buffer.alloc(3)]).subarray(0, 3 * Math.floor((pads[p] as Buffer).length / 3) + p);
      const { encoded, window } = base64Window(before, bytes, pads[p + 3] as Buffer);
      put(encoded);
      put(encoded.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
      forbidden.add(window);
      forbidden.add(window.replace(/\+/g, '-').replace(/\//g, '_'));
    }
    const hex = bytes.toString('hex');
    put(hex);
    put(hex.toUpperCase());
    forbidden.add(hex).add(hex.toUpperCase());
    const uri = Buffer.from(encodeURIComponent(secret)).toString('latin1');
    put(uri);
    forbidden.add(uri);
    const form = new URLSearchParams({ t: secret }).toString().slice(2);
    put(form);
    forbidden.add(form);
    parts.push(noise[13] as Buffer);
    return { secret, output: Buffer.concat(parts), forbidden: [...forbidden].filter((f) => f.length >= MIN_SECRET_LENGTH) };
  });

function leaks(masked: Buffer, forbidden: string[]): string[] {
  const text = masked.toString('latin1');
  variantsChecked += forbidden.length;
  return forbidden.filter((f) => text.includes(f));
}

/** A PEM-like multi-line secret: several lines of 4+ bytes. */
const multiLineArb = fc.array(fc.stringMatching(/^[A-Za-z0-9+/=]{4,20}$/), { minLength: 2, maxLength: 5 }).map((lines) => lines.join('\n'));

/** Random split points (sorted, possibly repeated: empty chunks happen too). */
const cutsArb = fc.array(fc.nat(), { minLength: 1, maxLength: 24 });
const splitAt = (output: Buffer, cuts: number[]): Buffer[] => {
  const points = [0, ...cuts.map((c) => c % (output.length + 1)).sort((a, b) => a - b), output.length];
  return points.slice(1).map((end, i) => output.subarray(points[i], end));
};

describe('masker properties', () => {
  it('no encoding of a secret survives, split at every single chunk boundary and one byte at a time', () => {
    fc.assert(
      fc.property(caseArb, ({ secret, output, forbidden }) => {
        for (let i = 0; i <= output.length; i++) {
          splitsChecked++;
          expect(leaks(feed([secret], [output.subarray(0, i), output.subarray(i)]), forbidden), `split at ${i}`).toEqual([]);
        }
        splitsChecked++;
        expect(leaks(feed([secret], [...output].map((b) => Buffer.from([b]))), forbidden), 'one byte at a time').toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('no encoding of any of several secrets survives random multi-splits', () => {
    fc.assert(
      fc.property(fc.array(caseArb, { minLength: 1, maxLength: 3 }), fc.array(cutsArb, { minLength: 8, maxLength: 8 }), (cases, cutsList) => {
        const output = Buffer.concat(cases.map((c) => c.output));
        const secrets = cases.map((c) => c.secret);
        const forbidden = cases.flatMap((c) => c.forbidden);
        for (const cuts of cutsList) {
          splitsChecked++;
          expect(leaks(feed(secrets, splitAt(output, cuts)), forbidden), `cuts ${cuts.join(',')}`).toEqual([]);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('each line of a multi-line secret is masked wherever it is printed, in any order', () => {
    fc.assert(
      fc.property(multiLineArb, fc.array(noiseArb, { minLength: 6, maxLength: 6 }), cutsArb, (secret, noise, cuts) => {
        const lines = secret.split('\n');
        const parts: Buffer[] = [];
        // Whole, then line by line in reverse order with other output in between, then base64 of one line.
        parts.push(Buffer.from(secret));
        lines.reverse().forEach((line, i) => parts.push(noise[i % noise.length] as Buffer, Buffer.from(`> ${line}\r\n`)));
        parts.push(Buffer.from(Buffer.from(lines[0] ?? '').toString('hex')));
        const output = Buffer.concat(parts);
        const forbidden = [...lines, Buffer.from(lines[0] ?? '').toString('hex')];
        splitsChecked++;
        expect(leaks(feed([secret], splitAt(output, cuts)), forbidden)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('output that holds no secret passes byte for byte, however it is split', () => {
    fc.assert(
      fc.property(fc.array(secretArb, { minLength: 1, maxLength: 3 }), fc.uint8Array({ maxLength: 400 }), cutsArb, (secrets, raw, cuts) => {
        const output = Buffer.from(raw);
        const text = output.toString('latin1');
        fc.pre(secrets.flatMap(secretVariants).every((v) => !text.includes(v)));
        splitsChecked += 2;
        expect(feed(secrets, [output])).toEqual(output);
        expect(feed(secrets, splitAt(output, cuts))).toEqual(output);
      }),
      { numRuns: RUNS * 4 },
    );
  });

  it('clean text around near-misses of a secret passes unchanged (held-back tails are released)', () => {
    fc.assert(
      fc.property(secretArb, noiseArb, cutsArb, (secret, noise, cuts) => {
        const bytes = Buffer.from(secret, 'utf8');
        // Every proper prefix of the secret, each followed by a byte that breaks it off.
        const parts = [];
        for (let k = 1; k < bytes.length; k++) parts.push(bytes.subarray(0, k), Buffer.from('\n'), noise);
        const output = Buffer.concat(parts);
        const text = output.toString('latin1');
        fc.pre(secretVariants(secret).every((v) => !text.includes(v)));
        splitsChecked++;
        expect(feed([secret], splitAt(output, cuts))).toEqual(output);
      }),
      { numRuns: RUNS },
    );
  });
});
