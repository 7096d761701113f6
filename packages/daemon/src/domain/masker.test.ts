import { describe, expect, it } from 'vitest';
import { base64Fragments, createMasker, maskText, secretVariants } from './masker.js';

const secret = 'hf_s3cr3t_T0KEN';
const feed = (chunks: string[], secrets = [secret]) => {
  const masker = createMasker(secrets);
  return Buffer.concat([...chunks.map((c) => masker.push(Buffer.from(c, 'latin1'))), masker.end()]).toString('latin1');
};

describe('createMasker', () => {
  it('masks a secret split at every possible chunk boundary', () => {
    const text = `token=${secret}\nagain ${secret}!`;
    for (let i = 0; i <= text.length; i++) {
      for (let j = i; j <= text.length; j += 3) {
        const out = feed([text.slice(0, i), text.slice(i, j), text.slice(j)]);
        expect(out, `split at ${i},${j}`).toBe('token=***\nagain ***!');
      }
    }
  });

  it('masks one byte at a time', () => {
    expect(feed([...`a${secret}b`])).toBe('a***b');
  });

  it('keeps binary output byte-exact', () => {
    const bytes = Buffer.from([0, 255, 254, 10, 200, 13]);
    const masker = createMasker([secret]);
    expect(Buffer.concat([masker.push(bytes), masker.end()])).toEqual(bytes);
  });

  it('masks the longest secret first and ignores trivially short ones', () => {
    expect(feed(['abcd abcdef x'], ['abcd', 'abcdef', 'x'])).toBe('*** *** x');
  });

  it('releases a held-back prefix that never became a secret', () => {
    expect(feed(['value hf_s3c', 'ret? no'])).toBe('value hf_s3cret? no');
  });

  it('masks UTF-8 secrets', () => {
    expect(maskText('pw=pässwörd!', ['pässwörd'])).toBe('pw=***!');
  });

  it('masks base64 at all three alignments, hex and URL encodings', () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    const text = [
      b64(`${secret}\n`),
      b64(`u:${secret}`),
      b64(`x${secret}`),
      Buffer.from(secret).toString('hex'),
      Buffer.from(secret).toString('hex').toUpperCase(),
      encodeURIComponent('a b/'),
      new URLSearchParams({ q: 'a b/' }).toString(),
    ].join('\n');
    const out = maskText(text, [secret, 'a b/']);
    for (const fragment of base64Fragments(Buffer.from(secret))) expect(out).not.toContain(fragment);
    expect(out).toBe(['***Cg==', 'dTp***4=', 'eG***g==', '***', '***', '***', 'q=***'].join('\n'));
  });

  it('derives base64 fragments of at least 4 characters for a 4-byte secret, nothing under 4 bytes', () => {
    expect(base64Fragments(Buffer.from('abcd')).every((f) => f.length >= 4)).toBe(true);
    expect(secretVariants('abc')).toEqual([]);
    expect(feed([Buffer.from('abc').toString('base64'), ' abc'], ['abc'])).toBe('YWJj abc');
  });
});
