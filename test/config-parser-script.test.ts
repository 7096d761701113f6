import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText, parseYaml } from '../packages/protocol/dist/index.js';
import { CONFIG_PARSER_SCRIPT, createTransientConfigParser } from '../packages/daemon/dist/adapters/transient-config-parser.js';
import { loadConfigFile } from '../packages/daemon/dist/adapters/yaml-config.js';
import { ROOT, SAMPLE_CONFIG } from './support/axum.js';

// The daemon reads axum.yml with the parser's script (dist/axum-config-parse.cjs) loaded for each
// parse and dropped after it, so the parser's code does not stay in the idle daemon's heap. What
// it answers must be what the parser answers when imported, word for word.
const INVALID = 'version: 1\nenvironments:\n  dev: { branch: main, timeot: 5m }\nstages:\n  - name: test\n    steps:\n      - { name: unit, run: "true", retries: -1 }\n';
const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("the config parser's script, loaded for a parse", () => {
  it('answers what the imported parser answers: a valid config, and every problem with its line and column', async () => {
    const parser = createTransientConfigParser(CONFIG_PARSER_SCRIPT);
    expect(await parser.parseConfig(SAMPLE_CONFIG, 'axum.yml')).toEqual(parseConfigText(SAMPLE_CONFIG, 'axum.yml'));
    const invalid = await parser.parseConfig(INVALID, 'other.yml');
    expect(invalid).toEqual(parseConfigText(INVALID, 'other.yml'));
    expect(invalid.ok ? [] : invalid.errors.map((problem) => problem.file)).toEqual(['other.yml', 'other.yml']);
  });

  it('answers the text it parsed last from memory, each caller with a copy of its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'axum-parser-'));
    temps.push(dir);
    const script = join(dir, 'axum-config-parse.cjs');
    copyFileSync(new URL(CONFIG_PARSER_SCRIPT), script);
    const parser = createTransientConfigParser(pathToFileURL(script));
    const first = await parser.parseConfig(SAMPLE_CONFIG, 'axum.yml');
    rmSync(script); // nothing left to load: only memory can answer now
    const again = await parser.parseConfig(SAMPLE_CONFIG, 'axum.yml');
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
    if (first.ok) first.config.stages.length = 0;
    expect(await parser.parseConfig(SAMPLE_CONFIG, 'axum.yml')).toEqual(parseConfigText(SAMPLE_CONFIG, 'axum.yml'));
    // Another text, or the same under another name, is parsed: with the script gone, that fails.
    await expect(parser.parseConfig(INVALID, 'axum.yml')).rejects.toThrow(/ENOENT/);
    await expect(parser.parseConfig(SAMPLE_CONFIG, 'other.yml')).rejects.toThrow(/ENOENT/);
    // A daemon says it as a problem of the file, never throws.
    const load = await loadConfigFile(join(ROOT, 'examples', 'model-project', 'axum.yml'), parser);
    expect(load.ok ? '' : load.errors[0]?.message).toMatch(/^could not be read: .*ENOENT/);
  });

  it("reads YAML as plain data for a diff, and rejects with the parser's words what it cannot read", async () => {
    const parser = createTransientConfigParser(CONFIG_PARSER_SCRIPT);
    expect(await parser.parseYaml(SAMPLE_CONFIG)).toEqual(parseYaml(SAMPLE_CONFIG));
    expect(() => parseYaml('a: *nope')).toThrow(/Unresolved alias/);
    await expect(parser.parseYaml('a: *nope')).rejects.toThrow(/Unresolved alias/);
  });

  // In a node of its own (this test file imports the parser itself) with the protocol's codec
  // loaded, as the daemon has: after a parse, a heap snapshot (which collects garbage first) holds
  // no function of the YAML parser (its `parseDocument`, the name kept by the minifier); imported
  // and used, it does (the probe works).
  it('leaves none of its code in the heap after the parse', async () => {
    const parserFunctionsAfter = async (how: 'script' | 'import') => {
      const program = `
        import { getHeapSnapshot } from 'node:v8';
        const { CONFIG_PARSER_SCRIPT, createTransientConfigParser } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'packages/daemon/dist/adapters/transient-config-parser.js')).href)});
        await import(${JSON.stringify(pathToFileURL(join(ROOT, 'packages/protocol/dist/codec.js')).href)}); // as in the daemon, which has its codec
        let kept;
        if (${JSON.stringify(how)} === 'script') await createTransientConfigParser(CONFIG_PARSER_SCRIPT).parseConfig(${JSON.stringify(SAMPLE_CONFIG)}, 'axum.yml');
        else {
          kept = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'packages/daemon/dist/axum-config-parse.cjs')).href)});
          kept.parseConfigText(${JSON.stringify(SAMPLE_CONFIG)}, 'axum.yml');
        }
        let text = '';
        for await (const chunk of getHeapSnapshot()) text += chunk;
        const snapshot = JSON.parse(text);
        const fields = snapshot.snapshot.meta.node_fields.length;
        const closure = snapshot.snapshot.meta.node_types[0].indexOf('closure');
        let count = 0;
        for (let i = 0; i < snapshot.nodes.length; i += fields) if (snapshot.nodes[i] === closure && snapshot.strings[snapshot.nodes[i + 1]] === 'parseDocument') count++;
        console.log(count, kept ? 'kept' : '');
      `;
      const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', program], { cwd: ROOT });
      return Number(stdout.trim().split(' ')[0]);
    };
    expect(await parserFunctionsAfter('import')).toBeGreaterThan(0);
    expect(await parserFunctionsAfter('script')).toBe(0);
  });
});
