// Bundles the built CLI (dist/ and what it imports) into dist/bundle/, in two halves. Run by
// `pnpm build` after tsc.
//
// Why a bundle: every `axum` invocation is a fresh Node process, and what it costs before it does
// anything is finding, reading, parsing and linking modules. Unbundled, `axum --version` loaded
// ~150 modules (zod's ~95 among them, through @axum/protocol's schemas) and cost ~4× the CPU of
// `node -e 0`. The entry holds the parser and the few words it prints itself; a command's chunk
// (client, schemas) loads when that command runs (BENCHMARKS.md, CLI start).
//
// Why CommonJS: the scriptable commands (axum.cjs and its .cjs chunks) are CommonJS, which Node 20
// loads with synchronous reads and no ES-module loader (an empty .mjs costs ~8 ms of CPU more than
// an empty .cjs), and whose chunks can be compiled through a V8 code cache (src/compile-cache.ts:
// Node 20 offers cached data for scripts only, not for ES modules). So the source has no top-level
// await, and import.meta is written for CommonJS here (forCjs).
//
// Why an ES-module half: Ink awaits at its top level, so it cannot be required. The terminal UI
// and the demo (tui.mjs, demo.mjs and their .mjs chunks) are built apart as ES modules, with their
// own copy of what they share with the commands; commands/esm-half.ts imports them by path. Only plain options
// and exit codes cross between the halves (and a CliError, recognised by a mark: exit-codes.ts).
//
// Ink and React stay outside the bundle, loaded from node_modules by the TUI's half only: React
// picks its production or development build from NODE_ENV when it loads (commands/tui.ts sets it
// first), which a bundler would otherwise decide once, at build time.
//
// Paths: chunks sit two folders below packages/tui, as the tsc output does, so the source's
// `new URL('../../../../examples/…', import.meta.url)` still reaches the checkout's root, and
// `@axum/daemon/main` still resolves through packages/tui/node_modules.
import { rmSync } from 'node:fs';
import { build } from 'rolldown';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const PROTOCOL = join(here, '..', 'protocol', 'dist');
const START = join(here, 'dist', 'start.js');
const CLI = join(here, 'dist', 'cli.js');
// The daemon group's words, registered by cli.ts before any command (one chunk with it).
const CLI_DAEMON = join(here, 'dist', 'cli-daemon.js');
// What cli.ts loads before any command: kept in one chunk with it.
const START_MODULES = [join('node_modules', 'commander'), join(here, 'dist', 'commands', 'exit-codes.js'), join(here, 'dist', 'commands', 'usage.js'), join(here, 'dist', 'commands', 'output.js')];
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

// commands/esm-half.ts imports the terminal UI and the demo by their path in the ES-module half.
const ESM_HALF_LOADER = join(here, 'dist', 'commands', 'esm-half.js');
const ESM_HALF = { './tui.js': './tui.mjs', './demo.js': './demo.mjs' };
const esmHalf = {
  name: 'esm-half',
  resolveId(source, importer) {
    if (importer === ESM_HALF_LOADER && Object.hasOwn(ESM_HALF, source)) return { id: ESM_HALF[source], external: true };
    return null;
  },
};

// import.meta has no CommonJS meaning: written with the chunk's own __filename and require. And
// a built-in loaded on use (`await import('node:child_process')`) is required on use instead: a
// chunk with an import() is compiled without the code cache (esm-half.ts says why).
const forCjs = {
  name: 'for-cjs',
  transform(code, id) {
    if (!code.includes('import.meta') && !code.includes("import('node:")) return null;
    const out = code
      .replaceAll('import.meta.resolve(', '((specifier) => require("node:url").pathToFileURL(require.resolve(specifier)).href)(')
      .replaceAll('import.meta.url', 'require("node:url").pathToFileURL(__filename).href')
      .replace(/\bimport\('(node:[\w/]+)'\)/g, "Promise.resolve().then(() => require('$1'))");
    if (out.includes('import.meta')) this.error(`${id}: an import.meta the CommonJS half cannot write`);
    return { code: out, map: null };
  },
};

const shared = {
  platform: 'node',
  logLevel: 'warn',
  external: [/^(ink|react)(\/|$)/],
  treeshake: {
    // @axum/protocol's modules only declare (constants, zod schemas, functions): the entry takes
    // AXUM_VERSION from its index without pulling every schema (and zod) into the entry chunk.
    moduleSideEffects: (id, external) => external || !id.startsWith(PROTOCOL),
  },
};
const output = {
  dir: OUT,
  sourcemap: true,
  comments: { legal: true, annotation: false, jsdoc: false },
  minify: { compress: true, mangle: { keepNames: true }, codegen: { removeWhitespace: true, asciiOnly: true } },
};

await build({
  ...shared,
  input: { axum: START },
  plugins: [lazyChildProcess, esmHalf, forCjs],
  output: {
    ...output,
    format: 'cjs',
    entryFileNames: '[name].cjs',
    chunkFileNames: '[name]-[hash].cjs',
    // What every command loads after the entry (commander, the version, exit codes, output) in one
    // chunk, not one file each.
    codeSplitting: { groups: [{ name: 'axum-start', test: (id) => id === CLI || id === CLI_DAEMON || START_MODULES.some((m) => id.includes(m)) }] },
  },
});

await build({
  ...shared,
  input: { tui: join(here, 'dist', 'commands', 'tui.js'), demo: join(here, 'dist', 'commands', 'demo.js') },
  plugins: [lazyChildProcess],
  output: { ...output, format: 'esm', entryFileNames: '[name].mjs', chunkFileNames: '[name]-[hash].mjs' },
});
