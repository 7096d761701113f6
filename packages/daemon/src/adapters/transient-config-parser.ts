import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import type { ConfigLoad } from '@axum/protocol';
import type { ConfigParser } from '../engine/config-parser.js';

/** What the parser's script exports (config-parse-entry.ts). */
interface ParserScript {
  parseConfigText(text: string, fileLabel: string): ConfigLoad;
  parseYaml(text: string): unknown;
}

/**
 * The parser's script beside the daemon's bundle (dist/axum-config-parse.cjs): this module is
 * bundled into dist/axum-daemon.mjs, or compiled to dist/adapters/ when unbundled.
 */
export const CONFIG_PARSER_SCRIPT = new URL(import.meta.url.endsWith('/axum-daemon.mjs') ? './axum-config-parse.cjs' : '../axum-config-parse.cjs', import.meta.url);

/**
 * Parses `axum.yml` (and YAML for a release diff) with a script loaded for that parse and dropped
 * after it. Why: the YAML parser and the config's schema are needed only when axum.yml changes, a
 * run's commit brings another one or a diff is asked, and a module the daemon imports stays in its
 * heap for its life (its source, compiled code and module-level objects; ~1 MiB measured,
 * BENCHMARKS.md, branch mem5). A script run with no reference kept is garbage once the parse
 * returns, collected by V8's next full GC like any other. A worker thread was measured too and
 * left more behind (its malloc arena).
 *
 * The text parsed last is answered from memory (a copy: callers own what they get): a run of a
 * commit whose axum.yml is the work tree's, the usual case, loads nothing.
 */
export function createTransientConfigParser(script: URL): ConfigParser {
  let last: { text: string; fileLabel: string; load: ConfigLoad } | null = null;
  const withParser = async <T>(use: (parser: ParserScript) => T): Promise<T> => {
    const file = fileURLToPath(script);
    const source = await readFile(file, 'utf8');
    const module = { exports: {} as ParserScript };
    // A CommonJS module's body, given what node gives one.
    const body = new Script(`(function (module, exports, require, __filename) {${source}\n})`, { filename: file }).runInThisContext() as (...args: unknown[]) => void;
    body(module, module.exports, createRequire(file), file);
    return use(module.exports);
  };
  return {
    async parseConfig(text, fileLabel) {
      if (last?.text !== text || last.fileLabel !== fileLabel) last = { text, fileLabel, load: await withParser((parser) => parser.parseConfigText(text, fileLabel)) };
      return structuredClone(last.load);
    },
    parseYaml: (text) => withParser((parser) => parser.parseYaml(text)),
  };
}
