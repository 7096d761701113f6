// Bundles the built CLI (dist/cli.js and what it imports) into dist/bundle/: axum.mjs, the file
// bin/axum runs, and one chunk per command module that cli.ts imports on demand. Run by
// `pnpm build` after tsc.
//
// Why a bundle: every `axum` invocation is a fresh Node process, and what it costs before it does
// anything is finding, reading, parsing and linking modules. Unbundled, `axum --version` loaded
// ~150 modules (zod's ~95 among them, through @axum/protocol's schemas) and cost ~4× the CPU of
// `node -e 0`. The entry chunk now holds the parser and the few words it prints itself; a
// command's chunk (client, schemas, ws) loads when that command runs (BENCHMARKS.md, CLI start).
//
// Ink and React stay outside the bundle, loaded from node_modules by the TUI's chunk only: React
// picks its production or development build from NODE_ENV when it loads (commands/tui.ts sets it
// first), which a bundler would otherwise decide once, at build time.
//
// Paths: chunks sit two folders below packages/tui, as the tsc output does, so the source's
// `new URL('../../../../examples/…', import.meta.url)` still reaches the checkout's root, and
// `import.meta.resolve('@axum/daemon/main')` still resolves through packages/tui/node_modules.
import { rmSync } from 'node:fs';
import { build } from 'rolldown';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const PROTOCOL = join(here, '..', 'protocol', 'dist');
const ENTRY = join(here, 'dist', 'cli.js');
const OUT = join(here, 'dist', 'bundle');

// Chunk names carry a content hash: last build's chunks would otherwise pile up beside these.
rmSync(OUT, { recursive: true, force: true });

// commander requires node:child_process when it loads (for executable subcommands, which axum has
// none of): ~5 ms of every command's start for net, dgram and the rest. Its copy is loaded on use.
const LAZY_CHILD_PROCESS = '\0lazy-child-process';
const lazyChildProcess = {
  name: 'lazy-child-process',
  resolveId(source, importer) {
    if ((source === 'node:child_process' || source === 'child_process') && importer?.includes(`${join('node_modules', 'commander')}`)) return LAZY_CHILD_PROCESS;
    return null;
  },
  load(id) {
    if (id !== LAZY_CHILD_PROCESS) return null;
    return "let loaded;\nmodule.exports = new Proxy({}, { get: (_, key) => (loaded ??= require('node:child_process'))[key] });\n";
  },
};

await build({
  input: { axum: ENTRY },
  platform: 'node',
  logLevel: 'warn',
  plugins: [lazyChildProcess],
  external: [/^(ink|react)(\/|$)/],
  treeshake: {
    // @axum/protocol's modules only declare (constants, zod schemas, functions): the entry takes
    // AXUM_VERSION from its index without pulling every schema (and zod) into the entry chunk.
    moduleSideEffects: (id, external) => external || !id.startsWith(PROTOCOL),
  },
  output: {
    dir: OUT,
    format: 'esm',
    entryFileNames: '[name].mjs',
    chunkFileNames: '[name]-[hash].mjs',
    // What every invocation loads (commander, the version, exit codes, output) in one chunk, not
    // one file each. The entry stays apart: it awaits the command, whose chunk imports this one.
    codeSplitting: { groups: [{ name: 'axum-start', tags: ['$initial'], test: (id) => id !== ENTRY }] },
    sourcemap: true,
    comments: { legal: true, annotation: false, jsdoc: false },
    minify: { compress: true, mangle: { keepNames: true }, codegen: { removeWhitespace: true, asciiOnly: true } },
  },
});
