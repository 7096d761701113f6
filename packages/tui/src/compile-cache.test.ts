// The CLI's code cache: real child processes requiring real CommonJS files through it, a real folder.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileCacheDir, privateDir } from './compile-cache.js';

// The module as built by tsc (ES module), loaded by a child process that requires the chunks.
const MODULE = fileURLToPath(new URL('../dist/compile-cache.js', import.meta.url));

let base: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'axum-compile-cache-'));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

/** A folder of CommonJS "chunks": a.cjs requires b.cjs; each says which one ran. */
function chunks(): string {
  const root = join(base, 'bundle');
  mkdirSync(root);
  writeFileSync(join(root, 'a-Hash1234.cjs'), "exports.a = () => 'a:' + require('./b.cjs').b();\n");
  writeFileSync(join(root, 'b.cjs'), "exports.b = () => 'b';\n");
  return root;
}

/** Requires a.cjs in a fresh node through the cache in `dir`; returns its answer and the report at exit. */
function run(root: string, dir: string): { answer: string; used: string[]; written: string[] } {
  const script = `
    import { enableCompileCache } from ${JSON.stringify(MODULE)};
    import { createRequire } from 'node:module';
    const report = enableCompileCache(${JSON.stringify(root)}, ${JSON.stringify(dir)});
    const answer = createRequire(${JSON.stringify(join(root, 'x.cjs'))})('./a-Hash1234.cjs').a();
    process.on('exit', () => process.stdout.write(JSON.stringify({ answer, ...report })));
  `;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as { answer: string; used: string[]; written: string[] };
}

describe('compile cache', () => {
  it('writes what a first run compiled and uses it in the next run, one entry per chunk', () => {
    const root = chunks();
    const dir = join(base, 'cache', 'axum', 'compile-cache');
    const first = run(root, dir);
    expect(first).toMatchObject({ answer: 'a:b', used: [] });
    expect(first.written).toHaveLength(2);
    const second = run(root, dir);
    expect(second).toEqual({ answer: 'a:b', used: [join(root, 'a-Hash1234.cjs'), join(root, 'b.cjs')], written: [] });
    // The content hash is not part of an entry's name: a rebuild replaces the entry, nothing piles up.
    expect(readdirSync(dir).sort()).toEqual([expect.stringMatching(/-a\.cjs$/), expect.stringMatching(/-b\.cjs$/)]);
  });

  it('never runs a cached entry for a chunk that changed, even at the same length', () => {
    const root = chunks();
    const dir = join(base, 'cache', 'axum', 'compile-cache');
    run(root, dir);
    // V8 checks a cache against the source's length only: same length, other code.
    writeFileSync(join(root, 'b.cjs'), "exports.b = () => 'B';\n");
    utimesSync(join(root, 'b.cjs'), new Date(), new Date(Date.now() + 5000));
    const after = run(root, dir);
    expect(after.answer).toBe('a:B');
    expect(after.used).toEqual([join(root, 'a-Hash1234.cjs')]);
    expect(after.written).toHaveLength(1);
  });

  it('a chunk edited at the same length with its mtime set back is still told apart (ctime), and an entry others can write is not used', async () => {
    const root = chunks();
    const dir = join(base, 'cache', 'axum', 'compile-cache');
    run(root, dir);
    const chunk = join(root, 'b.cjs');
    const { mtime } = statSync(chunk);
    await new Promise((resolve) => setTimeout(resolve, 20));
    writeFileSync(chunk, "exports.b = () => 'B';\n");
    utimesSync(chunk, mtime, mtime); // `touch -r` / `cp -p`: the mtime it had
    expect(run(root, dir).answer).toBe('a:B');
    const entry = readdirSync(dir).find((name) => name.endsWith('-a.cjs'))!;
    chmodSync(join(dir, entry), 0o666);
    expect(run(root, dir).used).not.toContain(join(root, 'a-Hash1234.cjs'));
  });

  it('an entry whose cached code was damaged at the same length is not used, and is written again', () => {
    const root = chunks();
    const dir = join(base, 'cache', 'axum', 'compile-cache');
    run(root, dir);
    const entry = join(dir, readdirSync(dir).find((name) => name.endsWith('-b.cjs'))!);
    const bytes = readFileSync(entry);
    bytes[bytes.length - 8] ^= 0xff;
    writeFileSync(entry, bytes);
    const after = run(root, dir);
    expect(after).toMatchObject({ answer: 'a:b', used: [join(root, 'a-Hash1234.cjs')] });
    expect(after.written).toEqual([entry]);
    expect(run(root, dir).used).toContain(join(root, 'b.cjs'));
  });

  it('uses only a private folder of ours: not one others can read or write, not a symlink', () => {
    const open = join(base, 'open', 'axum', 'compile-cache');
    mkdirSync(open, { recursive: true, mode: 0o755 });
    chmodSync(open, 0o755);
    expect(privateDir(open)).toBe(false);
    const root = chunks();
    expect(run(root, open)).toEqual({ answer: 'a:b', used: [], written: [] });
    expect(readdirSync(open)).toEqual([]);

    const elsewhere = join(base, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o700 });
    mkdirSync(join(base, 'linked', 'axum'), { recursive: true, mode: 0o700 });
    symlinkSync(elsewhere, join(base, 'linked', 'axum', 'compile-cache'));
    expect(privateDir(join(base, 'linked', 'axum', 'compile-cache'))).toBe(false);

    const fresh = join(base, 'fresh', 'axum', 'compile-cache');
    expect(privateDir(fresh)).toBe(true);
  });

  it('lives under XDG_CACHE_HOME or ~/.cache, and AXUM_COMPILE_CACHE=0 turns it off', () => {
    expect(compileCacheDir({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' })).toBe('/x/cache/axum/compile-cache');
    expect(compileCacheDir({ HOME: '/home/u' })).toBe('/home/u/.cache/axum/compile-cache');
    expect(compileCacheDir({ XDG_CACHE_HOME: 'relative', HOME: '/home/u' })).toBe('/home/u/.cache/axum/compile-cache');
    expect(compileCacheDir({})).toBeNull();
    expect(compileCacheDir({ HOME: '/home/u', AXUM_COMPILE_CACHE: '0' })).toBeNull();
  });
});
