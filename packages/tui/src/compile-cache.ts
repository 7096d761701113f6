// A V8 code cache for the CLI bundle's CommonJS chunks, kept in a private folder of the user's.
//
// Every `axum` command is a fresh process that parses and compiles the chunks it loads (for
// `status`: commander, the protocol's schemas, zod, the client), a large part of its start-up.
// Node 22 has `module.enableCompileCache()` for this; Node 20 (our floor) has not, so the chunks
// are compiled here with `vm.Script` and V8's cached data: the first run of a command writes what
// it compiled (after the command ran, so the functions it called are in it), later runs reuse it.
//
// The cache is an optimisation only: any failure (no home, a read-only disk, a folder that fails
// the check) runs the command uncached and says nothing. What is trusted: only a folder of ours,
// mode 0700, not a symlink (checked with lstat), as for the runtime folder, and entries that are
// files of ours (checked on the descriptor read); V8 checks a cache against its own version and
// flags, and each entry names the chunk's path, size, inode and change time (ctime), as V8's own
// check of the source is by its length only, and carries a CRC-32 of its cached code, as a release
// build of V8 does not checksum what it deserializes (a damaged entry could crash the command).
import { createRequire, Module as NodeModule } from 'node:module';
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, constants } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { crc32 } from 'node:zlib';

/** The few members of node's CommonJS `Module` this needs (node:module's types do not list `_compile`). */
interface CjsModule {
  exports: unknown;
  _compile(content: string, filename: string): unknown;
}
interface CjsModuleClass {
  prototype: CjsModule;
  wrap(content: string): string;
}

/** Where the cache lives: `$XDG_CACHE_HOME/axum/compile-cache`, else `~/.cache/axum/compile-cache`; null when neither is known or `AXUM_COMPILE_CACHE=0`. */
export function compileCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.AXUM_COMPILE_CACHE === '0') return null;
  const base = env.XDG_CACHE_HOME?.startsWith('/') ? env.XDG_CACHE_HOME : env.HOME?.startsWith('/') ? join(env.HOME, '.cache') : null;
  return base === null ? null : join(base, 'axum', 'compile-cache');
}

/** Creates `dir` (0700) if needed; true only when it is a real folder of ours that nobody else can write or read. */
export function privateDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const axumDir = dirname(dir);
    return [axumDir, dir].every((path) => {
      const stat = lstatSync(path);
      return stat.isDirectory() && !stat.isSymbolicLink() && stat.uid === process.getuid?.() && (stat.mode & 0o077) === 0;
    });
  } catch {
    return false;
  }
}

/** One entry's first line: what the cached code was compiled from, and by which node. */
function entryHeader(filename: string): string {
  const stat = statSync(filename);
  // ctime, not mtime: `touch -r` or `cp -p` can set a file's mtime back, nothing but the clock its ctime.
  return `${process.version} ${process.arch} ${stat.size} ${stat.ctimeMs} ${stat.ino} ${filename}\n`;
}

/**
 * An entry's bytes, only when it is a regular file of ours that nobody else can write: the folders
 * were checked once, but a folder above them that others can write could be swapped meanwhile, so
 * the file itself is checked, on the descriptor it is read from (O_NOFOLLOW: never through a link).
 */
function readOwnEntry(path: string): Buffer {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.uid !== process.getuid?.() || (stat.mode & 0o022) !== 0) throw new Error('not our entry');
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The cached code of an entry (its header line, its code's CRC-32 line, the code), only when the
 * header is `header` and the code is intact; undefined otherwise.
 */
function cachedCode(entry: Buffer, header: string): Buffer | undefined {
  const end = entry.indexOf(10);
  if (end <= 0 || entry.toString('utf8', 0, end + 1) !== header) return undefined;
  const sumEnd = entry.indexOf(10, end + 1);
  if (sumEnd < 0) return undefined;
  const code = entry.subarray(sumEnd + 1);
  return entry.toString('latin1', end + 1, sumEnd) === crc32(code).toString(16) ? code : undefined;
}

/** One file per chunk and checkout: the chunk's name without its content hash, so a rebuild overwrites its entry instead of adding one. */
function entryPath(dir: string, filename: string): string {
  let hash = 0x811c9dc5;
  for (const char of dirname(filename)) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return join(dir, `${hash.toString(16)}-${basename(filename).replace(/-[\w-]{8}(\.c?js)$/, '$1')}`);
}

/** What `enableCompileCache` did for the chunks loaded so far (for tests). */
export interface CompileCacheReport {
  readonly used: string[];
  readonly written: string[];
}

/**
 * Compiles every CommonJS file in the folder `root` loaded from now on through the code cache in `dir`,
 * and writes the entries it lacked when the process exits. Returns what it did (filled as it goes).
 */
export function enableCompileCache(root: string, dir: string | null = compileCacheDir()): CompileCacheReport {
  const report = { used: [] as string[], written: [] as string[] };
  if (dir === null || !privateDir(dir)) return report;
  const Module = NodeModule as unknown as CjsModuleClass;
  const compile = Module.prototype._compile;
  const toWrite: { path: string; header: string; script: Script }[] = [];
  Module.prototype._compile = function (this: CjsModule, content: string, filename: string): unknown {
    // An import() needs node's own compile: a script compiled with cached data loses its import callback.
    if (dirname(filename) !== root || content.includes('import(')) return compile.call(this, content, filename);
    let header = '';
    let cachedData: Buffer | undefined;
    const path = entryPath(dir, filename);
    try {
      header = entryHeader(filename);
      const entry = readOwnEntry(path);
      cachedData = cachedCode(entry, header);
    } catch {
      // No entry yet (or the chunk's stat failed: then header stays empty and nothing is written).
    }
    const script = new Script(Module.wrap(content), { filename, cachedData });
    if (cachedData !== undefined && !script.cachedDataRejected) report.used.push(filename);
    else if (header !== '') toWrite.push({ path, header, script });
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, createRequire(filename), this, filename, dirname(filename));
  };
  process.once('exit', () => {
    for (const { path, header, script } of toWrite) {
      try {
        // A temp file renamed over the entry: a command starting meanwhile reads the old entry or the new, never half of one.
        const temp = `${path}.${process.pid}.tmp`;
        const code = script.createCachedData();
        writeFileSync(temp, Buffer.concat([Buffer.from(`${header}${crc32(code).toString(16)}\n`), code]), { mode: 0o600 });
        renameSync(temp, path);
        report.written.push(path);
      } catch {
        // A cache that cannot be written is a slower next start, nothing more.
      }
    }
  });
  return report;
}
