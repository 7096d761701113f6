// Bundles the built daemon (dist/main.js and everything it imports) into dist/axum-daemon.mjs,
// the file the CLI spawns. Run by `pnpm build` after tsc.
//
// Why a bundle: the daemon's idle RSS is mostly what its modules leave in V8's heap, and V8 keeps
// every module's source text for as long as the process lives (lazy compilation needs it).
// Unbundled, the daemon loaded ~140 modules: all of zod's ~45 locales and its JSON Schema
// generator (`export * as locales` in every zod entry point, never used by the daemon), comments,
// two-byte sources (one non-Latin-1 character makes a whole module's source UTF-16). Tree-shaken
// and stripped of comments and whitespace, with non-ASCII escaped so the source stays one byte per
// character, the same code leaves ~10 MiB less resident (BENCHMARKS.md, idle memory).
//
// Local variables are renamed (shorter sources and scope tables: ~1 MiB less idle RSS, measured),
// functions and classes keep their names, so a stack trace in .axum/daemon.log still names them;
// the source map beside the bundle leads back to the TypeScript.
import { build } from 'rolldown';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

// node's modules that `ws` requires when it is loaded but uses only as a client (`https`, `tls`)
// or with per-message deflate (`zlib`), neither of which the daemon's server does: each is bound to
// a stand-in that requires the real module at its first use. Loaded, they stay resident for the
// daemon's life (their code and objects; ~0.5 MiB measured on an idle node).
const LAZY_IN_WS = new Set(['https', 'tls', 'zlib']);
const lazyBuiltins = {
  name: 'axum-lazy-builtins',
  resolveId(source, importer) {
    const name = source.replace(/^node:/, '');
    if (!LAZY_IN_WS.has(name) || !importer || !/[\\/]node_modules[\\/]ws[\\/]/.test(importer)) return null;
    return `\0lazy-builtin:${name}`;
  },
  load(id) {
    if (!id.startsWith('\0lazy-builtin:')) return null;
    const name = id.slice('\0lazy-builtin:'.length);
    return `let real;\nmodule.exports = new Proxy({}, { get: (_, key) => (real ??= require('node:${name}'))[key], has: (_, key) => key in (real ??= require('node:${name}')) });\n`;
  },
};

await build({
  input: join(here, 'dist', 'main.js'),
  platform: 'node',
  plugins: [lazyBuiltins],
  logLevel: 'warn',
  output: {
    file: join(here, 'dist', 'axum-daemon.mjs'),
    format: 'esm',
    sourcemap: true,
    comments: { legal: true, annotation: false, jsdoc: false },
    minify: { compress: true, mangle: { keepNames: true }, codegen: { removeWhitespace: true, asciiOnly: true } },
  },
});
