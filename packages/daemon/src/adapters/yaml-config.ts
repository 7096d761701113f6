import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseConfigText, type ConfigLoad } from '@axum/protocol';

/**
 * Reads and validates a pipeline file. Never throws: a missing file is a problem at 1:1, and so is
 * anything the parser throws (an `axum.yml` is text from outside; the daemon starts whatever it holds).
 */
export async function loadConfigFile(file: string): Promise<ConfigLoad> {
  const problem = (message: string): ConfigLoad => ({ ok: false, errors: [{ file: basename(file), line: 1, col: 1, message }] });
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return problem((err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found in the work tree (a checkout of a commit without it? check out a branch that has it; a new project: `axum init` writes one)' : (err as Error).message);
  }
  try {
    return parseConfigText(text, basename(file));
  } catch (err) {
    return problem(`could not be read: ${(err as Error).message}`);
  }
}

/**
 * What the pipeline file is on disk, from one stat (no read, no git): a checkout (a new file), a
 * rename over it, a removal, a write of another size or at a later clock tick change it (a write in
 * place within the same tick is the watcher's to see). '' when it cannot be stat'ed (missing).
 */
export function configFileStamp(file: string): string {
  try {
    const stat = statSync(file, { bigint: true });
    return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
  } catch {
    return '';
  }
}
